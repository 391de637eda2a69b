/**
 * Watches and leases of a user without the root role, across the expiry of its token (simple
 * tokens, 3 s of disuse). From etcd 3.5.x `maintenance/status` is for admins only ("permission
 * denied" to anyone else), and a member watchdog probe must not make that the watch's failure;
 * 3.5 also checks the token of each lease keep-alive, which 3.4 does not. A stream opened again
 * after the token expired is refused for its token and must get a new one, once: a user who
 * truly lacks the permission hears so after that one new token, not never.
 */
import { firstValueFrom } from 'rxjs';
import { DIAGNOSTICS_CHANNELS, EtcdPermissionDeniedError, LeaseEvent, WatchBatch } from '../../src';
import { CallStartMessage } from '../../src/diagnostics/channels';
import { etcdVersion, findEtcdBinary } from '../../src/testing';
import { useClusterWithClients } from '../support/cluster';
import { listen } from '../support/diagnostics';
import { waitFor } from '../support/wait';
import { Recorder } from '../lease/helpers';
import { addUserWithPrefix } from './secure-helpers';

const TOKEN_TTL_S = 3;
const BOB = { username: 'bob', password: 'bob-Pa55-word' };
const expiry = () => new Promise((resolve) => setTimeout(resolve, (TOKEN_TTL_S + 2) * 1000));

describe('watches and leases across an expired auth token', () => {
  const { cluster, client, clientPreferring } = useClusterWithClients(3, { auth: true, authTokenTtlSeconds: TOKEN_TTL_S });
  beforeAll(() => addUserWithPrefix(cluster(), BOB.username, BOB.password, 'exp/'), 30_000);

  it('keeps delivering to a user without the root role, a put 5 s later included', async () => {
    const watcher = client({ auth: BOB });
    const writer = client({ auth: cluster().rootCredentials });
    // From the first put's revision: a watch still being created cannot miss it.
    const first = await firstValueFrom(writer.put('exp/1', 'v'));
    const watch = new Recorder<WatchBatch>(watcher.watch({ prefix: 'exp/' }, { startRevision: first.revision }));
    await watch.next((b) => b.events.some((e) => e.kv.key === 'exp/1'), 'the first put');
    // The scenario itself: both clients' tokens have expired by then, and the watch's member was probed meanwhile.
    await expiry();
    await firstValueFrom(writer.put('exp/2', 'v'));
    await watch.next((b) => b.events.some((e) => e.kv.key === 'exp/2'), 'the put after the tokens expired');
    expect(watch.error).toBeUndefined();
    expect(watch.values.flatMap((b) => b.events.map((e) => e.kv.key))).toEqual(['exp/1', 'exp/2']);
    watch.unsubscribe();
  });

  it('carries the watches of a user over HTTP streams, as no member here passes a WebSocket token on', async () => {
    const starts = listen<CallStartMessage>(DIAGNOSTICS_CHANNELS.callStart);
    try {
      const watcher = client({ auth: BOB });
      const writer = client({ auth: cluster().rootCredentials });
      const first = await firstValueFrom(writer.put('exp/http', 'v'));
      const watch = new Recorder<WatchBatch>(watcher.watch('exp/http', { startRevision: first.revision }));
      await watch.next((b) => b.events.length > 0, 'the put');
      watch.unsubscribe();
      // The member's version was asked once (`/version`: status is for root only from 3.5).
      const version = etcdVersion(findEtcdBinary());
      expect(version).toMatch(/^3\.[45]\./);
      const watches = starts.messages.filter((m) => m.method === 'watch');
      expect(watches).toEqual([expect.objectContaining({ streaming: true })]);
      expect(starts.messages.filter((m) => m.method === 'version' && m.endpoint === watches[0].endpoint)).toHaveLength(1);
    } finally {
      starts.stop();
    }
  });

  it('keeps a watch and a lease of a user going across the expiry of its token and a restart of their member', async () => {
    const victim = cluster().members.find((m) => m !== cluster().members[0]) ?? fail('no second member');
    // A slow watchdog: its status questions would keep the token alive on the watch's member.
    const watcher = clientPreferring(victim, { auth: BOB, watchProgressIntervalMs: 30_000 });
    // A client of its own: nothing else it does gets it a new token.
    const keeper = clientPreferring(victim, { auth: BOB });
    const writer = clientPreferring(cluster().members[0], { auth: cluster().rootCredentials });
    const refreshes = listen<unknown>(DIAGNOSTICS_CHANNELS.authRefresh);
    try {
      const first = await firstValueFrom(writer.put('exp/r1', 'v'));
      const watch = new Recorder<WatchBatch>(watcher.watch({ prefix: 'exp/r' }, { startRevision: first.revision }));
      // Renewed every 5 s: each keep-alive comes after the token expired (3.5 checks it, 3.4 does not).
      const lease = new Recorder<LeaseEvent>(keeper.lease(15));
      await watch.next((b) => b.events.some((e) => e.kv.key === 'exp/r1'), 'the first put');
      await lease.next((e) => e.type === 'granted', 'the lease');
      await expiry();
      await victim.restart();
      await firstValueFrom(writer.put('exp/r2', 'v'));
      await watch.next((b) => b.events.some((e) => e.kv.key === 'exp/r2'), 'the put after the restart');
      const renewals = lease.values.length;
      await waitFor(() => lease.values.length > renewals + 1 || lease.error !== undefined, 'two renewals after the restart', 20_000);
      expect(lease.error).toBeUndefined();
      expect(watch.error).toBeUndefined();
      expect(watch.values.flatMap((b) => b.events.map((e) => e.kv.key))).toEqual(['exp/r1', 'exp/r2']);
      expect(refreshes.messages.length).toBeGreaterThan(0);
      watch.unsubscribe();
      lease.unsubscribe();
    } finally {
      refreshes.stop();
    }
  }, 60_000);

  it('tells a user who lacks the permission so, after one new token', async () => {
    const watcher = client({ auth: BOB });
    await firstValueFrom(watcher.put('exp/own', 'v'));
    const refreshes = listen<unknown>(DIAGNOSTICS_CHANNELS.authRefresh);
    try {
      const watch = new Recorder<WatchBatch>(watcher.watch({ prefix: 'forbidden/' }));
      await waitFor(() => watch.error !== undefined, 'the refusal', 10_000);
      expect(watch.error).toBeInstanceOf(EtcdPermissionDeniedError);
      expect(refreshes.messages).toHaveLength(1);
    } finally {
      refreshes.stop();
    }
  });
});
