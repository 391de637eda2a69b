import { spawn } from 'child_process';
import * as path from 'path';
import { filter, firstValueFrom, lastValueFrom, take, takeWhile, timeout, toArray } from 'rxjs';
import {
  Etcd,
  EtcdAllEndpointsFailedError,
  EtcdClientClosedError,
  EtcdInvalidArgumentError,
  EtcdWebSocketRefusedError,
  Op,
  WatchBatch,
  WatchCompactedError,
  WatchTransport,
} from '../../src';
import { EtcdCluster } from '../../src/testing';
import { streamJsonLines } from '../../src/transport/http-stream';
import { createAgent } from '../../src/transport/http-endpoint';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { startStallingProxy } from '../support/stalling-proxy';
import { startUpgradeBlockingProxy } from './upgrade-blocking-proxy';
import { Recorder, socketsTo, watchGauges } from './watch-helpers';

// The server cuts a watch answer bigger than this plus 512 KiB (its gRPC allowance) into
// fragments; a small limit lets a modest range delete with prevKv cross that line.
const MAX_REQUEST_BYTES = 65_536;

describe('watch against a real 3-member etcd', () => {
  const cluster = useCluster(3, {
    extraArgs: ['--experimental-watch-progress-notify-interval', '500ms', '--max-request-bytes', String(MAX_REQUEST_BYTES)],
  });
  const clients: Etcd[] = [];
  const client = (transport: WatchTransport) => {
    const etcd = new Etcd({ endpoints: cluster().endpoints, watchTransport: transport, requestTimeoutMs: 2000 });
    clients.push(etcd);
    return etcd;
  };
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  /** Server-side watches across the cluster. */
  const watchers = async (c: EtcdCluster = cluster()) => (await Promise.all(c.members.map(watchGauges))).reduce((sum, g) => sum + g.watchers, 0);
  /** Watch streams across the cluster. */
  const streams = async () => (await Promise.all(cluster().members.map(watchGauges))).reduce((sum, g) => sum + g.streams, 0);
  /** The first `n` batches of a watch, within a generous deadline. */
  const firstBatches = (watch: ReturnType<Etcd['watch']>, n: number) => lastValueFrom(watch.pipe(take(n), toArray(), timeout(30_000)));
  /** Waits until the watch is created on the server (the watch's only visible trace before events). */
  const created = async (before: number) => waitFor(async () => (await watchers()) > before, 'the server-side watch to exist');
  // Every test ends its watches (take(n), unsubscribe): none may stay on the server.
  afterEach(() => waitFor(async () => (await watchers()) === 0, 'every server-side watch of the test to be cancelled'));

  describe.each<WatchTransport>(['websocket', 'http'])('over %s', (transport) => {
    let etcd: Etcd;
    beforeAll(() => {
      etcd = client(transport);
    });
    const p = (name: string) => `${transport}/${name}/`;

    it('delivers puts and deletes with their KeyValue, prevKv and revision; a transaction is one batch', async () => {
      const prefix = p('events');
      const before = await watchers();
      const batches = firstBatches(etcd.watch({ prefix }, { prevKv: true }), 4);
      await created(before);
      const first = await firstValueFrom(etcd.put(`${prefix}a`, '1'));
      const txn = await firstValueFrom(etcd.txn({ compare: [], success: [Op.put(`${prefix}b`, '2'), Op.put(`${prefix}c`, '3')], failure: [] }));
      const second = await firstValueFrom(etcd.put(`${prefix}a`, '4'));
      const deleted = await firstValueFrom(etcd.delete(`${prefix}a`));
      const [put, both, update, removal] = await batches;

      expect(put.revision).toBe(first.revision);
      expect(put.progress).toBe(false);
      expect(put.events).toHaveLength(1);
      expect(put.events[0]).toMatchObject({ type: 'put', revision: first.revision });
      expect(put.events[0].kv).toMatchObject({ key: `${prefix}a`, value: '1', createRevision: first.revision, modRevision: first.revision, version: 1 });
      expect(put.events[0].prevKv.none).toBe(true);

      expect(both.revision).toBe(txn.header.revision);
      expect(both.events.map((e) => [e.type, e.kv.key, e.kv.value, e.revision])).toEqual([
        ['put', `${prefix}b`, '2', txn.header.revision],
        ['put', `${prefix}c`, '3', txn.header.revision],
      ]);

      expect(update.revision).toBe(second.revision);
      expect(update.events[0].kv.version).toBe(2);
      expect(update.events[0].prevKv.unwrap().value).toBe('1');

      expect(removal.revision).toBe(deleted.header.revision);
      expect(removal.events[0].type).toBe('delete');
      expect(removal.events[0].kv.key).toBe(`${prefix}a`);
      expect(removal.events[0].kv.modRevision).toBe(deleted.header.revision);
      expect(removal.events[0].prevKv.unwrap().value).toBe('4');
      // Seen as they happened: each came in an answer of its own revision.
      expect([put, both, update, removal].map((b) => b.headerRevision - b.revision)).toEqual([0, 0, 0, 0]);
    });

    it('leaves out puts or deletes with the noPut / noDelete filters, like etcd', async () => {
      const prefix = p('filters');
      const before = await watchers();
      const deletesOnly = firstBatches(etcd.watch({ prefix }, { noPut: true }), 1);
      const putsOnly = firstBatches(etcd.watch({ prefix }, { noDelete: true }), 2);
      await created(before + 1);
      const put = await firstValueFrom(etcd.put(`${prefix}k`, 'v'));
      const removal = await firstValueFrom(etcd.delete(`${prefix}k`));
      const again = await firstValueFrom(etcd.put(`${prefix}k`, 'w'));
      expect((await deletesOnly).map((b) => [b.revision, b.events[0].type])).toEqual([[removal.header.revision, 'delete']]);
      expect((await putsOnly).map((b) => [b.revision, b.events[0].type])).toEqual([
        [put.revision, 'put'],
        [again.revision, 'put'],
      ]);
    });

    it('replays history from startRevision, one batch per revision, each with the header revision of the answer', async () => {
      const key = `${p('history')}k`;
      const revisions: number[] = [];
      for (const value of ['a', 'b', 'c']) revisions.push((await firstValueFrom(etcd.put(key, value))).revision);
      const batches = await firstBatches(etcd.watch(key, { startRevision: revisions[0] }), 3);
      // The server caught the watch up in one answer, sent when the store was at the last put.
      expect(batches.map((b) => [b.revision, b.headerRevision, b.events[0].kv.value])).toEqual([
        [revisions[0], revisions[2], 'a'],
        [revisions[1], revisions[2], 'b'],
        [revisions[2], revisions[2], 'c'],
      ]);
    });

    it('fails with WatchCompactedError carrying the compact revision when startRevision was compacted', async () => {
      const key = `${p('compacted')}k`;
      const old = await firstValueFrom(etcd.put(key, 'old'));
      const latest = await firstValueFrom(etcd.put(key, 'new'));
      await firstValueFrom(etcd.compact(latest.revision));
      const error = await firstValueFrom(etcd.watch(key, { startRevision: old.revision })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WatchCompactedError);
      expect((error as WatchCompactedError).compactRevision).toBe(latest.revision);
      expect((error as WatchCompactedError).requestedRevision).toBe(old.revision);
      // From the compact revision on, history is still there.
      const [batch] = await firstBatches(etcd.watch(key, { startRevision: latest.revision }), 1);
      expect(batch.events[0].kv.value).toBe('new');
    });

    it("ends only the watch whose startRevision was compacted: the client's other watches go on", async () => {
      const key = `${p('compacted-alone')}k`;
      const old = await firstValueFrom(etcd.put(key, 'old'));
      const latest = await firstValueFrom(etcd.put(key, 'new'));
      await firstValueFrom(etcd.compact(latest.revision));
      const before = await watchers();
      const live = new Recorder(etcd.watch(key, { createdNotify: true }));
      try {
        await waitFor(() => live.batches.length === 1, 'the other watch to be live');
        const compacted = new Recorder(etcd.watch(key, { startRevision: old.revision }));
        await waitFor(() => compacted.error !== undefined, 'the compacted watch to fail');
        expect(compacted.error).toBeInstanceOf(WatchCompactedError);
        const next = await firstValueFrom(etcd.put(key, 'next'));
        await waitFor(() => live.batches.length === 2 || live.error !== undefined, 'the other watch to see the next put');
        expect([live.error, live.batches[1].revision, live.batches[1].events[0].kv.value]).toEqual([undefined, next.revision, 'next']);
        await waitFor(async () => (await watchers()) === before + 1, 'only the compacted watch to leave the server');
      } finally {
        live.stop();
      }
    });

    it('is cold: the server-side watch exists only between subscribe and unsubscribe', async () => {
      const watch = etcd.watch({ prefix: p('cold') });
      expect(await watchers()).toBe(0);
      const subscription = watch.subscribe();
      await created(0);
      expect(await watchers()).toBe(1);
      subscription.unsubscribe();
      await waitFor(async () => (await watchers()) === 0, 'the server-side watch to be cancelled');
    });

    it('with createdNotify, says when it is live: a put made at once after that is seen, 1,000 times in a row', async () => {
      const key = p('live');
      for (let i = 0; i < 1000; i++) {
        const value = String(i);
        // The put is made from the announcement itself, as a user would. A member that has not yet
        // applied the previous round's put starts "now" before it, so that one may come first.
        const [announced, ...changes] = await new Promise<WatchBatch[]>((resolve, reject) => {
          const batches: WatchBatch[] = [];
          etcd
            .watch(key, { createdNotify: true })
            .pipe(
              takeWhile((batch) => !batch.events.some((e) => e.kv.value === value), true),
              timeout(10_000),
            )
            .subscribe({
              next: (batch) => {
                batches.push(batch);
                if (batch.created) etcd.put(key, value).subscribe({ error: reject });
              },
              error: reject,
              complete: () => resolve(batches),
            });
        });
        expect(announced).toMatchObject({ created: true, progress: false, events: [] });
        expect(changes.map((b) => b.created)).not.toContain(true);
        expect(changes.every((b) => b.revision >= announced.revision)).toBe(true);
      }
    }, 120_000);

    it('emits progress notifications only when asked to', async () => {
      const prefix = p('progress');
      const quiet = new Recorder(etcd.watch({ prefix }));
      const progress: WatchBatch[] = await firstBatches(etcd.watch({ prefix }, { progressNotify: true }), 2);
      const now = await firstValueFrom(etcd.put(`${p('elsewhere')}k`, 'v'));
      expect(progress.every((b) => b.progress && b.events.length === 0)).toBe(true);
      expect(progress[1].revision).toBeGreaterThanOrEqual(progress[0].revision);
      expect(progress[1].revision).toBeLessThanOrEqual(now.revision);
      expect(quiet.batches).toEqual([]);
      expect(quiet.error).toBeUndefined();
      quiet.stop();
    });

    it('reassembles a revision that the server cut into fragments', async () => {
      const prefix = p('fragments');
      const value = 'x'.repeat(500);
      for (let t = 0; t < 12; t++) {
        const ops = Array.from({ length: 100 }, (_, i) => Op.put(`${prefix}${t}/${String(i).padStart(3, '0')}`, value));
        await firstValueFrom(etcd.txn({ compare: [], success: ops, failure: [] }));
      }
      const removal = await firstValueFrom(etcd.delete({ prefix }));
      expect(removal.deleted).toBe(1200);

      // The premise: on the wire, this revision does arrive in several pieces.
      const endpoint = { url: cluster().endpoints[0], agent: createAgent(cluster().endpoints[0]) };
      const range = { key: Buffer.from(prefix).toString('base64'), range_end: Buffer.from(`${prefix.slice(0, -1)}0`).toString('base64') };
      const create = { ...range, start_revision: removal.header.revision, prev_kv: true, fragment: true };
      const [firstPiece] = await lastValueFrom(
        streamJsonLines(endpoint, '/v3/watch', { create_request: create }).pipe(
          filter((m) => m.created !== true),
          take(1),
          toArray(),
          timeout(30_000),
        ),
      );
      endpoint.agent.destroy();
      expect(firstPiece.fragment).toBe(true);

      const [batch] = await firstBatches(etcd.watch({ prefix }, { startRevision: removal.header.revision, prevKv: true }), 1);
      expect(batch.revision).toBe(removal.header.revision);
      expect(batch.events.length).toBe(1200);
      expect(batch.events.every((e) => e.type === 'delete' && e.prevKv.unwrap().value === value)).toBe(true);
    });
  });

  it('refuses bad arguments on the error channel, before anything is sent', async () => {
    const etcd = client('auto');
    const failure = (watch: ReturnType<Etcd['watch']>) => firstValueFrom(watch).catch((e: unknown) => e);
    expect(await failure(etcd.watch(''))).toBeInstanceOf(EtcdInvalidArgumentError);
    expect(await failure(etcd.watch('k', { startRevision: -1 }))).toBeInstanceOf(EtcdInvalidArgumentError);
    expect(await failure(etcd.watch('k', { prevKv: 'yes' as unknown as boolean }))).toBeInstanceOf(EtcdInvalidArgumentError);
    expect(((await failure(etcd.watch('k', { startRevision: 1.5 }))) as Error).message).toContain('startRevision');
    expect(() => new Etcd({ endpoints: cluster().endpoints, watchTransport: 'carrier-pigeon' as WatchTransport })).toThrow(EtcdInvalidArgumentError);
  });

  it('carries 1,000 watches on one WebSocket; unsubscribing all leaves no server-side watch; close() ends the rest', async () => {
    const etcd = new Etcd({ endpoints: cluster().endpoints, watchTransport: 'websocket' });
    const prefix = 'scale/';
    const streamsBefore = await streams();
    const recorders = Array.from({ length: 1000 }, (_, i) => new Recorder(etcd.watch(i % 2 === 0 ? { prefix } : `${prefix}k`)));
    await waitFor(async () => (await watchers()) === 1000, '1,000 server-side watches', 60_000);

    expect(await streams()).toBe(streamsBefore + 1);
    // One WebSocket (one stream on the server, above), plus the keep-alive connections of the
    // member's probes: a status question and a liveness probe may be in flight at once.
    const sockets = socketsTo(cluster().endpoints);
    expect(sockets.length).toBeLessThanOrEqual(3);

    const written = await firstValueFrom(etcd.put(`${prefix}k`, 'v'));
    await waitFor(() => recorders.every((r) => r.lastRevision === written.revision), 'every watch to see the put');
    expect(recorders.every((r) => r.batches.length === 1 && r.error === undefined)).toBe(true);

    for (const r of recorders) r.stop();
    // The guarantee is that no watch is left on the server. Whether the stream gauge falls back
    // as well is up to the server: etcd 3.5's gateway never releases a WebSocket's stream, even
    // once every watch on it is cancelled and the socket closed (see docs/compatibility.md).
    await waitFor(async () => (await watchers()) === 0, 'every server-side watch to be cancelled');

    // Shutting down is not a failure: open watches and mirrors complete; new ones are refused.
    const live = new Recorder(etcd.watch('after-close'));
    const mirrored: unknown[] = [];
    let mirrorEnded = 'no';
    etcd
      .mirror({ prefix: 'after-close/' })
      .subscribe({ next: (s) => mirrored.push(s), complete: () => (mirrorEnded = 'completed'), error: () => (mirrorEnded = 'failed') });
    await etcd.close();
    expect([live.completed, live.error]).toEqual([true, undefined]);
    expect(mirrorEnded).toBe('completed');
    // A probe's connection still being opened when close() ran is destroyed as it opens.
    await waitFor(() => socketsTo(cluster().endpoints).length === 0, 'no socket to the members after close()', 2000);
    const late = await firstValueFrom(etcd.watch('k')).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(EtcdClientClosedError);
  });

  it('leaves no socket or timer after close(): a process with 1,000 watches exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'watch-then-close.ts'), cluster().endpoints.join(',')], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => child.exitCode !== null, 'the child to exit by itself', 60_000);
    } finally {
      child.kill('SIGKILL');
    }
    expect({ code: await exited, stderr }).toEqual({ code: 0, stderr: '' });
    const { liveClosed, resources } = JSON.parse(stdout) as { liveClosed: boolean; resources: string[] };
    expect(liveClosed).toBe(true);
    expect(resources.filter((r) => /Timeout|TCP|Connect|Shutdown/.test(r))).toEqual([]);
    await waitFor(async () => (await watchers()) === 0, 'no watch of the child left on the server');
  });

  it('falls back to HTTP streams by itself when a proxy refuses the WebSocket upgrade', async () => {
    const proxy = await startUpgradeBlockingProxy(cluster().endpoints[0]);
    try {
      const etcd = new Etcd({ endpoints: [proxy.url] });
      clients.push(etcd);
      const first = firstBatches(etcd.watch('proxied/a'), 1);
      const second = firstBatches(etcd.watch('proxied/b'), 1);
      await waitFor(async () => (await watchers()) === 2, 'both watches to exist');
      const a = await firstValueFrom(etcd.put('proxied/a', '1'));
      const b = await firstValueFrom(etcd.put('proxied/b', '2'));
      expect((await first)[0].revision).toBe(a.revision);
      expect((await second)[0].revision).toBe(b.revision);
      // The refusal is remembered: the second watch did not try the upgrade again.
      expect(proxy.refusedUpgrades).toBe(1);

      const forced = new Etcd({ endpoints: [proxy.url], watchTransport: 'websocket', watchGiveUpAfterMs: 300 });
      clients.push(forced);
      const error = await firstValueFrom(forced.watch('proxied/a')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EtcdAllEndpointsFailedError);
      expect((error as EtcdAllEndpointsFailedError).failures[0].error).toBeInstanceOf(EtcdWebSocketRefusedError);
    } finally {
      await proxy.close();
    }
  });

  it('leaves a stalled WebSocket within two progress intervals, though its member answers every probe', async () => {
    const proxy = await startStallingProxy(cluster().endpoints[0]);
    const intervalMs = 300;
    try {
      const etcd = new Etcd({ endpoints: [proxy.url], watchTransport: 'websocket', watchProgressIntervalMs: intervalMs });
      clients.push(etcd);
      const watch = new Recorder(etcd.watch('stalled/k'));
      await created(0);
      proxy.stallWebSockets();
      const stalledAt = Date.now();
      await waitFor(() => proxy.webSocketConnections === 2, 'a second WebSocket');
      expect(Date.now() - stalledAt).toBeLessThan(2 * intervalMs + 2000);
      // Written whether or not the new watch exists yet: it resumes from where the stalled one was.
      const written = await firstValueFrom(etcd.put('stalled/k', 'v'));
      await waitFor(() => watch.lastRevision === written.revision, 'the write to be delivered');
      expect(watch.revisions).toEqual([written.revision]);
      watch.stop();
    } finally {
      await proxy.close();
    }
  });
});
