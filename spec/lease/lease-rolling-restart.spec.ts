import { firstValueFrom } from 'rxjs';
import { LeaseEvent } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { Recorder } from './helpers';

// Short, as in the field report: two leader elections back to back nearly fill it.
const TTL = 3;
// The default pace for a lease this short (TTL/6), said out loud: the first kill is timed against it.
const EVERY_MS = 500;

// Its own cluster: every member is killed and restarted here.
describe('a lease through a rolling restart', () => {
  const { cluster, client } = useClusterWithClients(3);

  it('stays alive while each member in turn, the leader first, is SIGKILLed and restarted', async () => {
    const etcd = client();
    const lease = new Recorder<LeaseEvent>(etcd.lease(TTL));
    const granted = await lease.next((e) => e.type === 'granted', 'the grant');
    /** Waits for a renewal that arrived at or after `after` (ms since epoch); returns when it arrived. */
    const renewedAfter = async (after: number, what: string): Promise<number> => {
      const arrived = () => lease.times.find((at, i) => at >= after && lease.values[i].type === 'renewed');
      await lease.next(() => arrived() !== undefined, what);
      return arrived() ?? after;
    };

    // The first leader dies just before a renewal falls due, so the renewal that waits out the
    // election starts at once: the hardest case for a deadline counted from its first attempt.
    const lastRenewal = await renewedAfter(Date.now(), 'a renewal before the first kill');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastRenewal + EVERY_MS - 100 - Date.now())));
    // The leader first whenever it has not had its turn. Each member stays down until the others
    // renewed the lease, and the next goes down as soon as it is back, as in a rolling restart.
    const waiting = [...cluster().members];
    while (waiting.length > 0) {
      const leader = await cluster().leader();
      const member = waiting.includes(leader) ? leader : waiting[0];
      waiting.splice(waiting.indexOf(member), 1);
      await member.kill();
      await renewedAfter(Date.now(), `a renewal with ${member.name} down`);
      await member.restart();
    }
    await renewedAfter(Date.now() + TTL * 1000, 'renewals for a TTL after the last restart');

    expect(lease.error).toBeUndefined();
    expect((await firstValueFrom(etcd.timeToLive(granted.id))).ttl).toBeGreaterThan(0);
    lease.unsubscribe();
  });
});
