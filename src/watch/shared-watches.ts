/**
 * The WebSocket watches of a client without credentials, failing over together: one socket
 * carries them all, and one failover loop (the kernel's, see stream-failover) moves them all to
 * another member when it breaks, each resumed from its own position. A watch itself is then a
 * plain record, no chain of operators: a client may hold thousands of watches, and a loop per
 * watch cost each of them several kilobytes.
 */
import { Observable, Subscriber, Subscription, Unsubscribable } from 'rxjs';
import { diagnostics } from '../diagnostics/channels';
import { EtcdError, EtcdWebSocketRefusedError } from '../errors';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { MemberWatchdog } from '../resilience/member-watchdog';
import { isTransient } from '../resilience/retry-policy';
import { followStream, StreamFailoverSettings } from '../resilience/stream-failover';
import { WatchBatch } from './watch-event';
import { WatchPosition } from './watch-position';
import { encodeCreate, WatchRequest } from './watch-request';
import { WatchResponse } from './watch-response';
import { WatchSink, WsSessionSettings, WsWatchSession } from './ws-watch-session';

/** What the shared watches need besides the pool. */
export interface SharedWatchSettings extends StreamFailoverSettings {
  readonly sessions: WsSessionSettings;
}

/**
 * Where the watches go when a member refuses the WebSocket upgrade (some proxies block
 * upgrades): each goes on by itself, from its position, on another transport.
 */
export type RefusedUpgrade = (endpoint: Endpoint, watches: readonly SharedWatch[]) => void;

/**
 * One watch of the shared socket: its position, its subscriber, and its id on the current socket.
 * @example watch.subscriber.next(batch)
 */
export class SharedWatch extends WatchPosition implements WatchSink, Unsubscribable {
  /** Its id on the current socket; 0 while it is on none. */
  id = 0;
  /** Whether it was created on a member before: a creation now resumes it. */
  connected = false;

  constructor(
    request: WatchRequest,
    readonly subscriber: Subscriber<WatchBatch>,
    private readonly watches: SharedWatches,
  ) {
    super(request);
  }

  answer(response: WatchResponse): void {
    this.watches.answered(this, response);
  }

  /** Its create was refused. */
  fail(error: EtcdError): void {
    this.watches.failed(this, error);
  }

  unsubscribe(): void {
    this.watches.remove(this);
  }
}

/** The socket the watches are on now, and the failover loop's attempt it serves. */
interface Carrier {
  readonly session: WsWatchSession;
  readonly attempt: Subscriber<void>;
}

/**
 * The shared watches of one client.
 * @example new SharedWatches(pool, settings, watchdog).watch(watchRequest({ prefix: 'a/' })).subscribe(console.log)
 */
export class SharedWatches {
  private readonly watches = new Set<SharedWatch>();
  private readonly closing = new Set<Promise<void>>();
  private loop: Subscription | undefined;
  private carrier: Carrier | undefined;
  private refused = false;

  /** @param refusedUpgrade where the watches go when the upgrade is refused; none: the loop goes on to the next member */
  constructor(
    private readonly pool: EndpointPool,
    private readonly settings: SharedWatchSettings,
    private readonly watchdog: MemberWatchdog,
    private readonly refusedUpgrade?: RefusedUpgrade,
  ) {}

  /**
   * A watch as subscribers see it: created on subscribe, cancelled on unsubscribe, resumed on
   * another member with every other shared watch whenever their socket breaks. Ends only with
   * WatchCompactedError, an error no retry can fix, or EtcdAllEndpointsFailedError when no member
   * could serve the watches for too long.
   * @example shared.watch(watchRequest('config/a')).subscribe((batch) => console.log(batch.revision))
   */
  watch(request: WatchRequest): Observable<WatchBatch> {
    return new Observable<WatchBatch>((subscriber) => {
      const watch = new SharedWatch(request, subscriber, this);
      this.watches.add(watch);
      if (this.loop === undefined) this.follow();
      else if (this.carrier !== undefined) this.place(watch, this.carrier);
      return watch;
    });
  }

  /**
   * Whether a member refused the upgrade and the watches went on elsewhere (see RefusedUpgrade).
   * @example if (!shared.handedOff) return shared.watch(request)
   */
  get handedOff(): boolean {
    return this.refused;
  }

  /**
   * Resolves once every socket is closed (the watches themselves end with the client's lifecycle).
   * @example await shared.close()
   */
  async close(): Promise<void> {
    await Promise.all(this.closing);
  }

  /** @internal An answer to `watch` on the current socket. */
  answered(watch: SharedWatch, response: WatchResponse): void {
    const carrier = this.carrier;
    if (carrier === undefined) return;
    let batches: WatchBatch[];
    try {
      batches = watch.accept(response, carrier.session.endpoint.url);
    } catch (error: unknown) {
      this.failed(watch, error as EtcdError);
      return;
    }
    // Every answer proves the member serves the watches (see followStream).
    carrier.attempt.next();
    for (const batch of batches) watch.subscriber.next(batch);
  }

  /**
   * @internal `watch` failed alone: a refused create or a compacted revision ends it; a transient
   * failure (the member cancelled it) says the member is unfit, and all the watches leave it.
   */
  failed(watch: SharedWatch, error: EtcdError): void {
    if (isTransient(error)) {
      this.carrier?.attempt.error(error);
      return;
    }
    this.remove(watch);
    watch.subscriber.error(error);
  }

  /** @internal `watch` ends: it is cancelled on the server; the loop ends with the last watch. */
  remove(watch: SharedWatch): void {
    if (!this.watches.delete(watch)) return;
    if (watch.id !== 0) this.carrier?.session.remove(watch.id);
    watch.id = 0;
    if (this.watches.size === 0) this.stop();
  }

  /** Starts the failover loop that carries the watches until the last one ends. */
  private follow(): void {
    const loop = new Subscription();
    this.loop = loop;
    loop.add(
      followStream(this.pool, this.settings, (endpoint) => this.carry(endpoint)).subscribe({
        error: (error: EtcdError) => {
          if (this.loop === loop) this.loop = undefined;
          const watches = [...this.watches];
          this.watches.clear();
          for (const watch of watches) watch.subscriber.error(error);
        },
      }),
    );
  }

  private stop(): void {
    const loop = this.loop;
    this.loop = undefined;
    loop?.unsubscribe();
  }

  /** One attempt of the loop: a socket to `endpoint` carrying every watch, each from its position. */
  private carry(endpoint: Endpoint): Observable<void> {
    return new Observable<void>((attempt) => {
      const session = new WsWatchSession(
        this.pool,
        endpoint,
        this.settings.sessions,
        this.watchdog.guard(endpoint),
        (closed) => {
          this.closing.add(closed);
          void closed.then(() => this.closing.delete(closed));
        },
        (error) => this.broke(error, endpoint, attempt),
      );
      const carrier = { session, attempt };
      this.carrier = carrier;
      for (const watch of this.watches) this.place(watch, carrier);
      return () => {
        if (this.carrier === carrier) this.carrier = undefined;
        for (const watch of this.watches) watch.id = 0;
        session.leave();
      };
    });
  }

  private place(watch: SharedWatch, carrier: Carrier): void {
    const start = watch.next;
    (watch.connected ? diagnostics.watchResume : diagnostics.watchConnect).publish(() => ({
      endpoint: carrier.session.endpoint.url,
      fromRevision: start,
      key: watch.request.range.key,
    }));
    watch.connected = true;
    watch.id = carrier.session.add((id) => encodeCreate(watch.request, start, id), watch);
  }

  private broke(error: EtcdError, endpoint: Endpoint, attempt: Subscriber<void>): void {
    const refusedUpgrade = this.refusedUpgrade;
    if (refusedUpgrade === undefined || !(error instanceof EtcdWebSocketRefusedError)) {
      attempt.error(error);
      return;
    }
    this.refused = true;
    const watches = [...this.watches];
    this.watches.clear();
    this.stop();
    refusedUpgrade(endpoint, watches);
  }
}
