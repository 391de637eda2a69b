/**
 * Every watch a client has on one endpoint, multiplexed over ONE WebSocket: creates, cancels and
 * progress requests are sent live, answers are routed to their watch by id. The session lives
 * exactly as long as it carries a watch.
 *
 * Measured on etcd 3.4: a client-chosen `watch_id` is honoured; creates are answered in the
 * order sent, and a create that fails answers `watch_id: -1` (so failures are matched by order);
 * a cancel of an unknown id is not answered at all. Ids are never reused within a session, so a
 * late answer can never reach the wrong watch.
 *
 * Measured on etcd 3.5.30: dropping the socket (or closing it politely) no longer releases
 * anything on the server: its gateway keeps the stream and every watch on it for good. So a
 * session that ends cancels each watch the server holds and waits (at most one progress interval)
 * for the cancels to be answered before it drops the socket. Only a broken socket is dropped at once.
 */
import { firstValueFrom, interval, Observable, race, SchedulerLike, Subject, Subscription, timer } from 'rxjs';
import { EtcdError, EtcdProtocolError, EtcdTimeoutError } from '../errors';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import type { WsChannel } from '../transport/ws-channel';
import { refusedCreate } from './create-refusal';
import { Fragments } from './fragments';
import { decodeWatchResponse, WatchResponse } from './watch-response';

/** Timing of a session. */
export interface WsSessionSettings {
  /** How long opening the WebSocket may take. */
  readonly openTimeoutMs: number;
  /**
   * How often a progress request is sent; a stream that answers nothing at all until the next
   * one is due is dead (a frozen member accepts TCP and never answers).
   */
  readonly progressIntervalMs: number;
}

/**
 * Who hears one watch's answers on the socket: each answer, the created one first, fragments
 * joined; or the refusal of its create (see refusedCreate). A plain object rather than a
 * subscriber per watch: a client may hold thousands of watches.
 */
export interface WatchSink {
  answer(response: WatchResponse): void;
  fail(error: EtcdError): void;
}

/**
 * One WebSocket's watches.
 * @example const id = session.add((id) => encodeCreate(request, 0, id), { answer: console.log, fail: console.error })
 */
export class WsWatchSession {
  private readonly channel: WsChannel;
  private readonly watches = new Map<number, WatchSink>();
  /** The pieces of the fragmented answers still incomplete, by watch id (rare: kept apart). */
  private readonly fragments = new Map<number, Fragments>();
  /** Ids whose create is not answered yet, in the order sent. */
  private readonly pendingCreates: number[] = [];
  /** Ids of the watches the server holds (or will, once their create arrives). */
  private readonly onServer = new Set<number>();
  /** Ids whose cancel is sent and not answered yet. */
  private readonly cancelling = new Set<number>();
  /** Emits once the last cancel is answered or the socket can answer no more. */
  private readonly drained = new Subject<void>();
  private readonly subscriptions = new Subscription();
  private readonly checks = new Subscription();
  /** How long an ending session waits for its cancels to be answered. */
  private readonly cancelWithinMs: number;
  private readonly clock: SchedulerLike;
  private nextId = 1;
  /** Whether a progress request is out and nothing has come since. */
  private progressAwaited = false;
  private ended = false;

  /**
   * @param guard errors when the member should no longer be trusted (see MemberWatchdog)
   * @param onEnd called once when the session ends, with the promise of its socket closing
   * @param broken called once if the socket breaks or its member should no longer be trusted,
   *   with the error and the watches it carried (the session has ended then)
   * @param token the auth token the socket carries (every watch on it is checked with it)
   */
  constructor(
    pool: EndpointPool,
    readonly endpoint: Endpoint,
    settings: WsSessionSettings,
    guard: Observable<never>,
    private readonly onEnd: (closed: Promise<void>) => void,
    private readonly broken: (error: EtcdError, watches: WatchSink[]) => void,
    readonly token?: string,
  ) {
    this.clock = pool.clock;
    this.channel = pool.openSocket(endpoint, '/v3/watch', settings.openTimeoutMs, token);
    this.subscriptions.add(
      this.channel.messages.subscribe({
        next: (result) => this.route(result),
        error: (error: EtcdError) => this.fail(error, false),
        complete: () => this.drained.next(),
      }),
    );
    this.subscriptions.add(this.checks);
    // The member is still reachable when it is merely unfit (no leader) or its stream is silent:
    // worth cancelling the watches, as they would otherwise stay on a 3.5 member for good.
    this.checks.add(guard.subscribe({ error: (error: EtcdError) => this.fail(error, true) }));
    this.checks.add(interval(settings.progressIntervalMs, this.clock).subscribe(() => this.checkProgress(settings.progressIntervalMs)));
    this.cancelWithinMs = settings.progressIntervalMs;
  }

  /**
   * Creates a watch on this socket with the create message `create(id)`; `sink` hears its
   * answers until `remove(id)`, which cancels it on the server. Routing, refusals and fragments
   * are the session's, not operators of each watch: a client may hold thousands of watches.
   * @returns the watch's id on this socket
   * @example const id = session.add((id) => encodeCreate(request, 0, id), sink)
   */
  add(create: (watchId: number) => Record<string, unknown>, sink: WatchSink): number {
    const id = this.nextId++;
    this.watches.set(id, sink);
    this.pendingCreates.push(id);
    this.onServer.add(id);
    this.channel.send(create(id));
    return id;
  }

  /**
   * Cancels watch `id` on the server (if it holds it); the session ends with its last watch.
   * @example session.remove(id)
   */
  remove(id: number): void {
    if (!this.watches.delete(id)) return;
    this.fragments.delete(id);
    this.cancel(id);
    if (this.watches.size === 0) this.end();
  }

  /**
   * Cancels every watch on the server, telling their sinks nothing, and ends the session.
   * @example session.leave() // the failover loop moved on to another member
   */
  leave(): void {
    for (const id of [...this.watches.keys()]) this.remove(id);
    this.end();
  }

  private route(result: Record<string, unknown>): void {
    this.progressAwaited = false;
    let response: WatchResponse;
    try {
      response = decodeWatchResponse(result);
    } catch (error) {
      this.fail(error as EtcdError, false);
      return;
    }
    if (response.created) {
      const id = this.pendingCreates.shift();
      if (id === undefined || (response.watchId !== -1 && response.watchId !== id)) {
        this.fail(
          new EtcdProtocolError(`${this.endpoint.url} answered a watch create out of order (watch ${response.watchId}, expected ${id})`, {
            endpoint: this.endpoint.url,
          }),
          false,
        );
        return;
      }
      if (response.watchId === -1) this.onServer.delete(id);
      this.deliver(id, response);
    } else if (response.watchId !== -1) {
      // Only the answer to our own cancel frees a watch: one the server cancelled by itself
      // (compaction) still counts as a watcher on etcd 3.5 until the client cancels it too.
      if (response.canceled) this.cancelled(response.watchId);
      this.deliver(response.watchId, response);
    }
    // watch_id -1 without `created` answers a progress request. On etcd < 3.4.25 / 3.5.8 it is
    // not ordered with the events still queued on the server (etcd issue 15220), so it proves the
    // stream alive and nothing more: it never moves a watch's resume point.
  }

  private deliver(id: number, response: WatchResponse): void {
    const watch = this.watches.get(id);
    if (watch === undefined) return;
    const refusal = refusedCreate(response, this.endpoint.url);
    if (refusal !== undefined) {
      watch.fail(refusal);
      return;
    }
    let fragments = this.fragments.get(id);
    if (fragments === undefined && response.fragment) this.fragments.set(id, (fragments = new Fragments()));
    if (fragments === undefined) {
      watch.answer(response);
      return;
    }
    const whole = fragments.take(response);
    if (whole === undefined) return;
    this.fragments.delete(id);
    watch.answer(whole);
  }

  private checkProgress(intervalMs: number): void {
    if (this.progressAwaited) {
      this.fail(new EtcdTimeoutError(intervalMs, true, { endpoint: this.endpoint.url, what: 'progress request on the watch stream' }), true);
      return;
    }
    this.progressAwaited = true;
    this.channel.send({ progress_request: {} });
  }

  private cancel(id: number): void {
    if (!this.onServer.has(id)) return;
    this.cancelling.add(id);
    this.channel.send({ cancel_request: { watch_id: id } });
  }

  private cancelled(id: number): void {
    if (!this.cancelling.delete(id)) return;
    this.onServer.delete(id);
    if (this.cancelling.size === 0) this.drained.next();
  }

  /** @param reachable whether the socket still carries messages, so the watches can be cancelled */
  private fail(error: EtcdError, reachable: boolean): void {
    // An ended session may still wait for its cancels: a break then only stops the wait.
    const carried = !this.ended;
    const ids = [...this.watches.keys()];
    const sinks = [...this.watches.values()];
    this.watches.clear();
    this.fragments.clear();
    if (reachable) for (const id of ids) this.cancel(id);
    else {
      this.cancelling.clear();
      this.drained.next();
    }
    this.end();
    if (carried) this.broken(error, sinks);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.checks.unsubscribe();
    this.onEnd(this.afterCancels().then(() => this.close()));
  }

  private afterCancels(): Promise<void> {
    if (this.cancelling.size === 0) return Promise.resolve();
    return firstValueFrom(race(this.drained, timer(this.cancelWithinMs, this.clock)), { defaultValue: undefined }).then(() => undefined);
  }

  private close(): Promise<void> {
    this.subscriptions.unsubscribe();
    return this.channel.close();
  }
}
