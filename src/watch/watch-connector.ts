/** How a watch reaches a member: the transports behind one interface. */
import { mergeMap, Observable } from 'rxjs';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { watchTransportFor } from '../resilience/member-version';
import { WatchResponse } from './watch-response';

/**
 * Opens server-side watches on one endpoint.
 * @example connector.open(endpoint, (id) => encodeCreate(request, 0, id)).subscribe(console.log)
 */
export interface WatchConnector {
  /**
   * Creates one watch on `endpoint` with the create message `create(watchId)` and emits its
   * answers, the created answer first, fragments joined. Unsubscribing cancels the watch on the
   * server. Errors, transiently, when the stream carrying it breaks or its member should no
   * longer be trusted. `attempt` counts the openings of one watch (1 for the first), for diagnostics.
   */
  open(endpoint: Endpoint, create: (watchId: number) => Record<string, unknown>, attempt?: number): Observable<WatchResponse>;
  /** Closes every stream and resolves once their sockets are closed. */
  close(): Promise<void>;
}

/**
 * The transport each member can carry: without credentials always the WebSocket; with them, the
 * WebSocket only on a member whose version passes its token on (see websocketWatchAuth), HTTP
 * streams on the others. The version is the member monitor's, asked once and remembered.
 * @example new MemberVersionConnector(pool, multiplexer, httpConnector, 5000)
 */
export class MemberVersionConnector implements WatchConnector {
  constructor(
    private readonly pool: EndpointPool,
    private readonly websocket: WatchConnector,
    private readonly http: WatchConnector,
    /** How long a member may take to tell its version. */
    private readonly versionTimeoutMs: number,
  ) {}

  open(endpoint: Endpoint, create: (watchId: number) => Record<string, unknown>, attempt?: number): Observable<WatchResponse> {
    // Without credentials every member carries the WebSocket: no version to wait for, and no
    // mergeMap held by each of thousands of watches.
    if (endpoint.tokens === undefined) return this.websocket.open(endpoint, create, attempt);
    return this.pool.monitor
      .version(endpoint, this.versionTimeoutMs)
      .pipe(mergeMap((known) => (watchTransportFor(known, true) === 'websocket' ? this.websocket : this.http).open(endpoint, create, attempt)));
  }

  async close(): Promise<void> {
    await Promise.all([this.websocket.close(), this.http.close()]);
  }
}
