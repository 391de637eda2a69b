/** How a watch reaches a member: the transports behind one interface. */
import { mergeMap, Observable, Subscription } from 'rxjs';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { watchTransportFor } from '../resilience/member-version';
import { EtcdWebSocketRefusedError } from '../errors';
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
 * WebSocket first (one multiplexed socket per endpoint); plain HTTP streams for an endpoint whose
 * WebSocket upgrade was refused (some proxies block upgrades), from then on.
 * @example new AutoConnector(multiplexer, httpConnector)
 */
export class AutoConnector implements WatchConnector {
  private readonly refused = new Set<Endpoint>();

  constructor(
    private readonly websocket: WatchConnector,
    private readonly http: WatchConnector,
  ) {}

  open(endpoint: Endpoint, create: (watchId: number) => Record<string, unknown>, attempt?: number): Observable<WatchResponse> {
    // One subscriber rather than defer and catchError: a client may hold thousands of watches.
    return new Observable<WatchResponse>((subscriber) => {
      if (this.refused.has(endpoint)) return this.http.open(endpoint, create, attempt).subscribe(subscriber);
      const opened = new Subscription();
      opened.add(
        this.websocket.open(endpoint, create, attempt).subscribe({
          next: (response) => subscriber.next(response),
          error: (error: unknown) => {
            if (!(error instanceof EtcdWebSocketRefusedError)) return subscriber.error(error);
            this.refused.add(endpoint);
            opened.add(this.http.open(endpoint, create, attempt).subscribe(subscriber));
          },
          complete: () => subscriber.complete(),
        }),
      );
      return opened;
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.websocket.close(), this.http.close()]);
  }
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
