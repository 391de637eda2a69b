/**
 * How a WebSocket watch session ends. etcd 3.5's gateway keeps a stream and its watches after the
 * socket goes (measured on 3.5.30), so the session cancels each watch the server holds and waits
 * for the answers, at most one progress interval, before it closes the socket.
 */
import { NEVER, Subject } from 'rxjs';
import { EtcdConnectionError } from '../../src';
import type { Endpoint, EndpointPool } from '../../src/resilience/endpoint-pool';
import type { WsChannel } from '../../src/transport/ws-channel';
import { WsWatchSession } from '../../src/watch/ws-watch-session';

const PROGRESS_INTERVAL_MS = 1000;

/** A channel that records what is sent and whether it was closed. */
class FakeChannel {
  readonly incoming = new Subject<Record<string, unknown>>();
  readonly messages = this.incoming.asObservable();
  readonly sent: unknown[] = [];
  closed = false;
  send(message: unknown): void {
    this.sent.push(message);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function session() {
  const channel = new FakeChannel();
  const pool = { openSocket: () => channel as unknown as WsChannel } as unknown as EndpointPool;
  const ended: Promise<void>[] = [];
  const errors: unknown[] = [];
  const watches = new WsWatchSession(
    pool,
    { url: 'http://127.0.0.1:2379' } as Endpoint,
    { openTimeoutMs: 1000, progressIntervalMs: PROGRESS_INTERVAL_MS },
    NEVER,
    (closed) => ended.push(closed),
    (error) => errors.push(error),
  );
  const cancels = () => channel.sent.filter((m) => (m as { cancel_request?: unknown }).cancel_request !== undefined);
  /** Adds a watch whose refusal, if any, goes to `errors`. */
  const watch = () => watches.add(create, { answer: () => undefined, fail: (error) => errors.push(error) });
  return { channel, watches, ended, cancels, errors, watch };
}

const create = (id: number) => ({ create_request: { key: 'aw==', watch_id: id } });

describe('WsWatchSession ending', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('cancels the last watch and closes the socket only once the cancel is answered', async () => {
    const { channel, watches, ended, cancels, watch } = session();
    const id = watch();
    channel.incoming.next({ watch_id: '1', created: true });
    watches.remove(id);
    expect(cancels()).toEqual([{ cancel_request: { watch_id: 1 } }]);
    expect(ended).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS / 2);
    expect(channel.closed).toBe(false);
    channel.incoming.next({ watch_id: '1', canceled: true });
    await ended[0];
    expect(channel.closed).toBe(true);
  });

  it('cancels a watch the server cancelled by itself (compaction): 3.5 still counts it', async () => {
    const { channel, watches, ended, cancels, watch } = session();
    const id = watch();
    channel.incoming.next({ watch_id: '1', created: true });
    channel.incoming.next({ watch_id: '1', canceled: true, compact_revision: '3' });
    watches.remove(id);
    expect(cancels()).toHaveLength(1);
    channel.incoming.next({ watch_id: '1', canceled: true });
    await ended[0];
    expect(channel.closed).toBe(true);
  });

  it('sends no cancel for a create the server refused, and closes at once', async () => {
    const { channel, watches, ended, cancels, errors, watch } = session();
    const id = watch();
    channel.incoming.next({ watch_id: '-1', created: true, canceled: true, cancel_reason: 'no' });
    expect(errors).toHaveLength(1);
    watches.remove(id);
    expect(cancels()).toEqual([]);
    await ended[0];
    expect(channel.closed).toBe(true);
  });

  it('closes after one progress interval when a cancel is never answered', async () => {
    const { channel, watches, ended, watch } = session();
    watches.remove(watch());
    await jest.advanceTimersByTimeAsync(PROGRESS_INTERVAL_MS - 1);
    expect(channel.closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await ended[0];
    expect(channel.closed).toBe(true);
  });

  it('leaves: cancels every watch the server holds, tells no watch, and closes once the cancels are answered', async () => {
    const { channel, watches, ended, cancels, errors, watch } = session();
    watch();
    watch();
    channel.incoming.next({ watch_id: '1', created: true });
    channel.incoming.next({ watch_id: '2', created: true });
    watches.leave();
    expect(cancels()).toEqual([{ cancel_request: { watch_id: 1 } }, { cancel_request: { watch_id: 2 } }]);
    expect([errors, ended.length]).toEqual([[], 1]);
    channel.incoming.next({ watch_id: '1', canceled: true });
    channel.incoming.next({ watch_id: '2', canceled: true });
    await ended[0];
    expect(channel.closed).toBe(true);
  });

  it('drops a broken socket at once, with no cancel', async () => {
    const { channel, ended, cancels, errors, watch } = session();
    watch();
    channel.incoming.error(new EtcdConnectionError('reset', true));
    expect(errors[0]).toBeInstanceOf(EtcdConnectionError);
    expect(cancels()).toEqual([]);
    await ended[0];
    expect(channel.closed).toBe(true);
  });
});
