import { firstValueFrom, lastValueFrom, Observable, Subscription, take, toArray } from 'rxjs';
import { Etcd, EtcdInvalidArgumentError, EtcdOutcomeUnknownError, KeyValue, MirrorState } from '../../src';
import { EtcdMember } from '../../src/testing';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { watchGauges } from './watch-helpers';

/** Every state a mirror emits, kept as it arrives. */
class StateRecorder<V> {
  readonly states: MirrorState<V>[] = [];
  error: unknown;
  private readonly subscription: Subscription;

  constructor(mirror: Observable<MirrorState<V>>) {
    this.subscription = mirror.subscribe({
      next: (s) => this.states.push(s),
      error: (e: unknown) => (this.error = e),
    });
  }

  get last(): MirrorState<V> | undefined {
    return this.states[this.states.length - 1];
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

const asPairs = (kvs: Iterable<KeyValue>) => [...kvs].map((kv) => [kv.key, kv.value, kv.modRevision]).sort();

describe('mirror against a real 3-member cluster', () => {
  const cluster = useCluster(3);
  const clients: Etcd[] = [];
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  const others = (victim: EtcdMember) => cluster().members.filter((m) => m !== victim);
  const client = (first: EtcdMember, progressIntervalMs = 500) => {
    const etcd = new Etcd({
      endpoints: [first.clientUrl, ...others(first).map((m) => m.clientUrl)],
      watchProgressIntervalMs: progressIntervalMs,
      requestTimeoutMs: 1000,
    });
    clients.push(etcd);
    return etcd;
  };
  const follower = async () => {
    const leader = await cluster().leader();
    return cluster().members.find((m) => m !== leader)!;
  };

  /** Random puts and deletes over `keys` keys of `prefix`, `ops` in all, a few in flight. */
  async function churn(etcd: Etcd, prefix: string, ops: number, onProgress: (done: number) => void): Promise<Error[]> {
    const errors: Error[] = [];
    let started = 0;
    let done = 0;
    const worker = async () => {
      while (started < ops) {
        const n = started++;
        const key = `${prefix}${n % 97}`;
        try {
          if (n % 5 === 0) await firstValueFrom(etcd.delete(key));
          else await firstValueFrom(etcd.put(key, `v${n}`));
        } catch (error) {
          if (!(error instanceof EtcdOutcomeUnknownError)) errors.push(error as Error);
        }
        onProgress(++done);
      }
    };
    await Promise.all(Array.from({ length: 12 }, worker));
    return errors;
  }

  /** Waits for the mirror to reach the store's current revision, and checks it against a fresh read there. */
  async function expectMirrorsTheStore(etcd: Etcd, prefix: string, mirror: StateRecorder<KeyValue>): Promise<void> {
    const now = (await firstValueFrom(etcd.range({ prefix }, { countOnly: true }))).header.revision;
    await waitFor(() => (mirror.last?.revision ?? 0) >= now || mirror.error !== undefined, 'the mirror to catch up', 60_000);
    expect(mirror.error).toBeUndefined();
    const state = mirror.last!;
    const fresh = await firstValueFrom(etcd.range({ prefix }, { revision: state.revision }));
    expect(asPairs(state.entries.values())).toEqual(asPairs(fresh.kvs));
  }

  /** Replaying every emitted change from nothing must give the last state. */
  function expectChangesReplayToTheState(mirror: StateRecorder<KeyValue>): void {
    const replayed = new Map<string, KeyValue>();
    for (const state of mirror.states) {
      for (const change of state.changes) {
        if (change.type === 'removed') {
          expect(replayed.get(change.key)).toBe(change.previous);
          replayed.delete(change.key);
        } else {
          expect(replayed.get(change.key)).toBe(change.type === 'modified' ? change.previous : undefined);
          replayed.set(change.key, change.value);
        }
      }
    }
    expect(asPairs(replayed.values())).toEqual(asPairs(mirror.last!.entries.values()));
    const revisions = mirror.states.map((s) => s.revision);
    expect(revisions.filter((r, i) => i > 0 && r <= revisions[i - 1])).toEqual([]);
  }

  it('starts with every existing key added, then emits each change with the whole state (JSON values)', async () => {
    const victim = cluster().members[0];
    const etcd = client(victim);
    await firstValueFrom(etcd.putJson('json/a', { port: 1 }));
    const mirror = new StateRecorder<{ port: number }>(etcd.mirrorJson<{ port: number }>({ prefix: 'json/' }));
    await waitFor(() => mirror.states.length === 1, 'the first state');
    const b = await firstValueFrom(etcd.putJson('json/b', { port: 2 }));
    const a = await firstValueFrom(etcd.putJson('json/a', { port: 3 }));
    const gone = await firstValueFrom(etcd.delete('json/b'));
    await waitFor(() => mirror.states.length === 4, 'four states');
    const [first, added, modified, removed] = mirror.states;
    expect(first).toMatchObject({ relisted: true, changes: [{ type: 'added', key: 'json/a', value: { port: 1 } }] });
    expect([...first.entries]).toEqual([['json/a', { port: 1 }]]);
    expect(added).toMatchObject({ revision: b.revision, relisted: false, changes: [{ type: 'added', key: 'json/b', value: { port: 2 } }] });
    expect(modified).toMatchObject({ revision: a.revision, changes: [{ type: 'modified', key: 'json/a', value: { port: 3 }, previous: { port: 1 } }] });
    expect(removed.revision).toBe(gone.header.revision);
    expect(removed.changes).toEqual([{ type: 'removed', key: 'json/b', previous: { port: 2 } }]);
    expect([...removed.entries]).toEqual([['json/a', { port: 3 }]]);
    // Earlier states are left as they were.
    expect([...added.entries.keys()].sort()).toEqual(['json/a', 'json/b']);
    mirror.stop();
  });

  it('keeps going past a value that is not JSON, reporting it and keeping the last good value; refuses an unknown policy', async () => {
    const etcd = client(cluster().members[0]);
    await firstValueFrom(etcd.putJson('bad-json/web', { port: 80 }));
    const mirror = new StateRecorder<{ port: number }>(etcd.mirrorJson<{ port: number }>({ prefix: 'bad-json/' }));
    await waitFor(() => mirror.states.length === 1, 'the first state');
    await firstValueFrom(etcd.put('bad-json/web', 'port=8080'));
    const fixed = await firstValueFrom(etcd.putJson('bad-json/web', { port: 8080 }));
    await waitFor(() => mirror.last?.revision === fixed.revision, 'the good value after the bad one');
    const [, broken, repaired] = mirror.states;
    expect(broken.invalid.map((e) => e.key)).toEqual(['bad-json/web']);
    expect([...broken.entries]).toEqual([['bad-json/web', { port: 80 }]]);
    expect(repaired.changes).toEqual([{ type: 'modified', key: 'bad-json/web', value: { port: 8080 }, previous: { port: 80 } }]);
    expect(mirror.error).toBeUndefined();
    mirror.stop();
    const refused = await firstValueFrom(etcd.mirrorJson('bad-json/', { onInvalid: 'ignore' as 'skip' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EtcdInvalidArgumentError);
    expect((refused as Error).message).toMatch(/onInvalid/);
  });

  it('equals a fresh read at its revision after concurrent writes, deletes and the death of the member serving it', async () => {
    const victim = await follower();
    const prefix = 'churn/';
    const etcd = client(victim);
    const writer = new Etcd({ endpoints: others(victim).map((m) => m.clientUrl), requestTimeoutMs: 1000 });
    clients.push(writer);
    const mirror = new StateRecorder<KeyValue>(etcd.mirror({ prefix }));
    await waitFor(() => mirror.states.length === 1, 'the first state');
    let killed: Promise<void> | undefined;
    const errors = await churn(writer, prefix, 3000, (done) => {
      if (done === 1000) killed = victim.kill();
    });
    await killed;
    expect(errors).toEqual([]);
    await expectMirrorsTheStore(writer, prefix, mirror);
    expectChangesReplayToTheState(mirror);
    mirror.stop();
    await victim.restart();
    await cluster().waitHealthy();
  });

  it('lists again when the revision it must resume from was compacted, and goes on', async () => {
    const victim = await follower();
    const prefix = 'relist/';
    // A long progress interval: once its watch runs, the mirror stays on the frozen member for
    // about two seconds, time enough to write and compact past its resume point.
    const etcd = client(victim, 2000);
    const writer = new Etcd({ endpoints: others(victim).map((m) => m.clientUrl), requestTimeoutMs: 1000 });
    clients.push(writer);
    for (let i = 0; i < 5; i++) await firstValueFrom(writer.put(`${prefix}${i}`, 'before'));
    const mirror = new StateRecorder<KeyValue>(etcd.mirror({ prefix }));
    await waitFor(() => mirror.states.length === 1, 'the first state');
    // The first state comes from the listing; the watch after it must be running before the freeze.
    await waitFor(async () => (await watchGauges(victim)).watchers === 1, 'the watch on the victim');
    victim.freeze();
    try {
      await firstValueFrom(writer.delete(`${prefix}0`));
      await firstValueFrom(writer.put(`${prefix}1`, 'while frozen'));
      const latest = await firstValueFrom(writer.put(`${prefix}9`, 'while frozen'));
      await firstValueFrom(writer.compact(latest.revision));
      await waitFor(() => mirror.states.length > 1 || mirror.error !== undefined, 'the mirror to list again', 30_000);
    } finally {
      victim.resume();
    }
    expect(mirror.error).toBeUndefined();
    const relisted = mirror.states[1];
    expect(relisted.relisted).toBe(true);
    expect(relisted.changes.map((c) => [c.type, c.key]).sort()).toEqual([
      ['added', `${prefix}9`],
      ['modified', `${prefix}1`],
      ['removed', `${prefix}0`],
    ]);
    // And it goes on watching from the listing.
    const after = await firstValueFrom(writer.put(`${prefix}2`, 'after'));
    await waitFor(() => mirror.last!.revision === after.revision, 'the next change');
    await expectMirrorsTheStore(writer, prefix, mirror);
    expectChangesReplayToTheState(mirror);
    mirror.stop();
    await cluster().waitHealthy();
  });

  it('emits one state and completes when taken once, leaving no watch behind', async () => {
    const etcd = client(cluster().members[0]);
    await firstValueFrom(etcd.put('once/k', 'v'));
    const [state] = await lastValueFrom(etcd.mirror({ prefix: 'once/' }).pipe(take(1), toArray()));
    expect([...state.entries.keys()]).toEqual(['once/k']);
    await waitFor(async () => (await Promise.all(cluster().members.map(watchGauges))).every((g) => g.watchers === 0), 'no watch left on any member');
  });
});
