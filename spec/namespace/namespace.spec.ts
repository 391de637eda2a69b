import { performance } from 'perf_hooks';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Compare, Etcd, EtcdDeadlineExceededError, EtcdInvalidArgumentError, KeyValue, Lock, MirrorState, Op, WatchBatch } from '../../src';
import { CampaignEvent } from '../../src/concurrency/types';
import { Recorder } from '../lease/helpers';
import { useClusterWithClients } from '../support/cluster';
import { startStallingProxy } from '../support/stalling-proxy';

const keys = (kvs: readonly KeyValue[]) => kvs.map((kv) => kv.key);

describe('namespaced views against a real etcd', () => {
  const { client } = useClusterWithClients(1);
  let etcd: Etcd;
  let a: Etcd;
  let b: Etcd;
  beforeAll(() => {
    etcd = client();
    a = etcd.namespace('a/');
    b = etcd.namespace('b/');
  });

  it('reads and writes relative keys under the prefix, and reaches nothing outside it', async () => {
    // Neighbours of a/ in byte order: "a" itself, "a.", "a0" (where a/ ends) and b/.
    for (const outside of ['a', 'a.x', 'a0', 'b/k']) await firstValueFrom(etcd.put(outside, 'outside'));
    await firstValueFrom(a.put('k', '1'));
    expect((await firstValueFrom(a.put('k', '2', { prevKv: true }))).prevKv.unwrap().key).toBe('k');
    await firstValueFrom(a.put('m/x', '3'));
    expect((await firstValueFrom(etcd.get('a/k'))).unwrap().value).toBe('2');
    expect((await firstValueFrom(a.get('k'))).unwrap().key).toBe('k');
    expect(await firstValueFrom(a.get('a/k'))).toEqual(expect.objectContaining({ none: true }));
    expect(keys((await firstValueFrom(a.range({ prefix: '' }))).kvs)).toEqual(['k', 'm/x']);
    expect(keys((await firstValueFrom(a.range({ from: 'l' }))).kvs)).toEqual(['m/x']);
    expect(keys((await firstValueFrom(a.range({ from: 'k', to: 'm/y' }))).kvs)).toEqual(['k', 'm/x']);
    expect((await firstValueFrom(a.range({ prefix: '' }, { countOnly: true }))).count).toBe(2);
    expect(keys(await lastValueFrom(a.list({ prefix: '' }, { pageSize: 1 }).pipe(toArray())))).toEqual(['k', 'm/x']);
    expect((await firstValueFrom(b.get('k'))).unwrap().value).toBe('outside');

    const txn = await firstValueFrom(
      a.txn({
        compare: [Compare.value('k', '==', '2'), Compare.version({ prefix: 'm/' }, '>', 0)],
        success: [Op.put('t', 'x', { prevKv: true }), Op.get({ prefix: '' }, { keysOnly: true }), Op.txn({ success: [Op.get('k')] })],
      }),
    );
    expect(txn.succeeded).toBe(true);
    const [, listed, inner] = txn.responses;
    expect(listed.type === 'range' && keys(listed.result.kvs)).toEqual(['k', 'm/x', 't']);
    expect(inner.type === 'txn' && inner.result.responses[0].type === 'range' && keys(inner.result.responses[0].result.kvs)).toEqual(['k']);
    expect((await firstValueFrom(a.compareAndSet('k', '3', { value: '2' }))).ok).toBe(true);

    const lease = await firstValueFrom(a.grantLease(60));
    await firstValueFrom(a.put('leased', 'v', { lease: lease.id }));
    await firstValueFrom(b.put('leased', 'v', { lease: lease.id }));
    expect((await firstValueFrom(a.timeToLive(lease.id, { keys: true }))).keys.map(String)).toEqual(['leased']);
    await firstValueFrom(a.revokeLease(lease.id));

    const deleted = await firstValueFrom(a.delete({ prefix: '' }, { prevKv: true }));
    expect(keys(deleted.prevKvs)).toEqual(['k', 'm/x', 't']);
    expect(keys((await firstValueFrom(etcd.range({ prefix: '' }))).kvs)).toEqual(['a', 'a.x', 'a0', 'b/k']);
    await firstValueFrom(etcd.delete({ prefix: '' }));
  });

  it('watches and mirrors only its own keys, shown relative', async () => {
    const watched = new Recorder<WatchBatch>(a.watch({ prefix: '' }, { prevKv: true }));
    const mirrored = new Recorder<MirrorState<KeyValue>>(a.mirror({ prefix: '' }));
    await mirrored.next(() => true, 'the first state of the mirror');
    await firstValueFrom(b.put('w', 'not mine'));
    await firstValueFrom(etcd.put('a0', 'outside'));
    await firstValueFrom(a.put('w', '1'));
    await firstValueFrom(a.put('w', '2'));
    const second = await watched.next((batch) => batch.events[0].kv.value === '2', 'the second write');
    expect(second.events[0].kv.key).toBe('w');
    expect(second.events[0].prevKv.unwrap().key).toBe('w');
    expect(watched.values.flatMap((batch) => batch.events.map((e) => `${e.kv.key}=${e.kv.value}`))).toEqual(['w=1', 'w=2']);
    const state = await mirrored.next((s) => s.entries.get('w')?.value === '2', 'the mirror to follow');
    expect([...state.entries.keys()]).toEqual(['w']);
    watched.unsubscribe();
    mirrored.unsubscribe();
    await firstValueFrom(etcd.delete({ prefix: '' }));
  });

  it('keeps locks and elections of two namespaces apart', async () => {
    const lockA = new Recorder<Lock>(a.lock('L', { ttl: 5 }));
    const lockB = new Recorder<Lock>(b.lock('L', { ttl: 5 }));
    const heldA = await lockA.next(() => true, 'the lock in a/');
    const heldB = await lockB.next(() => true, 'the lock in b/, at the same time');
    expect(heldA.key.startsWith('L/')).toBe(true);
    expect((await firstValueFrom(etcd.get(`a/${heldA.key}`))).some).toBe(true);
    expect((await firstValueFrom(heldB.txn({ success: [Op.put('guarded', 'x')] }))).ok).toBe(true);
    expect((await firstValueFrom(etcd.get('b/guarded'))).unwrap().value).toBe('x');

    const campaignA = new Recorder<CampaignEvent>(a.election('E').campaign('in a', { ttl: 5 }));
    const campaignB = new Recorder<CampaignEvent>(b.election('E').campaign('in b', { ttl: 5 }));
    await campaignA.next((e) => e.type === 'elected', 'a leader in a/');
    const elected = await campaignB.next((e) => e.type === 'elected', 'a leader in b/, at the same time');
    expect(elected.type === 'elected' && elected.leadership.key.startsWith('E/')).toBe(true);
    const leader = (await firstValueFrom(a.election('E').leader())).unwrap();
    expect([leader.value, leader.key.startsWith('E/')]).toEqual(['in a', true]);
    expect((await firstValueFrom(b.election('E').observe())).value).toBe('in b');
    for (const recorder of [lockA, lockB, campaignA, campaignB]) recorder.unsubscribe();
    await firstValueFrom(etcd.delete({ prefix: '' }));
  });

  it('nests, refuses an empty prefix, and closes with its client', async () => {
    const nested = a.namespace('n/');
    await firstValueFrom(nested.put('k', 'v'));
    expect((await firstValueFrom(etcd.get('a/n/k'))).unwrap().value).toBe('v');
    expect(keys((await firstValueFrom(a.range({ prefix: '' }))).kvs)).toEqual(['n/k']);
    expect(keys((await firstValueFrom(nested.range({ prefix: '' }))).kvs)).toEqual(['k']);
    expect(() => a.namespace('')).toThrow(EtcdInvalidArgumentError);

    const own = client();
    const watched = new Recorder<WatchBatch>(own.namespace('x/').watch('k'));
    await own.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(watched.completed).toBe(true);
    await firstValueFrom(etcd.delete({ prefix: '' }));
  });
});

describe('per-call options through a namespaced view', () => {
  const { cluster } = useClusterWithClients(1);

  it("keeps a call's own deadline, not the client's default", async () => {
    // A member hung as far as this client can tell: nothing it is sent is ever answered.
    const proxy = await startStallingProxy(cluster().endpoints[0]);
    const etcd = new Etcd({ endpoints: proxy.url, requestTimeoutMs: 20_000, deadlineMs: 60_000 });
    try {
      await firstValueFrom(etcd.namespace('p/').put('k', 'v'));
      proxy.hang();
      const started = performance.now();
      const error = await firstValueFrom(etcd.namespace('p/').get('k', { deadlineMs: 700 })).catch((e: unknown) => e);
      const tookMs = performance.now() - started;
      expect(error).toBeInstanceOf(EtcdDeadlineExceededError);
      expect((error as EtcdDeadlineExceededError).deadlineMs).toBe(700);
      // Generous: only the client's own request timeout (20 s) or deadline (60 s) would be this late.
      expect(tookMs).toBeLessThan(15_000);
      // Cluster and lease calls keep theirs too.
      for (const call of [
        etcd.leaderMember({ deadlineMs: 700 }),
        etcd.memberList({ deadlineMs: 700 }),
        etcd.grantLease(10, undefined, { deadlineMs: 700 }),
        etcd.leases({ deadlineMs: 700 }),
      ]) {
        const failed = await firstValueFrom<unknown>(call).catch((e: unknown) => e);
        expect((failed as EtcdDeadlineExceededError).deadlineMs).toBe(700);
      }
    } finally {
      await etcd.close();
      await proxy.close();
    }
  });
});
