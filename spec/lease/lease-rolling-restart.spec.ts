import { firstValueFrom } from 'rxjs';
import { Etcd, LeaseEvent, LeaseLostError } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { electionEndDuring, Leaderless, watchLeadership } from '../support/leadership';
import { Recorder } from './helpers';

// Short, as in the field report: two leader elections back to back nearly fill it.
const TTL = 3;
// The default pace for a lease this short (TTL/6), said out loud: the first kill is timed against it.
const EVERY_MS = 500;
// How often an unanswered renewal also goes to the next member (a twelfth of the TTL): a leader
// elected less than this before a lease's deadline may be too late for any renewal to reach it.
const HEDGE_MS = (TTL * 1000) / 12;
// A renewal reaches a new leader within a hedge or two of its election (measured: within 10 ms of
// the election being seen); a third of the TTL allows for a loaded machine.
const RENEWED_AFTER_ELECTION_MS = (TTL * 1000) / 3;

/** A lease being kept alive, and when each event of it arrived. */
function keptAlive(etcd: Etcd): Recorder<LeaseEvent> {
  return new Recorder<LeaseEvent>(etcd.lease(TTL));
}

/** Until when the lease's latest event says it is valid (ms since the epoch). */
function validUntil(lease: Recorder<LeaseEvent>): number {
  return lease.values[lease.values.length - 1].validUntil;
}

/**
 * Whether etcd had no leader from `killedAt` until `deadline` (within a hedge): no keep-alive
 * succeeds without one, so no client could have renewed the lease before its deadline.
 */
function leaderlessUntil(periods: readonly Leaderless[], killedAt: number, deadline: number): boolean {
  return periods.some((period) => period.from <= killedAt && period.to >= deadline - HEDGE_MS);
}

// Its own cluster: every member is killed and restarted here.
describe('a lease through a rolling restart', () => {
  const { cluster, client } = useClusterWithClients(3);

  it('stays alive while each member in turn, the leader first, is SIGKILLed and restarted', async () => {
    const etcd = client();
    let leadership = watchLeadership(cluster());
    let lease = keptAlive(etcd);
    try {
      await lease.next((e) => e.type === 'granted', 'the grant');
      /** Waits for a renewal that arrived at or after `after` (ms since epoch), or for the lease's loss. */
      const renewedAfter = async (after: number, what: string): Promise<boolean> => {
        const arrived = () => lease.times.some((at, i) => at >= after && lease.values[i].type === 'renewed');
        await lease
          .next(() => arrived(), what)
          .catch((error: unknown) => {
            if (lease.error === undefined) throw error;
          });
        return arrived();
      };

      // The first leader dies just before a renewal falls due, so the renewal that waits out the
      // election starts at once: the hardest case for a deadline counted from its first attempt.
      await lease.next((e) => e.type === 'renewed', 'a renewal before the first kill');
      const lastRenewal = lease.times[lease.times.length - 1];
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastRenewal + EVERY_MS - 100 - Date.now())));
      // The leader first whenever it has not had its turn. Each member stays down until the others
      // renewed the lease, and the next goes down as soon as it is back, as in a rolling restart.
      const waiting = [...cluster().members];
      let electionsOutlastingLease = 0;
      while (waiting.length > 0) {
        const leader = await cluster().leader();
        const member = waiting.includes(leader) ? leader : waiting[0];
        waiting.splice(waiting.indexOf(member), 1);
        await member.kill();
        const killedAt = Date.now();
        const deadline = validUntil(lease);
        const renewed = await renewedAfter(killedAt, `a renewal with ${member.name} down`);
        await cluster().leader();
        const periods = await leadership.stop();
        leadership = watchLeadership(cluster());
        if (renewed) {
          // The client's part: the first renewal after etcd elected a leader is sent at once.
          const renewedAt = lease.times.find((at, i) => at >= killedAt && lease.values[i].type === 'renewed') ?? killedAt;
          const elected = electionEndDuring(periods, killedAt, renewedAt) ?? killedAt;
          expect(renewedAt - elected).toBeLessThan(RENEWED_AFTER_ELECTION_MS);
        } else {
          // Lost: only at its deadline, and only because etcd elected no leader in the time the
          // lease had left (on a loaded machine an election can take longer). An application would
          // take a new lease, and so does the rolling restart.
          expect(lease.error).toBeInstanceOf(LeaseLostError);
          expect((lease.error as LeaseLostError).reason).toBe('unreachable');
          expect(lease.errorAt).toBeGreaterThanOrEqual(deadline);
          expect({ killedAt, deadline, periods, leaderlessUntilDeadline: leaderlessUntil(periods, killedAt, deadline) }).toMatchObject({
            leaderlessUntilDeadline: true,
          });
          electionsOutlastingLease++;
          lease.unsubscribe();
          lease = keptAlive(etcd);
          await lease.next((e) => e.type === 'granted', 'a new grant');
        }
        await member.restart();
      }
      await renewedAfter(Date.now() + TTL * 1000, 'renewals for a TTL after the last restart');

      expect(lease.error).toBeUndefined();
      // Had every election outlasted what the lease had left, nothing of the client was tested.
      expect(electionsOutlastingLease).toBeLessThan(cluster().members.length);
      expect((await firstValueFrom(etcd.timeToLive(lease.values[0].id))).ttl).toBeGreaterThan(0);
    } finally {
      // A failed step must not leave the watcher asking forever.
      await leadership.stop();
      lease.unsubscribe();
    }
  });
});
