/**
 * Renewals are hedged: a renewal that a member leaves unanswered also goes to the next member
 * after a twelfth of the TTL, without waiting out the first. Trying members one after another,
 * each for a quarter of the TTL, would lose a lease behind three hung endpoints.
 */
import { LeaseEvent } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { StallingProxy, startStallingProxy } from '../support/stalling-proxy';
import { Recorder } from './helpers';

const TTL = 4;

describe('lease renewal behind hung endpoints', () => {
  const { cluster, client } = useClusterWithClients(1);
  const proxies: StallingProxy[] = [];
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
  });

  it('keeps a lease alive when three of its four endpoints hang at once, each renewal reaching the live one within the TTL', async () => {
    // Four ways to the one member; the client starts on the first.
    for (let i = 0; i < 4; i++) proxies.push(await startStallingProxy(cluster().endpoints[0]));
    const etcd = client({ endpoints: proxies.map((p) => p.url) });
    const lease = new Recorder<LeaseEvent>(etcd.lease(TTL));
    await lease.next((e) => e.type === 'renewed', 'a first renewal');

    for (const proxy of proxies.slice(0, 3)) proxy.hang();
    const hungAt = Date.now();
    await lease.next((e) => e.type === 'renewed' && Date.now() - hungAt > 2 * TTL * 1000, 'renewals two TTLs after the hang', 30_000);
    expect(lease.error).toBeUndefined();
    // Every renewal after the hang came before the deadline the previous one set.
    const renewals = lease.values.filter((e) => e.type === 'renewed');
    const late = renewals.filter((e, i) => i > 0 && lease.times[lease.values.indexOf(e)] > renewals[i - 1].validUntil);
    expect(late).toEqual([]);
    lease.unsubscribe();
  });
});
