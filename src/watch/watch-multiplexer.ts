/**
 * The WebSocket transport of watches: every watch of a client on one endpoint shares one socket
 * (one WsWatchSession), so a thousand watches cost one connection per endpoint, not a thousand.
 */
import { defer, Observable } from 'rxjs';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { MemberWatchdog } from '../resilience/member-watchdog';
import { reassembleFragments } from './fragments';
import { WatchConnector } from './watch-connector';
import { WatchResponse } from './watch-response';
import { WsSessionSettings, WsWatchSession } from './ws-watch-session';

/**
 * Sessions by endpoint, opened on the first watch and ended with the last.
 * @example new WatchMultiplexer(pool, settings, watchdog).open(endpoint, (id) => encodeCreate(request, 0, id))
 */
export class WatchMultiplexer implements WatchConnector {
  private readonly sessions = new Map<Endpoint, WsWatchSession>();
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly pool: EndpointPool,
    private readonly settings: WsSessionSettings,
    private readonly watchdog: MemberWatchdog,
  ) {}

  open(endpoint: Endpoint, create: (watchId: number) => Record<string, unknown>): Observable<WatchResponse> {
    return defer(() => this.session(endpoint).watch(create)).pipe(reassembleFragments());
  }

  async close(): Promise<void> {
    await Promise.all(this.closing);
  }

  private session(endpoint: Endpoint): WsWatchSession {
    let session = this.sessions.get(endpoint);
    if (session === undefined) {
      const opened: WsWatchSession = new WsWatchSession(this.pool, endpoint, this.settings, this.watchdog.guard(endpoint), (closed) => {
        if (this.sessions.get(endpoint) === opened) this.sessions.delete(endpoint);
        this.closing.add(closed);
        void closed.then(() => this.closing.delete(closed));
      });
      session = opened;
      this.sessions.set(endpoint, session);
    }
    return session;
  }
}
