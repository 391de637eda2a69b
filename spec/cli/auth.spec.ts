import { useCluster } from '../support/cluster';
import { jsonLines, ok, useCli } from './support/cli';

describe('etcd-rx auth, user and role commands, round-tripping with etcdctl', () => {
  const cluster = useCluster(1);
  const cli = useCli(cluster);

  it('what etcd-rx grants, etcdctl shows, and the other way round', async () => {
    expect(ok(await cli.run(['user', 'add', 'alice:pw:1'])).stdout).toBe('User alice created\n');
    expect(ok(await cli.run(['role', 'add', 'reader'])).stdout).toBe('Role reader created\n');
    for (const args of [
      ['read', 'app/', '--prefix'],
      ['readwrite', 'k'],
      ['write', 'm', '--from-key'],
      ['READ', 'c', 'f'],
    ]) {
      expect(ok(await cli.run(['role', 'grant-permission', 'reader', ...args])).stdout).toBe('Role reader updated\n');
    }
    expect(ok(await cli.run(['user', 'grant-role', 'alice', 'reader'])).stdout).toBe('Role reader is granted to user alice\n');
    expect(ok(await cli.etcdctl(['user', 'get', 'alice'])).stdout).toBe('User: alice\nRoles: reader\n');
    expect(ok(await cli.etcdctl(['role', 'get', 'reader'])).stdout).toBe(
      'Role reader\nKV Read:\n\t[app/, app0) (prefix app/)\n\t[c, f)\n\tk\nKV Write:\n\tk\n\t[m, <open ended>\n',
    );

    ok(await cli.etcdctl(['user', 'add', 'bob:x']));
    ok(await cli.etcdctl(['role', 'add', 'writer']));
    ok(await cli.etcdctl(['role', 'grant-permission', 'writer', 'readwrite', '--prefix', 'b/']));
    ok(await cli.etcdctl(['user', 'grant-role', 'bob', 'writer']));
    expect(ok(await cli.run(['user', 'list'])).stdout).toBe('alice\nbob\n');
    expect(ok(await cli.run(['role', 'list'])).stdout).toBe('reader\nwriter\n');
    expect(ok(await cli.run(['user', 'get', 'bob'])).stdout).toBe('User: bob\nRoles: writer\n');
    expect(ok(await cli.run(['role', 'get', 'reader'])).stdout).toBe(
      'Role reader\nKV Read:\n\t[app/, …) (prefix app/)\n\t[c, f)\n\tk\nKV Write:\n\tk\n\t[m, <open ended>\n',
    );
    expect(jsonLines(ok(await cli.run(['role', 'get', 'writer', '-o', 'json'])))).toEqual([
      { role: 'writer', permissions: [{ type: 'readwrite', keys: { key: 'b/', prefix: true } }] },
    ]);
    expect(ok(await cli.run(['user', 'get', 'bob', '--detail'])).stdout).toBe(
      'User: bob\n\nRole writer\nKV Read:\n\t[b/, …) (prefix b/)\nKV Write:\n\t[b/, …) (prefix b/)\n',
    );

    expect(ok(await cli.run(['role', 'revoke-permission', 'writer', 'b/', '--prefix'])).stdout).toBe(
      'Permission of range [b/, …) (prefix b/) is revoked from role writer\n',
    );
    expect(ok(await cli.run(['user', 'revoke-role', 'bob', 'writer'])).stdout).toBe('Role writer is revoked from user bob\n');
    expect(ok(await cli.etcdctl(['role', 'get', 'writer'])).stdout).toBe('Role writer\nKV Read:\nKV Write:\n');
    expect(ok(await cli.etcdctl(['user', 'get', 'bob'])).stdout).toBe('User: bob\nRoles:\n');
    expect(ok(await cli.run(['user', 'delete', 'bob'])).stdout).toBe('User bob deleted\n');
    expect(ok(await cli.run(['role', 'delete', 'writer'])).stdout).toBe('Role writer deleted\n');
    expect(ok(await cli.etcdctl(['user', 'list'])).stdout).toBe('alice\n');

    const missing = await cli.run(['role', 'get', 'writer']);
    expect([missing.code, missing.stderr]).toEqual([1, 'etcd-rx: role writer not found\n']);
    expect((await cli.run(['role', 'grant-permission', 'reader', 'all', 'k'])).stderr).toMatch(/TYPE must be read, write or readwrite, got "all"/);
  });

  it('takes passwords from stdin without a terminal, and turns authentication on and off', async () => {
    ok(await cli.run(['user', 'add', 'root', '--new-user-password', 'root-pw']));
    ok(await cli.run(['user', 'grant-role', 'root', 'root']));
    expect(ok(await cli.run(['user', 'add', 'carol'], { input: 'first\n' })).stdout).toBe('User carol created\n');
    expect(ok(await cli.run(['user', 'passwd', 'carol', '--interactive=false'], { input: 'second\nignored\n' })).stdout).toBe('Password updated\n');
    ok(await cli.run(['user', 'grant-role', 'carol', 'reader']));
    expect(ok(await cli.run(['auth', 'enable'])).stdout).toBe('Authentication Enabled\n');
    try {
      expect(ok(await cli.etcdctl(['--user', 'carol:second', 'get', 'app/any'])).stderr).toBe('');
      expect(ok(await cli.etcdctl(['--user', 'alice:pw:1', 'get', 'app/any'])).stderr).toBe('');
      expect((await cli.etcdctl(['--user', 'carol:first', 'get', 'app/any'])).stderr).toMatch(/authentication failed/);
    } finally {
      ok(await cli.etcdctl(['--user', 'root:root-pw', 'auth', 'disable']));
    }
    ok(await cli.etcdctl(['auth', 'enable']));
    ok(await cli.etcdctl(['--user', 'root:root-pw', 'auth', 'disable']));
    for (const user of ['root', 'carol', 'alice']) ok(await cli.run(['user', 'delete', user]));
    ok(await cli.run(['role', 'delete', 'reader']));
  });
});
