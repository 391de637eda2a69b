import { firstValueFrom } from 'rxjs';
import { LeaseEvent } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { Recorder } from './helpers';

// Short, as in the field report: a member down for 2 s is two thirds of it.
const TTL = 3;
// How long each member stays down: long enough that renewals must go elsewhere.
const DOWN_MS = 2000;

// Its own cluster: every member is killed and restarted here.
describe('a lease through a rolling restart', () => {
  const { cluster, client } = useClusterWithClients(3);

  it('stays alive while each member in turn is SIGKILLed, left down 2 s and restarted', async () => {
    const etcd = client();
    const lease = new Recorder<LeaseEvent>(etcd.lease(TTL));
    const granted = await lease.next((e) => e.type === 'granted', 'the grant');
    /** Waits for a renewal that arrived at or after `after` (ms since epoch). */
    const renewedAfter = (after: number, what: string) =>
      lease.next(() => lease.times.some((at, i) => at >= after && lease.values[i].type === 'renewed'), what);

    for (const member of cluster().members) {
      await member.kill();
      const killedAt = Date.now();
      // Down for DOWN_MS, and the lease renewed by the others meanwhile.
      await renewedAfter(killedAt + DOWN_MS, `a renewal ${DOWN_MS} ms after ${member.name} was killed`);
      await member.restart();
      await cluster().waitHealthy();
      await renewedAfter(Date.now(), `a renewal after ${member.name} restarted`);
    }
    // One more TTL with every member back, including the restarted ones' fresh sockets.
    const allBackAt = Date.now();
    await renewedAfter(allBackAt + TTL * 1000, 'renewals for a TTL after the last restart');

    expect(lease.error).toBeUndefined();
    expect((await firstValueFrom(etcd.timeToLive(granted.id))).ttl).toBeGreaterThan(0);
    lease.unsubscribe();
  });
});
