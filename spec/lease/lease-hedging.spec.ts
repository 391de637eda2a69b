/**
 * Renewals are hedged: a renewal that a member leaves unanswered also goes to the next member
 * after a twelfth of the TTL, without waiting out the first. Trying members one after another,
 * each for a quarter of the TTL, would lose a lease behind three hung endpoints.
 */
import { LeaseEvent } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { FakeServer, startFakeServer, versionThen } from '../support/fake-server';
import { StallingProxy, startStallingProxy } from '../support/stalling-proxy';
import { Recorder } from './helpers';

const TTL = 4;

describe('lease renewal behind hung endpoints', () => {
  const { cluster, client } = useClusterWithClients(1);
  const proxies: StallingProxy[] = [];
  const fakes: FakeServer[] = [];
  afterAll(async () => {
    await Promise.all([...proxies, ...fakes].map((p) => p.close()));
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

  it("does not take one member's word that the lease is gone: a second must say so too", async () => {
    // A member that says every lease is gone, as a leader resuming from a pause may for a
    // moment about leases granted while it slept.
    const confused = await startFakeServer(
      versionThen((_, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ result: { header: { cluster_id: '1', member_id: '2', revision: '1', raft_term: '9' }, ID: '1' } }));
      }),
    );
    fakes.push(confused);
    const hanging = await startStallingProxy(cluster().endpoints[0]);
    proxies.push(hanging);
    // Renewals start on the proxy; when it hangs they go to the confused member, then to the real one.
    const etcd = client({ endpoints: [hanging.url, confused.url, cluster().endpoints[0]] });
    const lease = new Recorder<LeaseEvent>(etcd.lease(TTL));
    await lease.next((e) => e.type === 'renewed', 'a first renewal');
    hanging.hang();
    const hungAt = Date.now();
    await lease.next((e) => e.type === 'renewed' && Date.now() - hungAt > TTL * 1000, 'renewals a TTL after the hang', 30_000);
    expect(confused.requests.filter((r) => r === 'POST /v3/lease/keepalive').length).toBeGreaterThan(0);
    expect(lease.error).toBeUndefined();
    lease.unsubscribe();
  });
});
