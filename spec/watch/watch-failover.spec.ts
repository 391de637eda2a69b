/**
 * The guarantee: a watch delivers every revision once, in order, with no gap, across the death,
 * freeze or isolation of the member serving it, on both transports.
 */
import { firstValueFrom } from 'rxjs';
import { Etcd, WatchTransport } from '../../src';
import { EtcdMember } from '../../src/testing';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { Recorder, storedRevisions, watchGauges, writeKeys } from './watch-helpers';

const PROGRESS_INTERVAL_MS = 500;
const REQUEST_TIMEOUT_MS = 1000;
// A silent member is detected within two progress intervals; the rest is slack for a busy machine.
const DETECTION_BOUND_MS = 2 * PROGRESS_INTERVAL_MS + 2000;
const PUTS = 10_000;
const IN_FLIGHT = 24;
const TRANSPORTS: WatchTransport[] = ['websocket', 'http'];

/** How a list of delivered revisions differs from the revisions expected, in a printable form. */
function deliveryReport(delivered: readonly number[], expected: readonly number[]) {
  const want = new Set(expected);
  const got = new Set(delivered);
  return {
    duplicates: delivered.length - got.size,
    outOfOrder: delivered.filter((r, i) => i > 0 && r <= delivered[i - 1]).length,
    missing: expected.filter((r) => !got.has(r)).slice(0, 10),
    extra: delivered.filter((r) => !want.has(r)).slice(0, 10),
  };
}

const PERFECT = { duplicates: 0, outOfOrder: 0, missing: [], extra: [] };

describe('watch failover against a real 3-member cluster', () => {
  const cluster = useCluster(3);
  const clients: Etcd[] = [];
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  const others = (victim: EtcdMember) => cluster().members.filter((m) => m !== victim);
  /** A client whose watches start on `victim` (the first endpoint it is given). */
  const watchingFrom = (victim: EtcdMember, transport: WatchTransport) => {
    const etcd = new Etcd({
      endpoints: [victim.clientUrl, ...others(victim).map((m) => m.clientUrl)],
      watchTransport: transport,
      watchProgressIntervalMs: PROGRESS_INTERVAL_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    clients.push(etcd);
    return etcd;
  };
  /** A client that writes through the other members first. */
  const writerAvoiding = (victim: EtcdMember) => {
    const etcd = new Etcd({ endpoints: [...others(victim).map((m) => m.clientUrl), victim.clientUrl], requestTimeoutMs: REQUEST_TIMEOUT_MS });
    clients.push(etcd);
    return etcd;
  };
  const follower = async () => {
    const leader = await cluster().leader();
    return cluster().members.find((m) => m !== leader)!;
  };
  const watchersOn = async (members: readonly EtcdMember[]) => (await Promise.all(members.map(watchGauges))).reduce((sum, g) => sum + g.watchers, 0);

  /**
   * Watches `prefix` from `victim` over both transports while 10,000 keys are written; breaks the
   * victim after 3,000; then checks that each watch delivered exactly the revisions now stored.
   */
  async function everyRevisionOnceWhile(victim: EtcdMember, prefix: string, breakIt: () => Promise<void> | void): Promise<void> {
    const writer = writerAvoiding(victim);
    const recorders = TRANSPORTS.map((t) => new Recorder(watchingFrom(victim, t).watch({ prefix })));
    await waitFor(async () => (await watchGauges(victim)).watchers === TRANSPORTS.length, 'both watches on the victim');
    let broken: Promise<void> | undefined;
    const report = await writeKeys(writer, prefix, PUTS, IN_FLIGHT, (done) => {
      if (done === 3000) broken = Promise.resolve(breakIt());
    });
    await broken;
    expect(report.errors).toEqual([]);
    const expected = await storedRevisions(writer, prefix);
    expect(expected.length).toBeGreaterThanOrEqual(report.acknowledged.length);
    expect(
      deliveryReport(
        report.acknowledged.sort((a, b) => a - b),
        expected,
      ).extra,
    ).toEqual([]);
    for (const recorder of recorders) {
      await waitFor(() => recorder.lastRevision >= expected[expected.length - 1] || recorder.error !== undefined, 'the watch to catch up', 60_000);
      expect(recorder.error).toBeUndefined();
      expect(deliveryReport(recorder.revisions, expected)).toEqual(PERFECT);
      recorder.stop();
    }
  }

  // The victims are followers: writes go on through the leader while the watch moves, so a watch
  // that resumed from anywhere but its own position would show a gap (killing the leader stops
  // the writes for an election, long enough to hide one).
  it('delivers each of 10,000 revisions once, in order, when the member serving the watch is SIGKILLed', async () => {
    const victim = await follower();
    await everyRevisionOnceWhile(victim, 'kill/', () => victim.kill());
    await victim.restart();
    await cluster().waitHealthy();
  });

  it('delivers each of 10,000 revisions once, in order, when the member serving the watch is frozen (SIGSTOP)', async () => {
    const victim = await follower();
    try {
      await everyRevisionOnceWhile(victim, 'freeze/', () => victim.freeze());
    } finally {
      victim.resume();
    }
    await cluster().waitHealthy();
  });

  it('moves every watch of a client together when its member is SIGKILLed, each resumed from where it stood', async () => {
    const victim = await follower();
    const etcd = watchingFrom(victim, 'websocket');
    const writer = writerAvoiding(victim);
    const prefixes = ['together/0/', 'together/1/', 'together/2/'];
    const watches = prefixes.map((prefix) => new Recorder(etcd.watch({ prefix })));
    const quiet = new Recorder(etcd.watch('together/quiet', { createdNotify: true }));
    await waitFor(async () => (await watchGauges(victim)).watchers === prefixes.length + 1, 'every watch on the victim');
    // The watches stand at different revisions when the member dies: each prefix is written at its own pace.
    let killed: Promise<void> | undefined;
    const reports = await Promise.all(
      prefixes.map((prefix, i) =>
        writeKeys(writer, prefix, 1000 * (i + 1), 8, (done) => {
          if (i === 2 && done === 1500) killed = victim.kill();
        }),
      ),
    );
    await killed;
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const after = await firstValueFrom(writer.put('together/quiet', 'after'));
    for (const [i, watch] of watches.entries()) {
      const expected = await storedRevisions(writer, prefixes[i]);
      await waitFor(() => watch.lastRevision >= expected[expected.length - 1] || watch.error !== undefined, 'each watch to catch up', 60_000);
      expect(watch.error).toBeUndefined();
      expect(deliveryReport(watch.revisions, expected)).toEqual(PERFECT);
      watch.stop();
    }
    await waitFor(() => quiet.lastRevision === after.revision, 'the quiet watch to see the write after the kill');
    expect(quiet.batches.map((b) => b.created)).toEqual([true, false]);
    quiet.stop();
    await victim.restart();
    await cluster().waitHealthy();
  });

  it.each(TRANSPORTS)(
    'leaves a frozen member within the bound when nothing is written, then delivers the next write, announcing its creation once (%s)',
    async (transport) => {
      const victim = await follower();
      const key = `quiet/${transport}`;
      const watch = new Recorder(watchingFrom(victim, transport).watch(key, { createdNotify: true }));
      await waitFor(() => watch.batches.length === 1, 'the watch to announce that it is live');
      const announced = watch.batches[0];
      expect(announced).toMatchObject({ created: true, events: [] });
      expect((await watchGauges(victim)).watchers).toBe(1);
      victim.freeze();
      const frozenAt = Date.now();
      try {
        await waitFor(async () => (await watchersOn(others(victim))) === 1, 'the watch to move to another member');
        expect(Date.now() - frozenAt).toBeLessThan(DETECTION_BOUND_MS);
        const written = await firstValueFrom(writerAvoiding(victim).put(key, 'after the freeze'));
        await waitFor(() => watch.batches.some((b) => b.events.length > 0), 'the write to be delivered');
        // Resumed on another member, the watch does not announce itself again.
        expect(watch.revisions).toEqual([announced.revision, written.revision]);
        expect(watch.batches.map((b) => b.created)).toEqual([true, false]);
        expect(watch.error).toBeUndefined();
      } finally {
        victim.resume();
        watch.stop();
      }
      await cluster().waitHealthy();
    },
  );

  it.each(TRANSPORTS)('leaves a member cut off from its leader, though it still answers, and misses nothing (%s)', async (transport) => {
    const victim = cluster().members[0];
    const key = `isolated/${transport}`;
    const watch = new Recorder(watchingFrom(victim, transport).watch(key));
    await waitFor(async () => (await watchGauges(victim)).watchers === 1, 'the watch on the victim');
    const writer = writerAvoiding(victim);
    const before = await firstValueFrom(writer.put(key, 'before'));
    await waitFor(() => watch.lastRevision === before.revision, 'the first write to be delivered');
    for (const member of others(victim)) member.freeze();
    try {
      // The victim itself is alive (it answers /metrics and, measured, watch progress requests);
      // only the lack of a leader tells that it will never see another revision.
      await waitFor(async () => (await watchGauges(victim)).watchers === 0, 'the watch to leave the leaderless member', 15_000);
    } finally {
      for (const member of others(victim)) member.resume();
    }
    await cluster().waitHealthy();
    const after = await firstValueFrom(writer.put(key, 'after'));
    await waitFor(() => watch.lastRevision === after.revision, 'the write after the partition to be delivered');
    expect(watch.revisions).toEqual([before.revision, after.revision]);
    expect(watch.error).toBeUndefined();
    watch.stop();
  });
});
