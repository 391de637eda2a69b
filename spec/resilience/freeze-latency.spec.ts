/**
 * How long each call takes while one member of three is frozen (SIGSTOP), measured per operation
 * under a steady load of writes and reads. The bounds come from the client's own options: they
 * say what failover promises, not how fast it is.
 * - A frozen follower costs a call one request timeout on it at most; then a live member is
 *   found within a liveness probe and one backoff.
 * - A frozen leader costs the election too, which no client can shorten: a call ends within the
 *   same allowance after the later of its own request timeout on the frozen member and the moment
 *   the others have a new leader, plus one request timeout for an attempt on a member that was
 *   still waiting for that leader.
 */
import { Etcd } from '../../src';
import { EtcdMember } from '../../src/testing';
import { useClusterWithClients } from '../support/cluster';
import { LoadReport, OperationTiming, startLoad } from '../support/load';
import { waitFor } from '../support/wait';

const REQUEST_TIMEOUT_MS = 1000;

describe('the time of each call while a member is frozen', () => {
  const { cluster, clientPreferring } = useClusterWithClients(3);

  /** After the frozen member is left: a liveness probe of a member not asked lately, and one backoff. */
  const findingALiveMember = (etcd: Etcd) => etcd.options.probeTimeoutMs + etcd.options.retry.backoffCapMs;

  /** The operations that ended later than `latestEnd` allows, as readable lines. */
  const lateOnes = (timings: readonly OperationTiming[], latestEnd: (t: OperationTiming) => number) =>
    timings.filter((t) => t.endedAt > latestEnd(t)).map((t) => `${t.endedAt - t.startedAt} ms, ${t.endedAt - latestEnd(t)} ms late`);

  /**
   * Runs a load through `etcd`, freezes `victim` after 100 acknowledged writes, runs `whileFrozen`,
   * waits for 200 more writes, then stops the load and resumes the member.
   */
  const underFreeze = async (etcd: Etcd, victim: EtcdMember, prefix: string, whileFrozen: () => Promise<void>): Promise<LoadReport> => {
    const load = startLoad(etcd, prefix, 8);
    await waitFor(() => load.acknowledgedCount >= 100, '100 writes before the freeze');
    victim.freeze();
    try {
      await whileFrozen();
      const atFreeze = load.acknowledgedCount;
      await waitFor(() => load.acknowledgedCount >= atFreeze + 200, '200 writes with a member frozen', 60_000);
      await load.stop();
    } finally {
      victim.resume();
    }
    await cluster().waitHealthy();
    return load.report;
  };

  it('a frozen follower costs a call one request timeout at most, plus finding a live member', async () => {
    const leader = await cluster().leader();
    const victim = cluster().members.find((member) => member !== leader)!;
    const etcd = clientPreferring(victim, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const report = await underFreeze(etcd, victim, 'freeze-latency/follower/', async () => undefined);
    expect(report.errors).toEqual([]);
    const allowed = etcd.options.requestTimeoutMs + findingALiveMember(etcd);
    expect(lateOnes(report.timings, (t) => t.startedAt + allowed)).toEqual([]);
  });

  it('a frozen leader costs a call the election and one request timeout at most, plus finding a live member', async () => {
    const victim = await cluster().leader();
    // A deadline far off, so that each call's own time is measured rather than cut.
    const etcd = clientPreferring(victim, { requestTimeoutMs: REQUEST_TIMEOUT_MS, deadlineMs: 30 * REQUEST_TIMEOUT_MS });
    let frozenAt = 0;
    let electedAt = 0;
    const report = await underFreeze(etcd, victim, 'freeze-latency/leader/', async () => {
      frozenAt = Date.now();
      // The running members agree on a new leader: from then on every member but the frozen one serves.
      await cluster().leader();
      electedAt = Date.now();
    });
    const { requestTimeoutMs } = etcd.options;
    console.log(`a new leader ${electedAt - frozenAt} ms after the freeze; slowest call ${report.slowestMs} ms (request timeout ${requestTimeoutMs} ms)`);
    expect(report.errors).toEqual([]);
    const latestEnd = (t: OperationTiming) => Math.max(t.startedAt + requestTimeoutMs, electedAt) + requestTimeoutMs + findingALiveMember(etcd);
    expect(lateOnes(report.timings, latestEnd)).toEqual([]);
  });
});
