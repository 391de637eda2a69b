/**
 * Cluster administration against a real 3-member cluster: a member joins as a learner, is
 * promoted and removed; defragmentation, hashes, leadership moves, a snapshot restored into a new
 * member, and STM under contention.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { firstValueFrom, lastValueFrom, map, switchMap, toArray } from 'rxjs';
import { Etcd, EtcdInvalidArgumentError, Member, StmConflictError } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

describe('cluster administration on a real 3-member cluster', () => {
  const { cluster, client } = useClusterWithClients(3);
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-admin-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defragments every member one at a time, and all hash their store alike', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('admin/hash', 'x'));
    const done = await lastValueFrom(etcd.defragment().pipe(toArray()));
    expect(done.map((d) => d.endpoint)).toEqual(etcd.endpoints);
    const { revision } = (await firstValueFrom(etcd.range('admin/hash'))).header;
    const hashes = await Promise.all(etcd.endpoints.map((e) => firstValueFrom(etcd.hashKv(e, { revision }))));
    expect(new Set(hashes.map((h) => h.hash)).size).toBe(1);
    expect(hashes[0].hash).toBeGreaterThan(0);
    expect(hashes.map((h) => h.endpoint)).toEqual(etcd.endpoints);
    const statuses = await firstValueFrom(etcd.endpointStatuses());
    expect(statuses.map((s) => s.ok && s.val.endpoint)).toEqual(etcd.endpoints);
    const health = await firstValueFrom(etcd.endpointHealth());
    expect(health.map((h) => [h.endpoint, h.health])).toEqual(etcd.endpoints.map((e) => [e, true]));
  });

  it('moves the leadership to a follower', async () => {
    const etcd = client();
    const before = await firstValueFrom(etcd.leaderMember());
    const target = (await firstValueFrom(etcd.memberList())).members.find((m) => m.id !== before.id) as Member;
    await firstValueFrom(etcd.moveLeader(target.id));
    await waitFor(async () => (await firstValueFrom(etcd.leaderMember())).id === target.id, 'the new leader');
  });

  it('saves a checked snapshot that etcdctl restores into a new member serving the same keys', async () => {
    const etcd = client();
    for (let i = 0; i < 20; i++) await firstValueFrom(etcd.put(`snap/${i}`, `value ${i}`));
    const file = path.join(dir, 'backup.db');
    const saved = await firstValueFrom(etcd.saveSnapshot(file));
    expect(saved.size).toBe(fs.statSync(file).size);
    expect(fs.existsSync(`${file}.part`)).toBe(false);
    const restored = await cluster().newMember('restored');
    execFileSync(
      'etcdctl',
      [
        'snapshot',
        'restore',
        file,
        '--data-dir',
        restored.dataDir,
        '--name',
        restored.name,
        '--initial-cluster',
        `${restored.name}=${restored.peerUrl}`,
        '--initial-advertise-peer-urls',
        restored.peerUrl,
      ],
      { stdio: 'ignore' },
    );
    restored.launch('existing');
    await restored.waitReady();
    const copy = new Etcd({ endpoints: restored.clientUrl });
    try {
      const keys = await lastValueFrom(
        copy.list({ prefix: 'snap/' }).pipe(
          map((kv) => `${kv.key}=${kv.value}`),
          toArray(),
        ),
      );
      expect(keys.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `snap/${i}=value ${i}`).sort());
    } finally {
      await copy.close();
      await restored.kill();
    }
  });

  it('refuses a damaged snapshot stream and leaves no file', async () => {
    const etcd = client();
    const chunks = await lastValueFrom(etcd.snapshot().pipe(toArray()));
    const whole = Buffer.concat(chunks.map((c) => c.bytes));
    expect(whole.length).toBeGreaterThan(32);
    await expect(firstValueFrom(etcd.saveSnapshot(path.join(dir, 'x.db'), { endpoint: 'http://127.0.0.1:1' }))).rejects.toThrow(
      /not one of this client's endpoints/,
    );
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('x.db'))).toEqual([]);
  });

  it('STM: concurrent clients incrementing shared counters end exact', async () => {
    const clients = Array.from({ length: 4 }, () => client());
    const rounds = 8;
    const increment = (etcd: Etcd, isolation: 'serializable-snapshot' | 'repeatable-read') =>
      etcd.stm(
        (tx) =>
          tx.get('stm/a').pipe(
            map((a) => {
              const n = Number(a.unwrapOr('0'));
              tx.put('stm/a', String(n + 1));
              return n + 1;
            }),
          ),
        { isolation },
      );
    await Promise.all(
      clients.map(async (etcd, i) => {
        for (let r = 0; r < rounds; r++) await lastValueFrom(increment(etcd, i % 2 === 0 ? 'serializable-snapshot' : 'repeatable-read'));
      }),
    );
    expect((await firstValueFrom(clients[0].get('stm/a'))).unwrap().value).toBe(String(clients.length * rounds));
    const oneTry = clients[0].stm(
      (tx) =>
        tx.get('stm/a').pipe(
          switchMap(() => {
            tx.put('stm/a', '0');
            // Another writer slips in between the read and the commit, every time.
            return lastValueFrom(clients[1].put('stm/a', 'other'));
          }),
        ),
      { maxAttempts: 2 },
    );
    await expect(lastValueFrom(oneTry)).rejects.toBeInstanceOf(StmConflictError);
  });

  it('adds a member as a learner, starts it, promotes it and removes it', async () => {
    const etcd = client();
    const joining = await cluster().newMember('joining');
    // etcd refuses membership changes until every member has been connected for 5 s.
    const added = await eventually(() => firstValueFrom(etcd.addMember(joining.peerUrl, { learner: true })), /unhealthy cluster/);
    expect(added.member).toMatchObject({ peerUrls: [joining.peerUrl], isLearner: true, name: '' });
    expect(added.members).toHaveLength(4);
    joining.launch('existing', initialCluster(added.members, added.member.id, joining));
    await joining.waitReady();
    const listed = (await firstValueFrom(etcd.memberList())).members;
    expect(listed.find((m) => m.id === added.member.id)).toMatchObject({ name: 'joining', clientUrls: [joining.clientUrl], isLearner: true });
    // etcd refuses to promote a learner that has not caught up yet: ask until it has.
    await eventually(() => lastValueFrom(etcd.promoteMember(added.member.id)), /not in sync|unhealthy cluster/);
    expect((await firstValueFrom(etcd.memberList())).members.find((m) => m.id === added.member.id)?.isLearner).toBe(false);
    const updated = await firstValueFrom(etcd.updateMember(added.member.id, [joining.peerUrl]));
    expect(updated.members).toHaveLength(4);
    const removed = await eventually(() => firstValueFrom(etcd.removeMember(added.member.id)), /unhealthy cluster/);
    expect(removed.members.map((m) => m.id)).not.toContain(added.member.id);
    await joining.kill();
    await expect(firstValueFrom(etcd.removeMember(added.member.id))).rejects.toThrow(/member not found/);
    await expect(firstValueFrom(etcd.addMember('not a url'))).rejects.toBeInstanceOf(EtcdInvalidArgumentError);
  });
});

function initialCluster(members: readonly Member[], newId: string, joining: { name: string; peerUrl: string }): string {
  return members.map((m) => `${m.id === newId ? joining.name : m.name}=${m.peerUrls[0]}`).join(',');
}

/** Runs `attempt` until it stops failing with an error matching `passing` (a rule of etcd's that time lifts). */
async function eventually<T>(attempt: () => Promise<T>, passing: RegExp): Promise<T> {
  let result: T | undefined;
  await waitFor(
    () =>
      attempt().then(
        (value) => ((result = value), true),
        (e: Error) => (passing.test(e.message) ? false : Promise.reject(e)),
      ),
    `etcd to stop answering ${passing}`,
  );
  return result as T;
}

describe('alarms on a real member with a tiny backend quota', () => {
  const { client } = useClusterWithClients(1, { extraArgs: ['--quota-backend-bytes', String(256 * 1024)] });

  it('raises NOSPACE when the quota is full, and writes work again once space is freed and the alarm disarmed', async () => {
    const etcd = client();
    const big = 'x'.repeat(32 * 1024);
    let full: unknown;
    for (let i = 0; i < 100 && full === undefined; i++) await firstValueFrom(etcd.put(`fill/${i % 4}`, big)).catch((e: unknown) => (full = e));
    expect(String(full)).toMatch(/database space exceeded/);
    const [alarm] = (await firstValueFrom(etcd.alarms())).alarms;
    expect(alarm).toEqual({ memberId: (await firstValueFrom(etcd.memberList())).members[0].id, alarm: 'NOSPACE' });
    const { revision } = (await firstValueFrom(etcd.range('fill/0'))).header;
    await firstValueFrom(etcd.compact(revision, { physical: true }));
    await lastValueFrom(etcd.defragment());
    expect((await firstValueFrom(etcd.disarmAlarms())).alarms).toEqual([alarm]);
    expect((await firstValueFrom(etcd.alarms())).alarms).toEqual([]);
    await firstValueFrom(etcd.put('fill/after', 'ok'));
  });
});
