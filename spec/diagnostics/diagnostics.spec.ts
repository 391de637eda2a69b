/**
 * The diagnostics channels on a real 3-member cluster: each attempt's start and end, named as the
 * gateway names the operation; a failover after a member is killed; a watch connecting, then
 * resuming elsewhere; coalesced batches.
 */
import { firstValueFrom, forkJoin, Subscription } from 'rxjs';
import { CallEndMessage, CallStartMessage, CoalesceBatchMessage, DIAGNOSTICS_CHANNELS, FailoverMessage, WatchBatch, WatchConnectMessage } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { listen } from '../support/diagnostics';
import { waitFor } from '../support/wait';

describe('diagnostics channels on a real cluster', () => {
  const { cluster, client, clientPreferring } = useClusterWithClients(3);
  const listeners: { stop(): void }[] = [];
  const on = <M>(name: string) => {
    const listener = listen<M>(name);
    listeners.push(listener);
    return listener.messages;
  };
  afterEach(() => {
    for (const listener of listeners.splice(0)) listener.stop();
  });

  it("tells each attempt's start and end, with the gateway's method name", async () => {
    const etcd = client({ coalesceReads: false, coalesceWrites: false });
    const starts = on<CallStartMessage>(DIAGNOSTICS_CHANNELS.callStart);
    const ends = on<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd);
    await firstValueFrom(etcd.put('diag/k', 'v'));
    await firstValueFrom(etcd.get('diag/k'));
    await firstValueFrom(etcd.delete('diag/k'));
    const lease = await firstValueFrom(etcd.grantLease(30));
    await firstValueFrom(etcd.revokeLease(lease.id));
    const methods = starts.map((s) => s.method).filter((m) => m !== 'version');
    expect(methods).toEqual(['put', 'range', 'deleterange', 'lease/grant', 'lease/revoke']);
    for (const start of starts) {
      expect(cluster().endpoints).toContain(start.endpoint);
      expect(start.attempt).toBe(1);
      expect(start.streaming).toBe(false);
    }
    const range = ends.find((e) => e.method === 'range');
    expect(range).toEqual(expect.objectContaining({ method: 'range', attempt: 1, streaming: false }));
    expect(range?.durationMs).toBeGreaterThanOrEqual(0);
    expect(range?.error).toBeUndefined();
  });

  it('tells a failover, and the failed attempt, after the member serving the client is killed', async () => {
    const victim = cluster().members[0];
    const etcd = clientPreferring(victim, { coalesceReads: false });
    await firstValueFrom(etcd.put('diag/f', 'v'));
    const failovers = on<FailoverMessage>(DIAGNOSTICS_CHANNELS.failover);
    const ends = on<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd);
    await victim.kill();
    try {
      expect((await firstValueFrom(etcd.get('diag/f'))).unwrap().value).toBe('v');
      expect(failovers[0]).toEqual(expect.objectContaining({ method: 'range', from: victim.clientUrl }));
      expect(cluster().endpoints.filter((e) => e !== victim.clientUrl)).toContain(failovers[0].to);
      expect(failovers[0].reason.length).toBeGreaterThan(0);
      const failed = ends.find((e) => e.endpoint === victim.clientUrl && e.error !== undefined);
      expect(failed).toBeDefined();
      // When the victim led, the next member may answer "leader changed" first: the read moves again.
      const answered = ends.find((e) => e.method === 'range' && e.error === undefined);
      expect(answered?.endpoint).toBe(failovers[failovers.length - 1].to);
      expect(answered?.attempt).toBeGreaterThan(1);
    } finally {
      await victim.restart();
      await cluster().waitHealthy();
    }
  });

  it('tells a watch connecting, then resuming on another member from where it stood', async () => {
    const victim = cluster().members[1];
    const etcd = clientPreferring(victim);
    const connects = on<WatchConnectMessage>(DIAGNOSTICS_CHANNELS.watchConnect);
    const resumes = on<WatchConnectMessage>(DIAGNOSTICS_CHANNELS.watchResume);
    const batches: WatchBatch[] = [];
    const watching: Subscription = etcd.watch({ prefix: 'diag/w/' }).subscribe((batch) => batches.push(batch));
    try {
      await waitFor(() => connects.length === 1, 'the watch to connect');
      expect(connects[0]).toEqual({ endpoint: victim.clientUrl, fromRevision: 0, key: Buffer.from('diag/w/').toString('base64') });
      const put = await firstValueFrom(etcd.put('diag/w/1', 'a'));
      await waitFor(() => batches.length === 1, 'the first event');
      await victim.kill();
      await waitFor(() => resumes.length > 0, 'the watch to resume elsewhere');
      expect(resumes[0].endpoint).not.toBe(victim.clientUrl);
      expect(resumes[0].fromRevision).toBe(put.header.revision + 1);
    } finally {
      watching.unsubscribe();
      await victim.restart();
      await cluster().waitHealthy();
    }
  });

  it('tells the size of each coalesced batch', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('diag/c', 'v'));
    const batches = on<CoalesceBatchMessage>(DIAGNOSTICS_CHANNELS.coalesceBatch);
    // The first read goes alone, at once; the three made while it is in flight, as one batch.
    await firstValueFrom(forkJoin([etcd.get('diag/c0'), etcd.get('diag/c'), etcd.get('diag/c2'), etcd.get('diag/c3')]));
    expect(batches).toEqual([
      { kind: 'reads', size: 1 },
      { kind: 'reads', size: 3 },
    ]);
  });
});
