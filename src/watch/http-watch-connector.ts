/**
 * The plain-HTTP transport of watches, for when a WebSocket cannot be used: etcd 3.4 with
 * authentication (its WebSocket proxy cannot pass the token on) and proxies that block upgrades.
 * etcd's HTTP server answers nothing while a request body is open, so each watch is one request
 * whose body (the create) is sent whole; it is cancelled by aborting the request.
 */
import { concat, map, merge, Observable, throwError } from 'rxjs';
import { EtcdConnectionError } from '../errors';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { MemberWatchdog } from '../resilience/member-watchdog';
import type { Headers } from '../transport/http-call';
import { throwIfRefused } from './create-refusal';
import { reassembleFragments } from './fragments';
import { WatchConnector } from './watch-connector';
import { decodeWatchResponse, WatchResponse } from './watch-response';

// With this header a member ends the stream with "no leader" once it loses its leader, instead
// of keeping a stream that will never see another revision (measured: about 4 s on 3.4).
const HAS_LEADER: Headers = { 'Grpc-Metadata-hasleader': 'true' };

/**
 * One streaming request per watch, watched by the member watchdog (no progress request can be
 * sent on a request that is already streaming).
 * @example new HttpWatchConnector(pool, watchdog).open(endpoint, (id) => encodeCreate(request, 0, id), 1)
 */
export class HttpWatchConnector implements WatchConnector {
  constructor(
    private readonly pool: EndpointPool,
    private readonly watchdog: MemberWatchdog,
  ) {}

  open(endpoint: Endpoint, create: (watchId: number) => Record<string, unknown>, attempt = 1): Observable<WatchResponse> {
    // A refused create is made an error inside the attempt, where re-authentication sees it.
    const exchange = {
      kind: 'lines',
      path: '/v3/watch',
      body: create(1),
      headers: HAS_LEADER,
      check: (message: Record<string, unknown>) => void throwIfRefused(decodeWatchResponse(message), endpoint.url),
    } as const;
    const stream = this.pool.send({ method: 'watch', endpoint, attempt, exchange }).pipe(map(decodeWatchResponse));
    const ended = throwError(() => new EtcdConnectionError(`${endpoint.url} ended the watch stream`, true, { endpoint: endpoint.url }));
    return merge(concat(stream, ended), this.watchdog.guard(endpoint)).pipe(reassembleFragments());
  }

  /** Streams end with their subscriptions (the aborted requests close their sockets). */
  async close(): Promise<void> {}
}
