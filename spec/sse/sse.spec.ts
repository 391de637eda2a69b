/**
 * The Server-Sent Events contract of etcd-rx/sse, against a real etcd member: what a browser's
 * EventSource would receive, read here over plain HTTP.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { firstValueFrom } from 'rxjs';
import { Op } from '../../src';
import { sseHandler, SseHandler, SseHandlerOptions } from '../../src/sse';
import { useClusterWithClients } from '../support/cluster';
import { SseReader } from '../support/sse-reader';
import { waitFor } from '../support/wait';

interface Snapshot {
  revision: number;
  entries: Record<string, string>;
  binary?: string[];
}
interface Change {
  revision: number;
  changes: { type: string; key: string; value?: string; binary?: boolean }[];
}

describe('etcd-rx/sse', () => {
  const { cluster, client } = useClusterWithClients(1);
  const servers: { server: http.Server; handler: SseHandler }[] = [];
  const readers: SseReader[] = [];
  afterEach(async () => {
    readers.splice(0).forEach((r) => r.close());
    for (const { server, handler } of servers.splice(0)) {
      handler.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** Serves the handler at /events on a free port; returns its URL. */
  const serve = async (options: SseHandlerOptions): Promise<{ url: string; handler: SseHandler }> => {
    const handler = sseHandler(client(), options);
    const server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ server, handler });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, handler };
  };
  const open = async (url: string, headers: Record<string, string> = {}, agent?: http.Agent) => {
    const reader = await SseReader.open(url, headers, agent);
    readers.push(reader);
    return reader;
  };
  const prefix = (name: string) => ({ select: () => ({ prefix: `${name}/` }) });
  const watchers = async () => {
    const text = await (await fetch(`${cluster().endpoints[0]}/metrics`)).text();
    return Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1]);
  };

  it('sends a snapshot, then one change event per revision: a transaction is one event, a delete has no value, other keys send nothing', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('snap/a', '1'));
    const { header } = await firstValueFrom(etcd.put('snap/b', 'two'));
    const { url } = await serve(prefix('snap'));
    const reader = await open(url);
    expect(reader.status).toBe(200);
    expect(reader.response.headers['content-type']).toBe('text/event-stream');
    await reader.waitForEvents(2, 'the snapshot and synced');
    expect(reader.events.map((m) => [m.event, m.id])).toEqual([
      ['snapshot', String(header.revision)],
      ['synced', String(header.revision)],
    ]);
    expect(reader.data<Snapshot>()[0]).toEqual({ revision: header.revision, entries: { 'snap/a': '1', 'snap/b': 'two' } });
    expect(reader.events[1].data).toBe(`{"revision":${header.revision}}`);

    const put = await firstValueFrom(etcd.put('snap/a', '2'));
    await firstValueFrom(etcd.put('snapshots', 'not selected'));
    const txn = await firstValueFrom(etcd.txn({ success: [Op.put('snap/c', '3'), Op.delete('snap/b'), Op.put('elsewhere', 'x')] }));
    await reader.waitForEvents(4, 'two changes');
    expect(reader.events.slice(2).map((m) => [m.event, m.id])).toEqual([
      ['change', String(put.revision)],
      ['change', String(txn.header.revision)],
    ]);
    expect(reader.data<Change>().slice(2)).toEqual([
      { revision: put.revision, changes: [{ type: 'put', key: 'snap/a', value: '2' }] },
      {
        revision: txn.header.revision,
        changes: [
          { type: 'put', key: 'snap/c', value: '3' },
          { type: 'delete', key: 'snap/b' },
        ],
      },
    ]);
  });

  it('resumes after Last-Event-ID with every later change once and no snapshot, then synced, from etcd, from memory or past the history; a bad id is 400, a future one a snapshot', async () => {
    const etcd = client();
    const { url, handler } = await serve(prefix('resume'));
    const first = await open(url);
    await first.waitForEvents(1, 'the snapshot');
    const seen = first.events[0].id as string;
    first.close();
    await waitFor(() => handler.watchedSelectors === 0, 'the watch to be released');

    // Nobody watches: the changes come from etcd's history.
    const a = await firstValueFrom(etcd.put('resume/a', '1'));
    const b = await firstValueFrom(etcd.put('resume/b', '2'));
    const resumed = await open(url, { 'Last-Event-ID': seen });
    await resumed.waitForEvents(3, 'the missed changes, then synced');
    expect(resumed.events.map((m) => [m.event, m.id])).toEqual([
      ['change', String(a.revision)],
      ['change', String(b.revision)],
      ['synced', String(b.revision)],
    ]);
    expect(resumed.events[2].data).toBe(`{"revision":${b.revision}}`);
    // Someone watches: a reconnect resumes from the shared history, by header or by query.
    const c = await firstValueFrom(etcd.put('resume/c', '3'));
    await resumed.waitForEvents(4, 'the live change');
    const again = await open(`${url}?lastEventId=${a.revision}`);
    await again.waitForEvents(3, 'the changes after a, then synced');
    expect(again.events.map((m) => [m.event, m.id])).toEqual([
      ['change', String(b.revision)],
      ['change', String(c.revision)],
      ['synced', String(c.revision)],
    ]);
    // Resuming from the last revision held: nothing to replay, synced at once.
    const current = await open(url, { 'Last-Event-ID': String(c.revision) });
    await current.waitForEvents(1, 'synced');
    expect(current.events.map((m) => [m.event, m.id])).toEqual([['synced', String(c.revision)]]);
    expect(handler.watchedSelectors).toBe(1);

    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const refused = await open(url, { 'Last-Event-ID': bad });
      expect(refused.status).toBe(400);
    }
    // An id from the future (another cluster): a snapshot, not a silent gap.
    const future = await open(url, { 'Last-Event-ID': String(c.revision + 1000) });
    await future.waitForEvents(2, 'a snapshot and synced');
    expect(future.events.map((m) => [m.event, m.id])).toEqual([
      ['snapshot', String(c.revision)],
      ['synced', String(c.revision)],
    ]);

    // A history that keeps one event: resuming from before it catches up on an etcd watch of its
    // own, then goes on with the shared events, each once.
    const small = await serve({ ...prefix('resume'), historyBytes: 1 });
    const watching = await open(small.url);
    await watching.waitForEvents(2, 'the snapshot');
    const d = await firstValueFrom(etcd.put('resume/d', '4'));
    const e = await firstValueFrom(etcd.put('resume/e', '5'));
    await watching.waitForEvents(4, 'two changes');
    const behind = await open(small.url, { 'Last-Event-ID': String(a.revision) });
    await behind.waitForEvents(5, 'the changes after a, then synced');
    const f = await firstValueFrom(etcd.put('resume/f', '6'));
    await behind.waitForEvents(6, 'the live change');
    expect(behind.events.map((m) => [m.event, Number(m.id)])).toEqual([
      ['change', b.revision],
      ['change', c.revision],
      ['change', d.revision],
      ['change', e.revision],
      ['synced', e.revision],
      ['change', f.revision],
    ]);
    expect(small.handler.watchedSelectors).toBe(1);
  });

  it('sends a fresh snapshot when the revision to resume after was compacted, then goes on live', async () => {
    const etcd = client();
    const { url } = await serve(prefix('compacted'));
    const first = await open(url);
    await first.waitForEvents(1, 'the snapshot');
    first.close();
    await firstValueFrom(etcd.put('compacted/a', '1'));
    const latest = await firstValueFrom(etcd.put('compacted/b', '2'));
    await firstValueFrom(etcd.compact(latest.revision));
    const resumed = await open(url, { 'Last-Event-ID': first.events[0].id as string });
    await resumed.waitForEvents(2, 'a fresh snapshot');
    expect(resumed.events.map((m) => m.event)).toEqual(['snapshot', 'synced']);
    expect(resumed.data<Snapshot>()[0].entries).toEqual({ 'compacted/a': '1', 'compacted/b': '2' });
    const live = await firstValueFrom(etcd.delete('compacted/a'));
    await resumed.waitForEvents(3, 'the live change');
    expect(resumed.data<Change>()[2]).toEqual({ revision: live.header.revision, changes: [{ type: 'delete', key: 'compacted/a' }] });
  });

  it('200 clients of one selector share one etcd watch, released when the last one leaves', async () => {
    const etcd = client();
    const { url, handler } = await serve(prefix('shared'));
    await waitFor(async () => (await watchers()) >= 0, 'the metrics');
    const before = await watchers();
    const agent = new http.Agent({ maxSockets: Infinity });
    const clients = await Promise.all(Array.from({ length: 200 }, () => open(url, {}, agent)));
    await Promise.all(clients.map((c) => c.waitForEvents(2, 'a snapshot')));
    expect(handler.watchedSelectors).toBe(1);
    // The snapshot goes out as soon as the listing answers; the watch from it is made just after.
    await waitFor(async () => (await watchers()) === before + 1, 'one etcd watch for the 200 clients');
    expect(await watchers()).toBe(before + 1);
    const put = await firstValueFrom(etcd.put('shared/k', 'v'));
    await Promise.all(clients.map((c) => c.waitForEvents(3, 'the change')));
    expect(new Set(clients.map((c) => c.events[2].id))).toEqual(new Set([String(put.revision)]));

    clients.forEach((c) => c.close());
    await waitFor(() => handler.watchedSelectors === 0, 'the feed to stop');
    await waitFor(async () => (await watchers()) === before, 'etcd to drop the watch');
    agent.destroy();
  });

  it('access control: a refusal is answered with its status; values are transformed, hidden or sent as base64', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('acl/public', 'hello'));
    await firstValueFrom(etcd.put('acl/secret', 'hunter2'));
    await firstValueFrom(etcd.put('acl/image', new Uint8Array([0xff, 0x00, 0xfe])));
    const { url } = await serve({
      select: (req) => (req.headers.authorization === 'Bearer ok' ? { prefix: 'acl/' } : { status: 403, message: 'not for you' }),
      transform: (kv) => (kv.key.endsWith('secret') ? undefined : kv.key.endsWith('image') ? kv.valueBuffer : kv.value.toUpperCase()),
    });
    const refused = await open(url);
    expect(refused.status).toBe(403);
    await refused.waitForEnd('the refusal');
    expect(refused.body).toBe('not for you\n');

    const reader = await open(url, { Authorization: 'Bearer ok' });
    await reader.waitForEvents(1, 'the snapshot');
    expect(reader.data<Snapshot>()[0]).toMatchObject({ entries: { 'acl/public': 'HELLO', 'acl/image': '/wD+' }, binary: ['acl/image'] });
    await firstValueFrom(etcd.put('acl/secret', 'hunter3'));
    const image = await firstValueFrom(etcd.put('acl/image', new Uint8Array([1, 2])));
    await firstValueFrom(etcd.delete('acl/secret'));
    const moved = await firstValueFrom(etcd.put('acl/public', 'bye'));
    await reader.waitForEvents(4, 'the visible changes');
    expect(reader.data<Change>().slice(2)).toEqual([
      { revision: image.revision, changes: [{ type: 'put', key: 'acl/image', value: 'AQI=', binary: true }] },
      { revision: moved.revision, changes: [{ type: 'put', key: 'acl/public', value: 'BYE' }] },
    ]);

    const failing = await serve({ select: () => Promise.reject(new Error('directory down')) });
    const broken = await open(failing.url);
    expect(broken.status).toBe(500);
  });

  it('a key hidden by the transform stays hidden in every transition, live, resumed from memory and resumed from etcd', async () => {
    const etcd = client();
    // Hidden by value, so that one key can move between shown and hidden; hidden key names carry "covert".
    const transform = (kv: { value: string }) => (kv.value.startsWith('secret') ? undefined : kv.value);
    await firstValueFrom(etcd.put('hide/covert-listed', 'secret listed'));
    await firstValueFrom(etcd.put('hide/shown', 'visible'));
    const { url, handler } = await serve({ ...prefix('hide'), transform });
    const live = await open(url);
    await live.waitForEvents(2, 'the snapshot');
    expect(live.data<Snapshot>()[0].entries).toEqual({ 'hide/shown': 'visible' });
    const start = live.events[0].id as string;

    const expected: Change[] = [];
    const step = async (write: Promise<number>, changes: Change['changes']) => {
      const revision = await write;
      if (changes.length > 0) expected.push({ revision, changes });
    };
    const put = (key: string, value: string) => firstValueFrom(etcd.put(key, value)).then((r) => r.revision);
    const del = (key: string) => firstValueFrom(etcd.delete(key)).then((r) => r.header.revision);
    await step(put('hide/covert-new', 'secret 1'), []); // hidden, created
    await step(put('hide/covert-new', 'secret 2'), []); // hidden → hidden
    await step(del('hide/covert-new'), []); // hidden, deleted
    await step(del('hide/covert-listed'), []); // hidden since the snapshot, deleted
    await step(put('hide/moving', 'secret at first'), []); // hidden, created
    await step(put('hide/moving', 'now shown'), [{ type: 'put', key: 'hide/moving', value: 'now shown' }]); // hidden → shown
    await step(put('hide/shown', 'secret now'), [{ type: 'delete', key: 'hide/shown' }]); // shown → hidden
    await step(put('hide/shown', 'secret still'), []); // hidden → hidden (was shown once)
    await step(del('hide/shown'), []); // hidden, deleted
    await step(put('hide/moving', 'shown again'), [{ type: 'put', key: 'hide/moving', value: 'shown again' }]); // shown → shown
    const txn = await firstValueFrom(etcd.txn({ success: [Op.put('hide/covert-txn', 'secret'), Op.put('hide/moving', 'secret finally')] }));
    expected.push({ revision: txn.header.revision, changes: [{ type: 'delete', key: 'hide/moving' }] }); // shown → hidden, beside a hidden create
    await step(del('hide/moving'), []); // hidden, deleted
    await step(put('hide/end', 'done'), [{ type: 'put', key: 'hide/end', value: 'done' }]);

    await live.waitForEvents(2 + expected.length, 'the visible changes');
    expect(live.data<Change>().slice(2)).toEqual(expected);
    expect(live.body).not.toMatch(/covert|secret/);

    // From the shared history, while the feed lives.
    const fromMemory = await open(url, { 'Last-Event-ID': start });
    await fromMemory.waitForEvents(expected.length + 1, 'the replay and synced');
    expect(fromMemory.data<Change>().slice(0, -1)).toEqual(expected);
    expect(fromMemory.events[expected.length]).toMatchObject({ event: 'synced', id: String(expected[expected.length - 1].revision) });

    // From etcd, on a watch of its own, once the feed has stopped; and a fresh snapshot.
    live.close();
    fromMemory.close();
    await waitFor(() => handler.watchedSelectors === 0, 'the feed to stop');
    const fromEtcd = await open(url, { 'Last-Event-ID': start });
    await fromEtcd.waitForEvents(expected.length + 1, 'the replay and synced');
    expect(fromEtcd.data<Change>().slice(0, -1)).toEqual(expected);
    expect(fromEtcd.events[expected.length]).toMatchObject({ event: 'synced', id: String(expected[expected.length - 1].revision) });
    const fresh = await open(url);
    await fresh.waitForEvents(2, 'the snapshot');
    expect(fresh.data<Snapshot>()[0].entries).toEqual({ 'hide/end': 'done' });
    for (const reader of [fromMemory, fromEtcd, fresh]) expect(reader.body).not.toMatch(/covert|secret/);
  });

  it('pings a silent stream; a client that stops reading costs a bounded buffer, is dropped when it falls behind the history, and resumes where it was', async () => {
    const etcd = client();
    const { url, handler } = await serve({ ...prefix('slow'), pingIntervalMs: 100, maxBufferedBytes: 64 * 1024, historyBytes: 1024 * 1024 });
    const reader = await open(url);
    await reader.waitForEvents(1, 'the snapshot');
    await waitFor(() => reader.messages.some((m) => m.comment === 'ping'), 'a ping');

    reader.pause();
    const big = 'x'.repeat(256 * 1024);
    const written: number[] = [];
    while (handler.watchedSelectors > 0) {
      if (written.length >= 200) throw new Error('the slow client was never dropped');
      written.push((await firstValueFrom(etcd.put(`slow/${written.length % 4}`, big))).revision);
    }
    for (let i = 0; i < 3; i++) written.push((await firstValueFrom(etcd.put(`slow/${i}`, 'after'))).revision);
    reader.resume();
    await reader.waitForEnd('the dropped stream to end');
    expect(reader.messages[reader.messages.length - 1].comment).toMatch(/^dropped: this client fell more than 1048576 bytes of changes behind/);
    const got = reader.eventsOf('change').map((m) => Number(m.id));
    expect(got).toEqual(written.slice(0, got.length));
    expect(got.length).toBeLessThan(written.length);

    // As an EventSource does: reconnect after the last event received, until everything arrived.
    const received = [...got];
    for (let connection = 1; received.length < written.length; connection++) {
      if (connection > 20) throw new Error(`still missing revisions after 20 connections: got ${received.join(',')}`);
      const resumed = await open(url, { 'Last-Event-ID': String(received[received.length - 1]) });
      await waitFor(() => resumed.ended || resumed.eventsOf('synced').length > 0, 'the rest, or a drop');
      received.push(...resumed.eventsOf('change').map((m) => Number(m.id)));
      resumed.close();
    }
    expect(received).toEqual(written);
  });
});
