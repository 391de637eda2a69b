/**
 * The WebSocket transport of watches that fail over each on its own (with credentials, and after
 * a refused upgrade; see SharedWatches for the others): every such watch of a client on one
 * endpoint shares one socket (one WsWatchSession), so a thousand watches cost one connection per
 * endpoint, not a thousand.
 * With credentials the socket carries the token it was opened with: a watch made after the token
 * changed opens a new socket, and the old one ends with its last watch. Given a fallback, an
 * endpoint whose WebSocket upgrade was refused (some proxies block upgrades) carries its watches
 * on the fallback (plain HTTP streams) from then on.
 */
import { defer, mergeMap, Observable, Subscriber } from 'rxjs';
import { EtcdError, EtcdWebSocketRefusedError } from '../errors';
import { withFreshToken } from '../pipeline/reauthentication';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { MemberWatchdog } from '../resilience/member-watchdog';
import { WatchConnector } from './watch-connector';
import { WatchResponse } from './watch-response';
import { WatchSink, WsSessionSettings, WsWatchSession } from './ws-watch-session';

/**
 * Sessions by endpoint, opened on the first watch and ended with the last.
 * @example new WatchMultiplexer(pool, settings, watchdog).open(endpoint, (id) => encodeCreate(request, 0, id))
 */
export class WatchMultiplexer implements WatchConnector {
  private readonly sessions = new Map<Endpoint, WsWatchSession>();
  private readonly closing = new Set<Promise<void>>();
  private readonly refused = new Set<Endpoint>();

  constructor(
    private readonly pool: EndpointPool,
    private readonly settings: WsSessionSettings,
    private readonly watchdog: MemberWatchdog,
    /** Where the watches of an endpoint that refuses the upgrade go; none: they fail. */
    private readonly fallback?: WatchConnector,
  ) {}

  open(endpoint: Endpoint, create: (watchId: number) => Record<string, unknown>, attempt?: number): Observable<WatchResponse> {
    const fallback = this.fallback;
    if (fallback !== undefined && this.refused.has(endpoint)) return fallback.open(endpoint, create, attempt);
    const refused =
      fallback === undefined
        ? undefined
        : () => {
            this.refused.add(endpoint);
            return fallback.open(endpoint, create, attempt);
          };
    const tokens = endpoint.tokens;
    // The session refuses, joins fragments and falls back itself: no operator here that every
    // watch would hold.
    const watch = (token?: string) => sessionWatch(this.session(endpoint, token), create, refused);
    if (tokens === undefined) return defer(() => watch());
    return withFreshToken(tokens, { method: 'watch', endpoint: endpoint.url }, true, () => tokens.token(endpoint).pipe(mergeMap((token) => watch(token))));
  }

  /**
   * Sends the watches of `endpoint` to the fallback from now on: it refused the upgrade.
   * @example multiplexer.refuse(endpoint)
   */
  refuse(endpoint: Endpoint): void {
    this.refused.add(endpoint);
  }

  async close(): Promise<void> {
    await Promise.all(this.closing);
  }

  private session(endpoint: Endpoint, token: string | undefined): WsWatchSession {
    let session = this.sessions.get(endpoint);
    if (session === undefined || session.token !== token) {
      const opened: WsWatchSession = new WsWatchSession(
        this.pool,
        endpoint,
        this.settings,
        this.watchdog.guard(endpoint),
        (closed) => {
          if (this.sessions.get(endpoint) === opened) this.sessions.delete(endpoint);
          this.closing.add(closed);
          void closed.then(() => this.closing.delete(closed));
        },
        (error, sinks) => {
          for (const sink of sinks) sink.fail(error);
        },
        token,
      );
      session = opened;
      this.sessions.set(endpoint, session);
    }
    return session;
  }
}

/**
 * One watch on `session` as an Observable: created on subscribe, cancelled on unsubscribe. Errors
 * when the socket breaks; goes on `refused()` instead when the upgrade was refused.
 */
function sessionWatch(
  session: WsWatchSession,
  create: (watchId: number) => Record<string, unknown>,
  refused: (() => Observable<WatchResponse>) | undefined,
): Observable<WatchResponse> {
  return new Observable<WatchResponse>((subscriber) => {
    const id = session.add(create, new FallingBack(subscriber, refused));
    return () => session.remove(id);
  });
}

/** A watch's subscriber, which an error of a refused upgrade sends on to the fallback transport. */
class FallingBack implements WatchSink {
  constructor(
    private readonly subscriber: Subscriber<WatchResponse>,
    private readonly refused: (() => Observable<WatchResponse>) | undefined,
  ) {}

  answer(response: WatchResponse): void {
    this.subscriber.next(response);
  }

  fail(error: EtcdError): void {
    if (this.refused !== undefined && error instanceof EtcdWebSocketRefusedError) this.refused().subscribe(this.subscriber);
    else this.subscriber.error(error);
  }
}
