/**
 * A watch that survives failover: each (re)creation starts exactly where the previous stream
 * stopped, so subscribers see every revision once, in order, with no gap.
 */
import { map, Observable } from 'rxjs';
import { diagnostics } from '../diagnostics/channels';
import { EtcdUnavailableError, WatchCompactedError } from '../errors';
import { EndpointPool } from '../resilience/endpoint-pool';
import { followStream, StreamFailoverSettings } from '../resilience/stream-failover';
import { toBatches, WatchBatch } from './watch-event';
import { WatchConnector } from './watch-connector';
import { encodeCreate, WatchRequest } from './watch-request';
import { WatchResponse } from './watch-response';

/**
 * Where a watch stands: the next revision it must deliver. It moves forward only on proof that
 * every earlier revision was delivered: the events themselves, the created answer of a watch
 * started "from now" (its header revision is the last one it will not see), and the server's
 * per-watch progress notifications (ordered with the watch's events). Stream-wide progress
 * answers are not such proof on etcd < 3.4.25 / 3.5.8 and are not used.
 * @example const position = new WatchPosition(request); position.accept(response, endpoint)
 */
export class WatchPosition {
  /** The revision to (re)create the watch from; 0 until a "from now" watch is first created. */
  next: number;
  /** Whether the first creation was already announced (`createdNotify`): resuming is not news. */
  private announced = false;

  constructor(private readonly request: WatchRequest) {
    this.next = request.startRevision;
  }

  /** Takes one answer of the current stream; returns the batches to deliver (maybe none). */
  accept(response: WatchResponse, endpoint: string): WatchBatch[] {
    if (response.compactRevision > 0) throw new WatchCompactedError(response.compactRevision, this.next, endpoint);
    // A refused create (created and cancelled) never gets here: its connector made it an error.
    if (response.created) {
      if (this.next === 0) this.next = response.header.revision + 1;
      if (!this.request.createdNotify || this.announced) return [];
      this.announced = true;
      return [{ revision: this.next, events: [], progress: false, created: true }];
    }
    if (response.canceled) {
      throw new EtcdUnavailableError(`${endpoint} cancelled the watch${response.cancelReason ? `: ${response.cancelReason}` : ''}`, false, { endpoint });
    }
    if (response.events.length === 0) {
      const revision = response.header.revision;
      if (revision < this.next - 1) return [];
      this.next = revision + 1;
      return this.request.progressNotify ? [{ revision, events: [], progress: true, created: false }] : [];
    }
    // A stream created from `next` never sends older revisions; dropping them anyway keeps
    // "each revision once" true whatever a server or proxy in between may replay.
    const batches = toBatches(response.events).filter((batch) => batch.revision >= this.next);
    if (batches.length > 0) this.next = batches[batches.length - 1].revision + 1;
    return batches;
  }
}

/**
 * The watch as subscribers see it: created on subscribe, cancelled on unsubscribe, resumed on
 * another endpoint whenever its stream breaks. Ends only with WatchCompactedError, an error no
 * retry can fix, or EtcdAllEndpointsFailedError when no member could serve it for too long.
 * @example resumableWatch(watchRequest({ prefix: 'a/' }), connector, pool, settings).subscribe(console.log)
 */
export function resumableWatch(request: WatchRequest, connector: WatchConnector, pool: EndpointPool, settings: StreamFailoverSettings): Observable<WatchBatch> {
  // One subscriber hands on the batches of each answer, rather than a filter and a mergeMap: a
  // client may hold thousands of watches, and each operator costs every one of them memory.
  return new Observable<WatchBatch>((subscriber) => {
    const position = new WatchPosition(request);
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
