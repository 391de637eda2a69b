/**
 * A watch that survives failover on its own: each (re)creation starts exactly where the previous
 * stream stopped, so subscribers see every revision once, in order, with no gap. Each such watch
 * runs its own failover loop: the transport of watches that are streams of their own (HTTP, and
 * WebSockets that carry a token); WebSocket watches without credentials fail over together
 * (see SharedWatches).
 */
import { map, Observable } from 'rxjs';
import { diagnostics } from '../diagnostics/channels';
import { EndpointPool } from '../resilience/endpoint-pool';
import { followStream, StreamFailoverSettings } from '../resilience/stream-failover';
import { WatchBatch } from './watch-event';
import { WatchConnector } from './watch-connector';
import { encodeCreate, WatchRequest } from './watch-request';
import { WatchPosition } from './watch-position';

/**
 * The watch as subscribers see it: created on subscribe, cancelled on unsubscribe, resumed on
 * another endpoint whenever its stream breaks. Ends only with WatchCompactedError, an error no
 * retry can fix, or EtcdAllEndpointsFailedError when no member could serve it for too long.
 * `from` is where a watch that already ran elsewhere stands (subscribe such a watch once).
 * @example resumableWatch(watchRequest({ prefix: 'a/' }), connector, pool, settings).subscribe(console.log)
 */
export function resumableWatch(
  request: WatchRequest,
  connector: WatchConnector,
  pool: EndpointPool,
  settings: StreamFailoverSettings,
  from?: WatchPosition,
): Observable<WatchBatch> {
  // One subscriber hands on the batches of each answer, rather than a filter and a mergeMap: a
  // client may hold thousands of watches, and each operator costs every one of them memory.
  return new Observable<WatchBatch>((subscriber) => {
    const position = from ?? new WatchPosition(request);
    const answers = followStream(pool, settings, (endpoint, attempt) => {
      const start = position.next;
      (attempt === 1 ? diagnostics.watchConnect : diagnostics.watchResume).publish(() => ({
        endpoint: endpoint.url,
        fromRevision: start,
        key: request.range.key,
      }));
      // Each answer maps to the batches it delivers; the created answer maps to none but still
      // reaches followStream, which takes it as proof that the endpoint serves the watch.
      return connector.open(endpoint, (id) => encodeCreate(request, start, id), attempt).pipe(map((response) => position.accept(response, endpoint.url)));
    });
    return answers.subscribe({
      next: (batches) => {
        for (const batch of batches) subscriber.next(batch);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}
