import { useCluster } from '../support/cluster';
import { spawn } from 'child_process';
import { CliProcess, ok, useCli } from './support/cli';

describe('etcd-rx on a cluster with authentication, round-tripping with etcdctl', () => {
  const cluster = useCluster(1, { auth: true });
  const cli = useCli(cluster);
  const root = () => {
    const credentials = cluster().rootCredentials;
    if (credentials === undefined) throw new Error('the cluster has no root user');
    return credentials;
  };
  const rootUser = () => `${root().username}:${root().password}`;
  const etcdctl = (args: readonly string[], input?: string) => cli.etcdctl(['--user', rootUser(), ...args], { input });
  const NO_CREDENTIALS = { ETCDCTL_USER: undefined, ETCDCTL_PASSWORD: undefined };

  it('takes --user and --password before or after the command, and $ETCDCTL_USER and $ETCDCTL_PASSWORD', async () => {
    ok(await cli.run(['--user', rootUser(), 'put', 'flags/before', '1']));
    ok(await cli.run(['put', 'flags/after', '2', '--user', root().username, '--password', root().password]));
    ok(await cli.run(['put', 'flags/env', '3'], { env: { ETCDCTL_USER: root().username, ETCDCTL_PASSWORD: root().password } }));
    ok(await cli.run(['put', 'flags/env-inline', '4'], { env: { ETCDCTL_USER: rootUser(), ETCDCTL_PASSWORD: undefined } }));
    // In key order: after, before, env, env-inline.
    expect(ok(await etcdctl(['get', 'flags/', '--prefix', '--print-value-only'])).stdout).toBe('2\n1\n3\n4\n');
    ok(await etcdctl(['put', 'flags/theirs', 'x']));
    expect(ok(await cli.run(['get', 'flags/theirs', '--user', rootUser()])).stdout).toBe('flags/theirs\nx\n');
    // A flag wins over its variable.
    expect(ok(await cli.run(['get', 'flags/theirs', '--user', rootUser()], { env: { ETCDCTL_USER: 'nobody:wrong' } })).stdout).toBe('flags/theirs\nx\n');
  });

  it('refuses what cannot log in, saying why, without showing the password', async () => {
    const wrong = await cli.run(['get', 'k', '--user', 'root:not-the-password'], { env: NO_CREDENTIALS });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/authentication failed/);
    expect(wrong.stderr).not.toMatch(/not-the-password/);
    const none = await cli.run(['get', 'k'], { env: NO_CREDENTIALS });
    expect(none.stderr).toMatch(/user name is empty|authentication/);
    expect((await cli.run(['get', 'k', '--user', 'root'], { env: NO_CREDENTIALS })).stderr).toMatch(/--user root needs a password: --user root:PASSWORD, --password or \$ETCDCTL_PASSWORD/);
    expect((await cli.run(['get', 'k', '--password', 'x'], { env: NO_CREDENTIALS })).stderr).toMatch(/--password needs --user/);
  });

  it('asks for the password on a terminal, without echo', async () => {
    // `script` gives the CLI a terminal; the password is typed once the prompt shows.
    const command = `'${process.execPath}' '${cli.main()}' user list --user ${root().username}`;
    const terminal = new CliProcess(spawn('script', ['-qec', command, '--echo', 'never', '/dev/null'], { env: { ...process.env, ETCD_SERVERS: cluster().endpoints.join(',') }, stdio: ['pipe', 'pipe', 'pipe'], detached: true }));
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
    ok(await cli.run(['--namespace', 'app/', 'put', 'k', 'mine', '--user', rootUser()]));
    expect(ok(await etcdctl(['get', 'app/k', '--print-value-only'])).stdout).toBe('mine\n');
    ok(await etcdctl(['put', 'app/theirs', 'x']));
    ok(await etcdctl(['put', 'outside', 'y']));
    expect(ok(await cli.run(['get', '', '--prefix', '--keys-only', '--namespace', 'app/', '--user', rootUser()])).stdout).toBe('k\ntheirs\n');
    expect(ok(await cli.run(['--namespace=app/', 'del', '', '--from-key', '--user', rootUser()])).stdout).toBe('2\n');
    expect(ok(await etcdctl(['get', '', '--prefix', '--keys-only'])).stdout).toMatch(/^flags\/.*outside\n\n$/s);
    const lock = cli.start(['lock', 'L', '--namespace', 'app/', '--user', rootUser()]);
    await lock.waitForStdout(/^L\//, 'the lock key, relative to the namespace');
    expect(ok(await etcdctl(['get', 'app/L/', '--prefix', '--keys-only'])).stdout).toMatch(/^app\/L\//);
    lock.interrupt();
    await lock.exited;
  });
});
