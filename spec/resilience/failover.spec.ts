import { firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { DIAGNOSTICS_CHANNELS, Etcd, EtcdAllEndpointsFailedError, EtcdConnectionError, FailoverMessage, EndpointEvent, Op } from '../../src';
import { listen } from '../support/diagnostics';
import { EtcdCluster, EtcdMember } from '../../src/testing';
import { ANSWER_MS, lateOnes, OperationTiming, startLoad } from '../support/load';
import { electionEndDuring, Leaderless, watchLeadership } from '../support/leadership';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

const REQUEST_TIMEOUT_MS = 1000;
/** Shorter than an election, so that calls meet each of its members silent, some twice. */
const ELECTION_REQUEST_TIMEOUT_MS = 500;

// One cluster for the whole file: each test leaves every member running again.
describe('failover against a real 3-member cluster', () => {
  const { cluster: getCluster, clientPreferring: preferring } = useClusterWithClients(3);
  let cluster: EtcdCluster;
  beforeAll(() => {
    cluster = getCluster();
  });
  /** A client that prefers `first`: the member the test will break is the one serving it. */
  const clientPreferring = (first: EtcdMember) => preferring(first, { requestTimeoutMs: REQUEST_TIMEOUT_MS });

  const follower = async () => {
    const leader = await cluster.leader();
    return cluster.members.find((m) => m !== leader)!;
  };

  /** Every acknowledged put is there, with its value, read back from the whole cluster. */
  const expectNoAcknowledgedWriteLost = async (etcd: Etcd, prefix: string, acknowledged: Map<string, string>) => {
    const stored = new Map((await lastValueFrom(etcd.list({ prefix }).pipe(toArray()))).map((kv) => [kv.key, kv.value]));
    const lost = [...acknowledged].filter(([key, value]) => stored.get(key) !== value).map(([key]) => key);
    expect(lost).toEqual([]);
  };

  /**
   * Runs a load through a client preferring `victim`, breaks the victim after 200 acknowledged
   * writes, waits for 300 more, mends it, and checks that nothing went wrong or was lost.
   */
  const survives = async (victim: EtcdMember, prefix: string, breakIt: () => Promise<void> | void, mend: () => Promise<void> | void) => {
    const etcd = clientPreferring(victim);
    const load = startLoad(etcd, prefix, 8);
    await waitFor(() => load.acknowledgedCount >= 200, '200 writes before the failure');
    await breakIt();
    try {
      const atFailure = load.acknowledgedCount;
      await waitFor(() => load.acknowledgedCount >= atFailure + 300, '300 writes after the failure', 60_000);
    } finally {
      await load.stop();
      await mend();
    }
    const report = load.report;
    expect(report.errors).toEqual([]);
    expect(report.staleReads).toEqual([]);
    await expectNoAcknowledgedWriteLost(etcd, prefix, report.acknowledged);
    await cluster.waitHealthy();
    return report;
  };

  it('loses no acknowledged write when the member serving a stream of reads and writes is SIGKILLed', async () => {
    const victim = await cluster.leader();
    await survives(
      victim,
      'kill/',
      () => victim.kill(),
      () => victim.restart(),
    );
  });

  it('goes on within one request timeout when a follower serving the client is frozen (SIGSTOP)', async () => {
    const victim = await follower();
    const report = await survives(
      victim,
      'freeze-follower/',
      () => victim.freeze(),
      () => victim.resume(),
    );
    // One request timeout to give up on the frozen member, then a live member's answer on a busy
    // machine (spec/resilience/freeze-latency.spec.ts bounds every call so).
    expect(report.slowestMs).toBeLessThan(REQUEST_TIMEOUT_MS + 500);
  });

  it('goes on after a new election when the leader serving the client is frozen', async () => {
    const victim = await cluster.leader();
    await survives(
      victim,
      'freeze-leader/',
      () => victim.freeze(),
      () => victim.resume(),
    );
  });

  it('loses nothing while every member in turn is killed and restarted, then frozen and resumed, under load, and waits for nothing but etcd', async () => {
    // Reads after every put go on while no write can commit, as during an election. A request
    // timeout shorter than an election (one to three seconds) makes calls sweep the members while
    // they elect; a deadline and attempts far off measure each call's own time rather than cut
    // it, and backoffs short against the request timeout let one request timeout too many show.
    const requestTimeoutMs = ELECTION_REQUEST_TIMEOUT_MS;
    const options = { requestTimeoutMs, deadlineMs: 60 * requestTimeoutMs, retry: { attempts: 1000, backoffCapMs: 100 } };
    // One client per member, each preferring its own, so every failure hits some client's member.
    const loads = cluster.members.map((member) => ({
      member,
      load: startLoad(preferring(member, options), `rolling/${member.name}/`, 3, { readAfterEveryPut: true }),
    }));
    const everyClientProgresses = async (what: string) => {
      const before = loads.map(({ load }) => load.acknowledgedCount);
      await waitFor(() => loads.every(({ load }, i) => load.acknowledgedCount >= before[i] + 50), `50 writes per client ${what}`, 60_000);
    };
    const leadership = watchLeadership(cluster);
    let elections: readonly Leaderless[] = [];
    try {
      for (const member of cluster.members) {
        await member.kill();
        await everyClientProgresses(`with ${member.name} killed`);
        await member.restart();
        member.freeze();
        await everyClientProgresses(`with ${member.name} frozen`);
        member.resume();
        await cluster.waitHealthy();
      }
    } finally {
      for (const member of cluster.members) member.resume();
      await Promise.all(loads.map(({ load }) => load.stop()));
      elections = await leadership.stop();
    }
    for (const { member, load } of loads) {
      expect(load.report.errors).toEqual([]);
      expect(load.report.staleReads).toEqual([]);
      await expectNoAcknowledgedWriteLost(clientPreferring(member), `rolling/${member.name}/`, load.report.acknowledged);
    }
    // A call waits for a frozen member one request timeout at most, and for an election (the
    // leader killed) until it ends, which no client can shorten: then a live member answers,
    // after one backoff at most. A request timeout more on a frozen member, or a wait after the
    // election, breaks this.
    const timings = loads.flatMap(({ load }) => load.report.timings);
    const latestEnd = (t: OperationTiming) =>
      Math.max(t.startedAt + requestTimeoutMs, electionEndDuring(elections, t.startedAt, t.endedAt) ?? 0) + options.retry.backoffCapMs + ANSWER_MS;
    const slowest = Math.max(...timings.map((t) => t.endedAt - t.startedAt));
    console.log(
      `without a leader for ${elections.map((e) => `${e.to - e.from} ms`).join(', ') || 'no time'}; slowest call ${slowest} ms (request timeout ${requestTimeoutMs} ms)`,
    );
    expect(lateOnes(timings, latestEnd)).toEqual([]);
  });

  /** What `etcd.endpointStates()` said of `url`, in order: its states, and failovers away from it. */
  const toldOf = (events: readonly EndpointEvent[], url: string) =>
    events.flatMap((e) => (e.type === 'endpoint' ? (e.endpoint === url ? [e.state] : []) : e.from === url ? ['failover'] : []));

  it('finishes a listing on another member, at its revision, when the member serving it is SIGKILLed mid-way', async () => {
    const victim = await follower();
    const etcd = clientPreferring(victim);
    const keys = Array.from({ length: 2000 }, (_, i) => `list-kill/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 100) await firstValueFrom(etcd.txn({ success: keys.slice(i, i + 100).map((key) => Op.put(key, 'old')) }));
    let killing: Promise<void> | undefined;
    // Once the first page is here, the last key changes and the member serving the listing dies.
    const breakOnce = () => {
      killing ??= firstValueFrom(etcd.put(keys[keys.length - 1], 'new')).then(() => victim.kill());
    };
    const failovers = listen<FailoverMessage>(DIAGNOSTICS_CHANNELS.failover);
    try {
      const listed = await lastValueFrom(etcd.list({ prefix: 'list-kill/' }, { pageSize: 10 }).pipe(tap(breakOnce), toArray()));
      expect(listed.map((kv) => [kv.key, kv.value])).toEqual(keys.map((key) => [key, 'old']));
      // Its counting or its pages went on on another member.
      expect(failovers.messages.filter((failover) => failover.method === 'range' || failover.method === 'txn')).not.toEqual([]);
    } finally {
      failovers.stop();
      await killing;
      await victim.restart();
    }
    await cluster.waitHealthy();
  });

  it('etcd.endpointStates() tells a frozen member suspect, then demoted, the read leaving it, and healthy again once it answers', async () => {
    const member = await follower();
    const etcd = preferring(member);
    const events: EndpointEvent[] = [];
    const health = etcd.endpointStates().subscribe((e) => events.push(e));
    expect(events.map((e) => e.type === 'endpoint' && e.state)).toEqual(['healthy', 'healthy', 'healthy']);
    await firstValueFrom(etcd.put('health/frozen', 'v'));
    member.freeze();
    try {
      expect((await firstValueFrom(etcd.get('health/frozen'))).some).toBe(true);
      expect(toldOf(events, member.clientUrl)).toEqual(['healthy', 'suspect', 'demoted', 'failover']);
      const demoted = events.find((e) => e.type === 'endpoint' && e.state === 'demoted');
      // The fresh client probed the member before its first call: the version it told then comes with the demotion.
      expect(demoted).toMatchObject({
        endpoint: member.clientUrl,
        reason: expect.stringMatching(/liveness probe/),
        version: expect.stringMatching(/^3\.\d+\.\d+/),
      });
      expect((demoted as { since: Date }).since).toBeInstanceOf(Date);
    } finally {
      member.resume();
    }
    await waitFor(async () => {
      await firstValueFrom(etcd.endpointStatus(member.clientUrl)).catch(() => undefined);
      return toldOf(events, member.clientUrl).at(-1) === 'healthy';
    }, 'the resumed member to be told healthy');
    health.unsubscribe();
  });

  it('etcd.endpointStates() tells a killed member demoted with the reason, healthy once restarted, and completes on close()', async () => {
    const member = await follower();
    const etcd = preferring(member);
    const events: EndpointEvent[] = [];
    let completed = false;
    etcd.endpointStates().subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    await firstValueFrom(etcd.put('health/killed', 'v'));
    await member.kill();
    try {
      expect((await firstValueFrom(etcd.get('health/killed'))).some).toBe(true);
      expect(toldOf(events, member.clientUrl)).toEqual(['healthy', 'demoted', 'failover']);
      const failover = events.find((e) => e.type === 'failover');
      // A new connection is refused; one kept alive from the put may be found closed as it is reused.
      expect(failover).toMatchObject({ from: member.clientUrl, reason: expect.stringMatching(/ECONNREFUSED|refused|socket hang up|ECONNRESET/i) });
    } finally {
      await member.restart();
    }
    await waitFor(async () => {
      await firstValueFrom(etcd.endpointStatus(member.clientUrl)).catch(() => undefined);
      return toldOf(events, member.clientUrl).at(-1) === 'healthy';
    }, 'the restarted member to be told healthy');
    await etcd.close();
    expect(completed).toBe(true);
  });

  it('names every endpoint and what it answered when all members are down', async () => {
    const etcd = clientPreferring(cluster.members[0]);
    await firstValueFrom(etcd.put('down/k', 'v'));
    for (const member of cluster.members) await member.kill();
    for (const call of [() => firstValueFrom(etcd.get('down/k')), () => firstValueFrom(etcd.put('down/k', 'w'))]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EtcdAllEndpointsFailedError);
      const failures = (error as EtcdAllEndpointsFailedError).failures;
      expect(failures.map((f) => f.endpoint).sort()).toEqual([...cluster.endpoints].sort());
      for (const f of failures) expect(f.error).toBeInstanceOf(EtcdConnectionError);
      for (const endpoint of cluster.endpoints) expect((error as Error).message).toContain(endpoint);
    }
  });
});
