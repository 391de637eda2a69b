/**
 * `--debug` prints what the client publishes on its diagnostics channels on stderr, and nothing
 * on stdout: each attempt, and a failover from an endpoint that refuses connections.
 */
import * as fs from 'fs';
import * as path from 'path';
import { useCluster } from '../support/cluster';
import { runProcess, useCli } from './support/cli';

describe('etcd-rx --debug', () => {
  const cluster = useCluster(1);
  const cli = useCli(cluster);

  it('prints each attempt and each failover on stderr, leaving stdout as it is', async () => {
    expect((await cli.run(['put', 'debug/k', 'v'])).code).toBe(0);
    // Nothing listens on port 1: the first endpoint refuses, the call fails over to the member.
    const member = cluster().endpoints[0];
    const result = await cli.run(['--debug', 'get', 'debug/k'], { env: { ETCD_SERVERS: `http://127.0.0.1:1,${member}` } });
    expect([result.code, result.stdout]).toEqual([0, 'debug/k\nv\n']);
    // A read is sent to a silent endpoint at once (a refused connection fails it before any probe).
    expect(result.stderr).toMatch(/^debug call:start method=range endpoint=http:\/\/127\.0\.0\.1:1 attempt=1 streaming=false$/m);
    expect(result.stderr).toMatch(
      /^debug call:end method=range endpoint=http:\/\/127\.0\.0\.1:1 attempt=1 streaming=false durationMs=[\d.]+ error="EtcdConnectionError: .*"$/m,
    );
    expect(result.stderr).toContain(`debug failover method=range from=http://127.0.0.1:1 to=${member} reason=`);
    expect(result.stderr).toMatch(new RegExp(`^debug call:end method=range endpoint=${member} attempt=2 streaming=false durationMs=[\\d.]+$`, 'm'));
  });

  it('shows that a get from a fresh client sends one request to a member that answers it', async () => {
    const result = await cli.run(['--debug', 'get', 'debug/k']);
    expect([result.code, result.stdout]).toEqual([0, 'debug/k\nv\n']);
    expect(result.stderr.match(/^debug call:start .*$/gm)).toEqual([
      `debug call:start method=range endpoint=${cluster().endpoints[0]} attempt=1 streaming=false`,
    ]);
  });

  it('prints nothing without the flag', async () => {
    const result = await cli.run(['get', 'debug/k']);
    expect([result.code, result.stderr]).toEqual([0, '']);
  });

  it('prints nothing on stderr when run from outside node_modules, where Node warns of what dependencies do', async () => {
    // As a clone's dist/cli is: Node (24 and newer) is silent about deprecated calls made from node_modules only.
    const copy = path.dirname(cli.tempFile('main.js'));
    for (const file of fs.readdirSync(path.dirname(cli.main()))) fs.copyFileSync(path.join(path.dirname(cli.main()), file), path.join(copy, file));
    const result = await runProcess(process.execPath, [path.join(copy, 'main.js'), 'get', 'debug/k'], {
      ...process.env,
      ETCD_SERVERS: cluster().endpoints.join(','),
    });
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'debug/k\nv\n', '']);
  });
});
