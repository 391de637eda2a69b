/**
 * `list` fetches the parts of a listing in parallel at the revision of its first page: whatever
 * the keys look like, every key comes once and in order; a write made meanwhile is never seen;
 * unsubscribing cancels the pages in flight; a revision compacted meanwhile fails it clearly.
 */
import { firstValueFrom, from, lastValueFrom, mergeMap, Observable, Subscription, toArray } from 'rxjs';
import { CallEndMessage, CallStartMessage, DIAGNOSTICS_CHANNELS, Etcd, EtcdCompactedError, KeyValue, Op } from '../../src';
import { useCluster } from '../support/cluster';
import { listen } from '../support/diagnostics';
import { waitFor } from '../support/wait';

describe('whole listings fetched in parallel against a real etcd', () => {
  const cluster = useCluster(1);
  let etcd: Etcd;
  beforeAll(() => {
    etcd = new Etcd({ endpoints: cluster().endpoints });
  });
  afterAll(() => etcd.close());

  /** Writes the keys, 100 to a transaction, four transactions at a time. */
  const write = async (keys: readonly Buffer[], value = 'v') => {
    const batches = Array.from({ length: Math.ceil(keys.length / 100) }, (_, b) => keys.slice(b * 100, b * 100 + 100).map((key) => Op.put(key, value)));
    await lastValueFrom(
      from(batches).pipe(
        mergeMap((puts) => etcd.txn({ success: puts }), 4),
        toArray(),
      ),
    );
  };
  const keysOf = (listing: Observable<KeyValue>) => lastValueFrom(listing.pipe(toArray())).then((kvs) => kvs.map((kv) => kv.keyBuffer.toString('hex')));
  const sorted = (keys: readonly Buffer[]) => [...keys].sort(Buffer.compare).map((key) => key.toString('hex'));

  it('lists keys of every shape once each, in order, however they cluster', async () => {
    const prefix = 'shapes/';
    const keys = [
      // Dense digits, sparse words, binary bytes, long and short keys, all under one prefix.
      ...Array.from({ length: 1500 }, (_, i) => `${prefix}n/${String(i).padStart(7, '0')}`),
      ...Array.from({ length: 300 }, (_, i) => `${prefix}${'w'.repeat(1 + (i % 40))}/${(i * 7919).toString(36)}`),
      ...Array.from({ length: 200 }, (_, i) =>
        Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, i % 256, 0x00, (i * 13) % 256]), Buffer.from(String(i))]),
      ),
      `${prefix}`,
      `${prefix}\u00ff\u00ff`,
    ].map((key) => (typeof key === 'string' ? Buffer.from(key) : key));
    await write(keys);
    for (const pageSize of [1, 7, 100, 1000, 5000]) {
      expect(await keysOf(etcd.list({ prefix }, { pageSize }))).toEqual(sorted(keys));
    }
    expect(await keysOf(etcd.list({ from: `${prefix}n/0000100`, to: `${prefix}w` }, { pageSize: 50 }))).toEqual(
      sorted(keys.filter((key) => Buffer.compare(key, Buffer.from(`${prefix}n/0000100`)) >= 0 && Buffer.compare(key, Buffer.from(`${prefix}w`)) < 0)),
    );
  });

  it('lists every key of the key space from a start key, cut at the end of the key space', async () => {
    const keys = Array.from({ length: 600 }, (_, i) => Buffer.from([0xfe, (i >> 8) & 0xff, i & 0xff]));
    await write(keys);
    expect(await keysOf(etcd.list({ from: Buffer.from([0xfe]) }, { pageSize: 20 }))).toEqual(sorted(keys));
  });

  it('reads every part at the revision of the first page while a writer adds and changes keys all over the range', async () => {
    const prefix = 'moving/';
    const keys = Array.from({ length: 3000 }, (_, i) => Buffer.from(`${prefix}${String(i).padStart(5, '0')}`));
    await write(keys, 'old');
    // The writer's n-th write goes to key (n * 1543 mod 3000), all over the range, alternately a new key next to it and a new value.
    let writes = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const at = `${prefix}${String((writes * 1543) % 3000).padStart(5, '0')}`;
        await firstValueFrom(writes % 2 === 0 ? etcd.put(`${at}+${writes}`, 'new') : etcd.put(at, `new ${writes}`));
        writes++;
      }
    })();
    try {
      await waitFor(() => writes >= 5, 'the writer to get going');
      const listed = await lastValueFrom(etcd.list({ prefix }, { pageSize: 10 }).pipe(toArray()));
      const atStart = listed.reduce((revision, kv) => Math.max(revision, kv.modRevision), 0);
      // What one range at that revision answers: the listing saw neither more nor less, nor later values.
      const snapshot = await firstValueFrom(etcd.range({ prefix }, { revision: atStart }));
      expect(listed.map((kv) => [kv.key, kv.value])).toEqual(snapshot.kvs.map((kv) => [kv.key, kv.value]));
      expect(writes).toBeGreaterThan(5);
    } finally {
      writing = false;
      await writer;
    }
  });

  it('cancels the pages in flight when unsubscribed, and asks for no more', async () => {
    const prefix = 'cancel/';
    const all = Array.from({ length: 4000 }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
    await write(all.map((key) => Buffer.from(key)));
    const keys: string[] = [];
    let listing: Subscription | undefined;
    let ranges = 0;
    let rangesWhenUnsubscribed: number | undefined;
    // Unsubscribed a microtask after the third range request went out: no answer can have come yet.
    const starts = listen<CallStartMessage>(DIAGNOSTICS_CHANNELS.callStart, (start) => {
      if (start.method !== 'range' || ++ranges !== 3) return;
      queueMicrotask(() => {
        listing?.unsubscribe();
        rangesWhenUnsubscribed = ranges;
      });
    });
    const ends = listen<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd);
    try {
      listing = etcd.list({ prefix }, { pageSize: 10 }).subscribe((kv) => keys.push(kv.key));
      await waitFor(
        () => rangesWhenUnsubscribed !== undefined && ends.messages.length === starts.messages.length,
        'the listing unsubscribed, every request ended',
      );
      expect(ends.messages.some((end) => end.cancelled === true)).toBe(true);
      expect(keys).toEqual(all.slice(0, keys.length));
      // A round trip later, still nothing new: the listing asks for nothing once unsubscribed.
      const madeAtTheEnd = starts.messages.length;
      await firstValueFrom(etcd.get(all[0]));
      expect(ranges).toBe(rangesWhenUnsubscribed! + 1);
      expect(starts.messages.length).toBe(madeAtTheEnd + 1);
    } finally {
      starts.stop();
      ends.stop();
    }
  });

  it('fails with EtcdCompactedError when its revision is compacted away between pages', async () => {
    const prefix = 'compacted/';
    await write(Array.from({ length: 2000 }, (_, i) => Buffer.from(`${prefix}${String(i).padStart(5, '0')}`)));
    let compacting: Promise<unknown> | undefined;
    const listed: KeyValue[] = [];
    const error = await new Promise<unknown>((resolve) => {
      etcd.list({ prefix }, { pageSize: 10 }).subscribe({
        next: (kv) => {
          listed.push(kv);
          // Once the first page is here, a write and a compaction up to it: the listing's revision is gone.
          compacting ??= firstValueFrom(etcd.put(`${prefix}later`, 'x')).then((put) => firstValueFrom(etcd.compact(put.revision)));
        },
        error: resolve,
        complete: () => resolve(undefined),
      });
    });
    await compacting;
    expect(error).toBeInstanceOf(EtcdCompactedError);
    expect(listed.length).toBeLessThan(2000);
    expect(listed.every((kv) => kv.key !== `${prefix}later`)).toBe(true);
  });
});
