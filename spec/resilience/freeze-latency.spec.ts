/**
 * How long each call takes while one member of three is frozen (SIGSTOP), measured per operation
 * under a steady load of writes and reads. The bounds come from the client's options and from
 * ANSWER_MS, what a live member takes to answer on a busy machine: they say what failover
 * promises, and one request timeout more spent on the frozen member breaks them.
 * - A frozen follower costs a call one request timeout at most: then a live member answers.
 * - A frozen leader costs the election too, which no client can shorten. While the others elect,
 *   a call meets silent members (the frozen one, a follower still waiting for a leader) and, once
 *   the election ends, one that answers "leader changed": that member is asked again, never the
 *   frozen one (a race that needs the election to outlast two request timeouts, so the check
 *   catches a call sent back in about every second run; spec/unit/retry-loop.spec.ts replays it
 *   in virtual time every run). A call ends within one request timeout and one backoff after the
 *   later of its own request timeout and the election: an election longer than a sweep over the
 *   three members finds each of them silent, and the call may be on the frozen one as it ends.
 */
import { DIAGNOSTICS_CHANNELS, Etcd, FailoverMessage } from '../../src';
import { EtcdMember } from '../../src/testing';
import { useClusterWithClients } from '../support/cluster';
import { listen } from '../support/diagnostics';
import { ANSWER_MS, lateOnes, LoadOptions, LoadReport, OperationTiming, startLoad } from '../support/load';
import { waitFor } from '../support/wait';

const REQUEST_TIMEOUT_MS = 1000;
/**
 * Shorter than an election (one to two seconds with etcd's default election timeout), so that a
 * call meets a follower still waiting for the new leader, then the member that answers "leader
 * changed": the race behind reads stalled for two or three request timeouts on a loaded machine.
 */
const LEADER_REQUEST_TIMEOUT_MS = 500;
/** The reason of a failure a member answered (an etcd error with its gRPC code), as failover tells it. */
const MEMBER_ANSWER = / \(code \d+, from /;

describe('the time of each call while a member is frozen', () => {
  const { cluster, clientPreferring } = useClusterWithClients(3);

  /**
   * Runs a load through `etcd` (see startLoad for `options`), freezes `victim` after 100
   * acknowledged writes, runs `whileFrozen`, waits for 200 more writes, then stops the load and
   * resumes the member.
   */
  const underFreeze = async (etcd: Etcd, victim: EtcdMember, prefix: string, whileFrozen: () => Promise<void>, options?: LoadOptions): Promise<LoadReport> => {
    const load = startLoad(etcd, prefix, 8, options);
    await waitFor(() => load.acknowledgedCount >= 100, '100 writes before the freeze');
    victim.freeze();
    try {
      await whileFrozen();
      const atFreeze = load.acknowledgedCount;
      await waitFor(() => load.acknowledgedCount >= atFreeze + 200, '200 writes with a member frozen', 60_000);
    } finally {
      await load.stop();
      victim.resume();
    }
    await cluster().waitHealthy();
    return load.report;
  };

  it('a frozen follower costs a call one request timeout at most', async () => {
    const leader = await cluster().leader();
    const victim = cluster().members.find((member) => member !== leader)!;
    const etcd = clientPreferring(victim, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const report = await underFreeze(etcd, victim, 'freeze-latency/follower/', async () => undefined);
    console.log(`a frozen follower: slowest call ${report.slowestMs} ms (request timeout ${REQUEST_TIMEOUT_MS} ms)`);
    expect(report.errors).toEqual([]);
    expect(lateOnes(report.timings, (t) => t.startedAt + REQUEST_TIMEOUT_MS + ANSWER_MS)).toEqual([]);
  });

  it('a frozen leader costs a call the election and one request timeout at most, and is not asked again after an answer', async () => {
    const victim = await cluster().leader();
    const requestTimeoutMs = LEADER_REQUEST_TIMEOUT_MS;
    // A deadline and attempts far off, so that each call's own time is measured rather than cut,
    // and backoffs short against the request timeout, so that one request timeout too many shows.
    const etcd = clientPreferring(victim, { requestTimeoutMs, deadlineMs: 60 * requestTimeoutMs, retry: { attempts: 1000, backoffCapMs: 100 } });
    const failovers = listen<FailoverMessage>(DIAGNOSTICS_CHANNELS.failover);
    let frozenAt = 0;
    let electedAt = 0;
    const report = await underFreeze(
      etcd,
      victim,
      'freeze-latency/leader/',
      async () => {
        frozenAt = Date.now();
        // The running members agree on a new leader: from then on every member but the frozen one serves.
        await cluster().leader();
        electedAt = Date.now();
      },
      // Reads go on through the election, meeting its silent members and its answers.
      { readAfterEveryPut: true },
    ).finally(() => failovers.stop());
    console.log(`a new leader ${electedAt - frozenAt} ms after the freeze; slowest call ${report.slowestMs} ms (request timeout ${requestTimeoutMs} ms)`);
    expect(report.errors).toEqual([]);
    const backAfterAnAnswer = failovers.messages.filter((m) => m.to === victim.clientUrl && MEMBER_ANSWER.test(m.reason));
    expect(backAfterAnAnswer).toEqual([]);
    const { backoffCapMs } = etcd.options.retry;
    const latestEnd = (t: OperationTiming) => Math.max(t.startedAt + requestTimeoutMs, electedAt) + requestTimeoutMs + backoffCapMs + ANSWER_MS;
    expect(lateOnes(report.timings, latestEnd)).toEqual([]);
  });
});
