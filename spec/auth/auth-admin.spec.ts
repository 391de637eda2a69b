import { firstValueFrom, lastValueFrom } from 'rxjs';
import { EtcdInvalidArgumentError, EtcdNotFoundError, None, Some } from '../../src';
import { ok, useCli } from '../cli/support/cli';
import { useClusterWithClients } from '../support/cluster';

describe('authentication administration against a real etcd, round-tripping with etcdctl', () => {
  const { cluster, client } = useClusterWithClients(1);
  const cli = useCli(cluster);

  it('manages users, roles and permissions that etcdctl reads, and reads what etcdctl wrote', async () => {
    const auth = client().auth;
    await lastValueFrom(auth.addUser('alice', 'alice-pw'));
    await lastValueFrom(auth.addRole('reader'));
    await lastValueFrom(auth.grantRole('alice', 'reader'));
    await lastValueFrom(auth.grantPermission('reader', 'read', { prefix: 'app/' }));
    await lastValueFrom(auth.grantPermission('reader', 'readwrite', 'k'));
    await lastValueFrom(auth.grantPermission('reader', 'write', { from: 'm' }));
    await lastValueFrom(auth.grantPermission('reader', 'read', { from: 'c', to: 'f' }));
    expect(ok(await cli.etcdctl(['user', 'get', 'alice'])).stdout).toBe('User: alice\nRoles: reader\n');
    expect(ok(await cli.etcdctl(['role', 'get', 'reader'])).stdout).toBe(
      'Role reader\nKV Read:\n\t[app/, app0) (prefix app/)\n\t[c, f)\n\tk\nKV Write:\n\tk\n\t[m, <open ended>\n',
    );

    ok(await cli.etcdctl(['user', 'add', 'bob:bob-pw']));
    ok(await cli.etcdctl(['role', 'add', 'writer']));
    ok(await cli.etcdctl(['role', 'grant-permission', 'writer', 'readwrite', '--prefix', 'b/']));
    ok(await cli.etcdctl(['role', 'grant-permission', 'writer', 'read', '--prefix', '']));
    ok(await cli.etcdctl(['user', 'grant-role', 'bob', 'writer']));
    expect(await firstValueFrom(auth.users())).toEqual(['alice', 'bob']);
    expect(await firstValueFrom(auth.roles())).toEqual(['reader', 'writer']);
    expect(await firstValueFrom(auth.user('bob'))).toEqual(Some({ name: 'bob', roles: ['writer'] }));
    expect(await firstValueFrom(auth.role('writer'))).toEqual(
      Some({
        name: 'writer',
        permissions: [
          { type: 'read', keys: { prefix: '' } },
          { type: 'readwrite', keys: { prefix: 'b/' } },
        ],
      }),
    );

    await lastValueFrom(auth.revokePermission('writer', { prefix: 'b/' }));
    await lastValueFrom(auth.revokeRole('bob', 'writer'));
    expect(ok(await cli.etcdctl(['user', 'get', 'bob'])).stdout).toBe('User: bob\nRoles:\n');
    ok(await cli.etcdctl(['role', 'revoke-permission', 'reader', 'k']));
    ok(await cli.etcdctl(['user', 'revoke-role', 'alice', 'reader']));
    expect((await firstValueFrom(auth.role('reader'))).unwrap().permissions.map((p) => p.keys)).toEqual([
      { prefix: 'app/' },
      { from: 'c', to: 'f' },
      { from: 'm' },
    ]);
    expect((await firstValueFrom(auth.user('alice'))).unwrap().roles).toEqual([]);

    await lastValueFrom(auth.deleteUser('bob'));
    await lastValueFrom(auth.deleteRole('writer'));
    ok(await cli.etcdctl(['user', 'delete', 'alice']));
    ok(await cli.etcdctl(['role', 'delete', 'reader']));
    expect(await firstValueFrom(auth.users())).toEqual([]);
    expect(await firstValueFrom(auth.roles())).toEqual([]);
  });

  it('answers None for a user or role that does not exist, and refuses bad input without a call', async () => {
    const auth = client().auth;
    expect(await firstValueFrom(auth.user('nobody'))).toBe(None);
    expect(await firstValueFrom(auth.role('nothing'))).toBe(None);
    await expect(lastValueFrom(auth.deleteUser('nobody'))).rejects.toThrow(EtcdNotFoundError);
    await expect(lastValueFrom(auth.addUser('', 'pw'))).rejects.toThrow(/user name must be a non-empty string/);
    await expect(lastValueFrom(auth.addUser('x', ''))).rejects.toThrow(EtcdInvalidArgumentError);
    await expect(lastValueFrom(auth.grantPermission('r', 'everything' as never, 'k'))).rejects.toThrow(/permission type must be one of read, write, readwrite/);
  });

  it('turns authentication on; passwords set here log in with etcdctl', async () => {
    const auth = client().auth;
    await lastValueFrom(auth.addUser('root', 'root-pw'));
    await lastValueFrom(auth.grantRole('root', 'root'));
    await lastValueFrom(auth.addUser('carol', 'first'));
    await lastValueFrom(auth.changePassword('carol', 'second'));
    await lastValueFrom(auth.addUser('dave', { noPassword: true }));
    await lastValueFrom(auth.enable());
    try {
      expect(ok(await cli.etcdctl(['--user', 'carol:second', 'user', 'get', 'carol'])).stdout).toBe('User: carol\nRoles:\n');
      expect((await cli.etcdctl(['--user', 'carol:first', 'user', 'get', 'carol'])).stderr).toMatch(/authentication failed/);
      expect((await cli.etcdctl(['user', 'list'])).stderr).toMatch(/user name is empty/);
    } finally {
      ok(await cli.etcdctl(['--user', 'root:root-pw', 'auth', 'disable']));
    }
    for (const user of ['root', 'carol', 'dave']) await lastValueFrom(auth.deleteUser(user));
  });
});
