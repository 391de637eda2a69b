/**
 * Coalesced reads and writes against a real 3-member cluster: each caller gets its own answer
 * or error, writes made while a write is in flight share one revision, and a batch whose member
 * dies mid-flight fails or succeeds as a whole.
 */
import * as fs from 'fs';
import { firstValueFrom, forkJoin, lastValueFrom, materialize, Observable, take, toArray } from 'rxjs';
import { Etcd, EtcdNotFoundError, EtcdOutcomeUnknownError, EtcdRequestTooLargeError } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

/** Every notification of an Observable: its value, or the error it failed with. */
function outcome<T>(source: Observable<T>): Promise<{ value?: T; error?: unknown }> {
  return lastValueFrom(source.pipe(materialize(), toArray())).then((notes) => {
    const next = notes.find((n) => n.kind === 'N');
    const error = notes.find((n) => n.kind === 'E');
    return { value: next?.kind === 'N' ? next.value : undefined, error: error?.kind === 'E' ? error.error : undefined };
  });
}

/** Bytes a member has received on its client port but not read (a frozen member reads nothing). */
function unreadBytesAt(clientUrl: string): number {
  const port = `:${Number(new URL(clientUrl).port).toString(16).toUpperCase().padStart(4, '0')}`;
  let unread = 0;
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length > 4 && fields[1].endsWith(port)) unread += parseInt(fields[4].split(':')[1], 16);
  }
  return unread;
}

describe('coalescing against real etcd', () => {
  const { cluster, client, clientPreferring } = useClusterWithClients(3);
  const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}/${i}`);

  it('answers each of a burst of 300 reads (some asked twice, some absent) with its own key', async () => {
    const etcd = client();
    const written = keys('co/read', 250);
    await lastValueFrom(forkJoin(written.map((key) => etcd.put(key, `value of ${key}`))));
    const asked = [...written, ...written.slice(0, 30), 'co/read/absent', ...keys('co/absent', 19)];
    const answers = await lastValueFrom(forkJoin(asked.map((key) => etcd.get(key))));
    answers.forEach((answer, i) => {
      if (i < 280) expect(answer.some && answer.val.key === asked[i] && answer.val.value).toBe(`value of ${asked[i]}`);
      else expect(answer.none).toBe(true);
    });
  });

  it('writes different keys made while a write is in flight at one revision, each with its own prevKv; watchers see one revision', async () => {
    const etcd = client();
    const written = keys('co/write', 40);
    await lastValueFrom(forkJoin(written.map((key) => etcd.put(key, `old ${key}`))));
    const from = (await firstValueFrom(etcd.range('co/write/0'))).header.revision + 1;
    const watched = firstValueFrom(etcd.watch({ prefix: 'co/write/' }, { startRevision: from }).pipe(take(1)));
    // A write that finds none in flight goes at once, alone; the writes made meanwhile gather.
    const lead = lastValueFrom(etcd.put('co/lead', 'x'));
    const results = await lastValueFrom(forkJoin(written.map((key) => etcd.put(key, `new ${key}`, { prevKv: true }))));
    await lead;
    expect(new Set(results.map((r) => r.revision)).size).toBe(1);
    results.forEach((result, i) => expect(result.prevKv.unwrap().value).toBe(`old ${written[i]}`));
    const batch = await watched;
    expect([batch.revision, batch.events.length]).toEqual([results[0].revision, 40]);

    // Turned off, each write is its own revision.
    const apart = client({ coalesceWrites: false });
    const revisions = await lastValueFrom(forkJoin(written.slice(0, 5).map((key) => apart.put(key, 'x'))));
    expect(new Set(revisions.map((r) => r.revision)).size).toBe(5);
  });

  it('fails only the write whose lease does not exist or whose value is too large; writes to one key keep their order', async () => {
    const etcd = client();
    const [ok, noLease, tooLarge, same] = await Promise.all([
      outcome(etcd.put('co/err/ok', 'fine')),
      outcome(etcd.put('co/err/lease', 'v', { lease: '123456789' })),
      outcome(etcd.put('co/err/large', 'x'.repeat(2 * 1024 * 1024))),
      Promise.all([firstValueFrom(etcd.put('co/err/same', '1')), firstValueFrom(etcd.put('co/err/same', '2')), firstValueFrom(etcd.put('co/err/same', '3'))]),
    ]);
    expect(ok.value?.revision).toBeGreaterThan(0);
    expect(noLease.error).toBeInstanceOf(EtcdNotFoundError);
    expect(tooLarge.error).toBeInstanceOf(EtcdRequestTooLargeError);
    expect(same[0].revision < same[1].revision && same[1].revision < same[2].revision).toBe(true);
    expect((await firstValueFrom(etcd.get('co/err/same'))).unwrap().value).toBe('3');
    expect((await firstValueFrom(etcd.get('co/err/lease'))).none).toBe(true);
  });

  it('fails over the reads of a burst whose member is SIGKILLed mid-flight; its writes share one outcome', async () => {
    const victim = cluster().members[0];
    const etcd: Etcd = clientPreferring(victim, { requestTimeoutMs: 5000 });
    const written = keys('co/kill', 20);
    await lastValueFrom(forkJoin(written.map((key) => etcd.put(key, 'before'))));
    const unreadBefore = unreadBytesAt(victim.clientUrl);
    victim.freeze();
    const reads = Promise.all(written.map((key) => outcome(etcd.get(key))));
    // The first write goes alone; the burst made while it is in flight gathers into one txn.
    const lead = outcome(etcd.put('co/kill-lead', 'after'));
    const writes = Promise.all(written.map((key) => outcome(etcd.put(key, 'after'))));
    // Both batches have reached the frozen member (it cannot read them) before it dies.
    await waitFor(() => unreadBytesAt(victim.clientUrl) > unreadBefore, 'the burst to reach the frozen member');
    await victim.kill();
    try {
      await lead;
      for (const read of await reads) expect(read.value?.unwrap().value).toBe('before');
      const outcomes = await writes;
      // One txn: every write got the same answer, and the store holds all of them or none.
      expect(new Set(outcomes.map((o) => (o.error === undefined ? `revision ${o.value?.revision}` : (o.error as Error).constructor.name))).size).toBe(1);
      const now = await lastValueFrom(forkJoin(written.map((key) => etcd.get(key))));
      expect(new Set(now.map((kv) => kv.unwrap().value)).size).toBe(1);
      if (outcomes[0].error !== undefined) expect(outcomes[0].error).toBeInstanceOf(EtcdOutcomeUnknownError);
    } finally {
      await victim.restart();
      await cluster().waitHealthy();
    }
  });
});
