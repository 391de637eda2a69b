import { firstValueFrom, lastValueFrom } from 'rxjs';
import { Compare, Etcd, EtcdInvalidArgumentError, LeaseLostError, Lock, Op } from '../../src';
import { ChildClient, Recorder } from '../lease/helpers';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

describe('locks against a real 3-member cluster', () => {
  // Each client starts on a different member, so the queue is shared through the cluster.
  const { cluster, client } = useClusterWithClients(3);
  let etcd: Etcd;
  beforeAll(() => {
    etcd = client();
  });

  const waiters = async (name: string) => (await firstValueFrom(etcd.range({ prefix: `${name}/` }))).count;

  it('gives mutual exclusion: 10 clients incrementing a counter 50 times each end at exactly 500, with strictly increasing fencing tokens', async () => {
    const tokens: number[] = [];
    let inside = 0;
    let overlaps = 0;
    const increments = async (c: Etcd) => {
      for (let i = 0; i < 50; i++) {
        await lastValueFrom(
          c.withLock(
            'mutex/counter',
            async (lock) => {
              if (++inside > 1) overlaps++;
              tokens.push(lock.fencingToken);
              // A plain read-modify-write: only the lock keeps increments from being lost.
              const current = await firstValueFrom(c.get('mutex/value'));
              await firstValueFrom(c.put('mutex/value', String((current.some ? Number(current.val.value) : 0) + 1)));
              inside--;
            },
            { ttl: 5 },
          ),
        );
      }
    };
    await Promise.all(Array.from({ length: 10 }, () => increments(client())));
    expect((await firstValueFrom(etcd.get('mutex/value'))).unwrap().value).toBe('500');
    expect(overlaps).toBe(0);
    expect(tokens).toHaveLength(500);
    expect(tokens.filter((t, i) => i > 0 && t <= tokens[i - 1])).toEqual([]);
    // withLock completes only once its lock is released: nothing is left behind.
    expect(await waiters('mutex/counter')).toBe(0);
  }, 300_000);

  it('serves waiters in order of arrival, and a waiter that unsubscribes gives up its place', async () => {
    const holder = new Recorder<Lock>(client().lock('queue', { ttl: 5 }));
    await holder.next(() => true, 'the holder');
    const second = new Recorder<Lock>(client().lock('queue', { ttl: 5 }));
    await waitFor(async () => (await waiters('queue')) === 2, 'the second waiter to queue');
    const quitter = new Recorder<Lock>(client().lock('queue', { ttl: 5 }));
    await waitFor(async () => (await waiters('queue')) === 3, 'the third waiter to queue');
    const third = new Recorder<Lock>(client().lock('queue', { ttl: 5 }));
    await waitFor(async () => (await waiters('queue')) === 4, 'the fourth waiter to queue');

    quitter.unsubscribe();
    await waitFor(async () => (await waiters('queue')) === 3, 'the quitter to leave the queue');
    holder.unsubscribe();
    const secondLock = await second.next(() => true, 'the second waiter to acquire');
    expect(third.values).toEqual([]);
    second.unsubscribe();
    const thirdLock = await third.next(() => true, 'the third waiter to acquire');
    expect(thirdLock.fencingToken).toBeGreaterThan(secondLock.fencingToken);
    expect(secondLock.fencingToken).toBeGreaterThan(holder.values[0].fencingToken);
    expect(quitter.values).toEqual([]);
    third.unsubscribe();
    await waitFor(async () => (await waiters('queue')) === 0, 'the queue to empty');
  });

  it('makes writes conditional on holding: txn and ifHeld apply while held and are refused after release', async () => {
    const held = new Recorder<Lock>(etcd.lock('fenced', { ttl: 5 }));
    const lock = await held.next(() => true, 'the lock');
    expect(lock.key.startsWith('fenced/')).toBe(true);
    const written = await firstValueFrom(lock.txn({ compare: [Compare.version('fenced-data', '==', 0)], success: [Op.put('fenced-data', '1')] }));
    expect(written.ok && written.val.succeeded).toBe(true);
    const own = await firstValueFrom(etcd.txn({ compare: [lock.ifHeld()], success: [Op.put('fenced-data', '2')] }));
    expect(own.succeeded).toBe(true);

    held.unsubscribe();
    await waitFor(async () => (await waiters('fenced')) === 0, 'the release');
    const refused = await firstValueFrom(lock.txn({ success: [Op.put('fenced-data', 'stale')] }));
    expect(refused.err).toBe(true);
    expect((await firstValueFrom(etcd.txn({ compare: [lock.ifHeld()], success: [Op.put('fenced-data', 'stale')] }))).succeeded).toBe(false);
    expect((await firstValueFrom(etcd.get('fenced-data'))).unwrap().value).toBe('2');
  });

  it('fails with LeaseLostError when its lease is revoked elsewhere, or its key deleted', async () => {
    const revoked = new Recorder<Lock>(client().lock('lost-lease', { ttl: 3 }));
    const first = await revoked.next(() => true, 'the lock');
    await firstValueFrom(etcd.revokeLease(first.leaseId));
    const gone = await revoked.failure('the loss');
    expect(gone).toBeInstanceOf(LeaseLostError);
    expect((gone as LeaseLostError).reason).toBe('gone');

    const deleted = new Recorder<Lock>(client().lock('lost-key', { ttl: 3 }));
    const second = await deleted.next(() => true, 'the lock');
    await firstValueFrom(etcd.delete(second.key));
    const lost = await deleted.failure('the loss');
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect((lost as LeaseLostError).reason).toBe('key-deleted');
    await waitFor(async () => (await firstValueFrom(etcd.timeToLive(second.leaseId))).ttl === -1, 'its lease to be revoked');
  });

  it('refuses an empty lock name and a bad TTL before sending anything', async () => {
    await expect(firstValueFrom(etcd.lock(''))).rejects.toThrow(/lock name must not be empty/);
    await expect(firstValueFrom(etcd.lock('x', { ttl: 0 }))).rejects.toBeInstanceOf(EtcdInvalidArgumentError);
  });

  it('when a holder process is frozen past its TTL, another waiter acquires; the resumed holder is told, and its fenced write is refused', async () => {
    const endpoints = cluster().endpoints.join(',');
    const child = ChildClient.start('lock/fixtures/hold-lock.ts', [endpoints, 'frozen', '3', 'frozen-data']);
    try {
      const acquired = await child.report('acquired', 'the child to acquire');
      await child.report('write', 'a first fenced write by the child', 30_000, (r) => r.ok === true);
      const waiter = new Recorder<Lock>(etcd.lock('frozen', { ttl: 3 }));
      await waitFor(async () => (await waiters('frozen')) === 2, 'the waiter to queue');

      child.freeze();
      const lock = await waiter.next(() => true, 'the waiter to acquire while the holder is frozen');
      expect(lock.fencingToken).toBeGreaterThan(Number(acquired.token));
      expect((await firstValueFrom(lock.txn({ success: [Op.put('frozen-data', 'waiter')] }))).ok).toBe(true);
      const { modRevision } = (await firstValueFrom(etcd.get('frozen-data'))).unwrap();

      child.resume();
      const lost = await child.report('lost', 'the resumed holder to report the loss');
      expect(lost.error).toBe('LeaseLostError');
      // Its own deadline told it, before any answer from the server could.
      expect(lost.reason).toBe('unreachable');
      const stale = await child.report('stale-write', 'the stale fenced write');
      expect(stale.ok).toBe(false);
      const data = (await firstValueFrom(etcd.get('frozen-data'))).unwrap();
      expect(data.value).toBe('waiter');
      expect(data.modRevision).toBe(modRevision);
      waiter.unsubscribe();
    } finally {
      await child.kill();
    }
  }, 120_000);
});
