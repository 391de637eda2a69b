import { spawn } from 'child_process';
import * as fs from 'fs';
import { useCluster } from '../support/cluster';
import { CliProcess, ok, useCli } from './support/cli';

describe('etcd-rx on a cluster with TLS and authentication, round-tripping with etcdctl', () => {
  const cluster = useCluster(1, { tls: true, auth: true });
  const cli = useCli(cluster);
  const files = { ca: '', cert: '', key: '' };
  beforeAll(() => {
    const pems = cluster().tls;
    if (pems === undefined) throw new Error('the cluster has no TLS files');
    for (const name of ['ca', 'cert', 'key'] as const) {
      files[name] = cli.tempFile(`${name}.pem`);
      fs.writeFileSync(files[name], pems[name]);
    }
  });
  const root = () => {
    const credentials = cluster().rootCredentials;
    if (credentials === undefined) throw new Error('the cluster has no root user');
    return credentials;
  };
  const rootUser = () => `${root().username}:${root().password}`;
  const tlsFlags = () => ['--cacert', files.ca, '--cert', files.cert, '--key', files.key];
  const secured = () => [...tlsFlags(), '--user', rootUser()];
  const etcdctl = (args: readonly string[]) => cli.etcdctl([...secured(), ...args]);
  const NOTHING_FROM_ENV = { ETCDCTL_USER: undefined, ETCDCTL_PASSWORD: undefined, ETCDCTL_CACERT: undefined, ETCDCTL_CERT: undefined, ETCDCTL_KEY: undefined };

  it('takes every flag before or after the command, and every variable instead', async () => {
    ok(await cli.run(['--cacert', files.ca, '--cert', files.cert, '--key', files.key, '--user', rootUser(), 'put', 'flags/before', '1']));
    ok(
      await cli.run([
        'put',
        'flags/after',
        '2',
        '--cacert',
        files.ca,
        '--cert',
        files.cert,
        '--key',
        files.key,
        '--user',
        root().username,
        '--password',
        root().password,
      ]),
    );
    const variables = {
      ETCDCTL_CACERT: files.ca,
      ETCDCTL_CERT: files.cert,
      ETCDCTL_KEY: files.key,
      ETCDCTL_USER: root().username,
      ETCDCTL_PASSWORD: root().password,
    };
    ok(await cli.run(['put', 'flags/env', '3'], { env: variables }));
    ok(await cli.run(['put', 'flags/env-inline', '4'], { env: { ...variables, ETCDCTL_USER: rootUser(), ETCDCTL_PASSWORD: undefined } }));
    // In key order: after, before, env, env-inline.
    expect(ok(await etcdctl(['get', 'flags/', '--prefix', '--print-value-only'])).stdout).toBe('2\n1\n3\n4\n');
    ok(await etcdctl(['put', 'flags/theirs', 'x']));
    expect(ok(await cli.run(['get', 'flags/theirs', ...secured()])).stdout).toBe('flags/theirs\nx\n');
    // A flag wins over its variable.
    expect(ok(await cli.run(['get', 'flags/theirs', ...secured()], { env: { ETCDCTL_USER: 'nobody:wrong', ETCDCTL_CACERT: '/nonexistent' } })).stdout).toBe(
      'flags/theirs\nx\n',
    );
    // Without the CA, the server's certificate is accepted only when told to.
    expect(
      ok(await cli.run(['get', 'flags/theirs', '--insecure-skip-tls-verify', '--cert', files.cert, '--key', files.key, '--user', rootUser()])).stdout,
    ).toBe('flags/theirs\nx\n');
    const unverified = await cli.run(['get', 'flags/theirs', '--cert', files.cert, '--key', files.key, '--user', rootUser()], { env: NOTHING_FROM_ENV });
    expect([unverified.code, unverified.stderr]).toEqual([1, expect.stringMatching(/certificate/)]);
  });

  it('refuses what cannot log in, saying why, without showing the password', async () => {
    const wrong = await cli.run(['get', 'k', ...tlsFlags(), '--user', 'root:not-the-password'], { env: NOTHING_FROM_ENV });
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringMatching(/authentication failed/)]);
    expect(wrong.stderr).not.toMatch(/not-the-password/);
    expect((await cli.run(['get', 'k', ...tlsFlags()], { env: NOTHING_FROM_ENV })).stderr).toMatch(/user name is empty|authentication/);
    expect((await cli.run(['get', 'k', ...tlsFlags(), '--user', 'root'], { env: NOTHING_FROM_ENV })).stderr).toMatch(
      /--user root needs a password: --user root:PASSWORD, --password or \$ETCDCTL_PASSWORD/,
    );
    expect((await cli.run(['get', 'k', '--password', 'x'], { env: NOTHING_FROM_ENV })).stderr).toMatch(/--password needs --user/);
    expect((await cli.run(['get', 'k', '--cert', files.cert], { env: NOTHING_FROM_ENV })).stderr).toMatch(/--cert and --key go together/);
  });

  it('asks for the password on a terminal, without echo', async () => {
    // `script` gives the CLI a terminal; the password is typed once the prompt shows.
    const command = [process.execPath, cli.main(), 'user', 'list', ...tlsFlags(), '--user', root().username].map((word) => `'${word}'`).join(' ');
    const terminal = new CliProcess(
      spawn('script', ['-qec', command, '--echo', 'never', '/dev/null'], {
        env: { ...process.env, ETCD_SERVERS: cluster().endpoints.join(',') },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      }),
    );
    try {
      await terminal.waitForStdout(/Password: $/, 'the password prompt');
      terminal.type(`${root().password}\r`);
      await terminal.waitForStdout(/^Password: \r?\nroot\r?\n$/, 'the users, listed with the typed password');
      expect(terminal.stdout).not.toContain(root().password);
    } finally {
      await terminal.kill();
    }
  });

  it('works inside --namespace, for every command', async () => {
    ok(await cli.run(['--namespace', 'app/', 'put', 'k', 'mine', ...secured()]));
    expect(ok(await etcdctl(['get', 'app/k', '--print-value-only'])).stdout).toBe('mine\n');
    ok(await etcdctl(['put', 'app/theirs', 'x']));
    ok(await etcdctl(['put', 'outside', 'y']));
    expect(ok(await cli.run(['get', '', '--prefix', '--keys-only', '--namespace', 'app/', ...secured()])).stdout).toBe('k\ntheirs\n');
    expect(ok(await cli.run(['--namespace=app/', 'del', '', '--from-key', ...secured()])).stdout).toBe('2\n');
    expect(ok(await etcdctl(['get', 'app/', '--prefix', '--keys-only'])).stdout).toBe('');
    const lock = cli.start(['lock', 'L', '--namespace', 'app/', ...secured()]);
    await lock.waitForStdout(/^L\//, 'the lock key, relative to the namespace');
    expect(ok(await etcdctl(['get', 'app/L/', '--prefix', '--keys-only'])).stdout).toMatch(/^app\/L\//);
    lock.interrupt();
    await lock.exited;
  });
});
