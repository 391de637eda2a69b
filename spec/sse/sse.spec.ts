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
    await reader.waitForEvents(1, 'the snapshot');
    expect(reader.events[0]).toMatchObject({ event: 'snapshot', id: String(header.revision) });
    expect(reader.data<Snapshot>()[0]).toEqual({ revision: header.revision, entries: { 'snap/a': '1', 'snap/b': 'two' } });

    const put = await firstValueFrom(etcd.put('snap/a', '2'));
    await firstValueFrom(etcd.put('snapshots', 'not selected'));
    const txn = await firstValueFrom(etcd.txn({ success: [Op.put('snap/c', '3'), Op.delete('snap/b'), Op.put('elsewhere', 'x')] }));
    await reader.waitForEvents(3, 'two changes');
    expect(reader.events.slice(1).map((m) => [m.event, m.id])).toEqual([
      ['change', String(put.revision)],
      ['change', String(txn.header.revision)],
    ]);
    expect(reader.data<Change>().slice(1)).toEqual([
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

  it('resumes after Last-Event-ID with every later change once and no snapshot, from etcd, from memory or past the history; a bad id is 400, a future one a snapshot', async () => {
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
    await resumed.waitForEvents(2, 'the missed changes');
    expect(resumed.events.map((m) => [m.event, m.id])).toEqual([
      ['change', String(a.revision)],
      ['change', String(b.revision)],
    ]);
    // Someone watches: a reconnect resumes from the shared history, by header or by query.
    const c = await firstValueFrom(etcd.put('resume/c', '3'));
    await resumed.waitForEvents(3, 'the live change');
    const again = await open(`${url}?lastEventId=${a.revision}`);
    await again.waitForEvents(2, 'the changes after a');
    expect(again.events.map((m) => m.id)).toEqual([String(b.revision), String(c.revision)]);
    expect(handler.watchedSelectors).toBe(1);

    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const refused = await open(url, { 'Last-Event-ID': bad });
      expect(refused.status).toBe(400);
    }
    // An id from the future (another cluster): a snapshot, not a silent gap.
    const future = await open(url, { 'Last-Event-ID': String(c.revision + 1000) });
    await future.waitForEvents(1, 'a snapshot');
    expect(future.events[0]).toMatchObject({ event: 'snapshot', id: String(c.revision) });

    // A history that keeps one event: resuming from before it catches up on an etcd watch of its
    // own, then goes on with the shared events, each once.
    const small = await serve({ ...prefix('resume'), historyBytes: 1 });
    const watching = await open(small.url);
    await watching.waitForEvents(1, 'the snapshot');
    const d = await firstValueFrom(etcd.put('resume/d', '4'));
    const e = await firstValueFrom(etcd.put('resume/e', '5'));
    await watching.waitForEvents(3, 'two changes');
    const behind = await open(small.url, { 'Last-Event-ID': String(a.revision) });
    await behind.waitForEvents(4, 'the changes after a');
    const f = await firstValueFrom(etcd.put('resume/f', '6'));
    await behind.waitForEvents(5, 'the live change');
    expect(behind.events.map((m) => Number(m.id))).toEqual([b.revision, c.revision, d.revision, e.revision, f.revision]);
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
    await resumed.waitForEvents(1, 'a fresh snapshot');
    expect(resumed.events[0].event).toBe('snapshot');
    expect(resumed.data<Snapshot>()[0].entries).toEqual({ 'compacted/a': '1', 'compacted/b': '2' });
    const live = await firstValueFrom(etcd.delete('compacted/a'));
    await resumed.waitForEvents(2, 'the live change');
    expect(resumed.data<Change>()[1]).toEqual({ revision: live.header.revision, changes: [{ type: 'delete', key: 'compacted/a' }] });
  });

  it('200 clients of one selector share one etcd watch, released when the last one leaves', async () => {
    const etcd = client();
    const { url, handler } = await serve(prefix('shared'));
    await waitFor(async () => (await watchers()) >= 0, 'the metrics');
    const before = await watchers();
    const agent = new http.Agent({ maxSockets: Infinity });
    const clients = await Promise.all(Array.from({ length: 200 }, () => open(url, {}, agent)));
    await Promise.all(clients.map((c) => c.waitForEvents(1, 'a snapshot')));
    expect(handler.watchedSelectors).toBe(1);
    expect(await watchers()).toBe(before + 1);
    const put = await firstValueFrom(etcd.put('shared/k', 'v'));
    await Promise.all(clients.map((c) => c.waitForEvents(2, 'the change')));
    expect(new Set(clients.map((c) => c.events[1].id))).toEqual(new Set([String(put.revision)]));

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
    await reader.waitForEvents(3, 'the visible changes');
    expect(reader.data<Change>().slice(1)).toEqual([
      { revision: image.revision, changes: [{ type: 'put', key: 'acl/image', value: 'AQI=', binary: true }] },
      { revision: moved.revision, changes: [{ type: 'put', key: 'acl/public', value: 'BYE' }] },
    ]);

    const failing = await serve({ select: () => Promise.reject(new Error('directory down')) });
    const broken = await open(failing.url);
    expect(broken.status).toBe(500);
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
    const got = reader.events.slice(1).map((m) => Number(m.id));
    expect(got).toEqual(written.slice(0, got.length));
    expect(got.length).toBeLessThan(written.length);

    // As an EventSource does: reconnect after the last event received, until everything arrived.
    const received = [...got];
    for (let connection = 1; received.length < written.length; connection++) {
      if (connection > 20) throw new Error(`still missing revisions after 20 connections: got ${received.join(',')}`);
      const resumed = await open(url, { 'Last-Event-ID': String(received[received.length - 1]) });
      await waitFor(() => resumed.ended || received.length + resumed.events.length >= written.length, 'the rest, or a drop');
      received.push(...resumed.events.map((m) => Number(m.id)));
      resumed.close();
    }
    expect(received).toEqual(written);
  });
});
