/**
 * Where a watch stands: the revision it must be (re)created from so that subscribers see every
 * revision once, in order, with no gap, whichever stream and member delivered the previous ones.
 */
import { EtcdUnavailableError, WatchCompactedError } from '../errors';
import { toBatches, WatchBatch } from './watch-event';
import { WatchRequest } from './watch-request';
import { WatchResponse } from './watch-response';

/**
 * The next revision a watch must deliver. It moves forward only on proof that every earlier
 * revision was delivered: the events themselves, the created answer of a watch started "from
 * now" (its header revision is the last one it will not see), and the server's per-watch
 * progress notifications (ordered with the watch's events). Stream-wide progress answers are not
 * such proof on etcd < 3.4.25 / 3.5.8 and are not used.
 * @example const position = new WatchPosition(request); position.accept(response, endpoint)
 */
export class WatchPosition {
  /** The revision to (re)create the watch from; 0 until a "from now" watch is first created. */
  next: number;
  /** Whether the first creation was already announced (`createdNotify`): resuming is not news. */
  private announced = false;

  constructor(readonly request: WatchRequest) {
    this.next = request.startRevision;
  }

  /**
   * Takes one answer of the current stream; returns the batches to deliver (maybe none).
   * @example for (const batch of position.accept(response, endpoint.url)) subscriber.next(batch)
   */
  accept(response: WatchResponse, endpoint: string): WatchBatch[] {
    if (response.compactRevision > 0) throw new WatchCompactedError(response.compactRevision, this.next, endpoint);
    // A refused create (created and cancelled) never gets here: its connector made it an error.
    if (response.created) {
      if (this.next === 0) this.next = response.header.revision + 1;
      if (!this.request.createdNotify || this.announced) return [];
      this.announced = true;
      return [{ revision: this.next, headerRevision: response.header.revision, events: [], progress: false, created: true }];
    }
    if (response.canceled) {
      throw new EtcdUnavailableError(`${endpoint} cancelled the watch${response.cancelReason ? `: ${response.cancelReason}` : ''}`, false, { endpoint });
    }
    if (response.events.length === 0) {
      const revision = response.header.revision;
      if (revision < this.next - 1) return [];
      this.next = revision + 1;
      return this.request.progressNotify ? [{ revision, headerRevision: revision, events: [], progress: true, created: false }] : [];
    }
    // A stream created from `next` never sends older revisions; dropping them anyway keeps
    // "each revision once" true whatever a server or proxy in between may replay.
    const batches = toBatches(response.events, response.header.revision).filter((batch) => batch.revision >= this.next);
    if (batches.length > 0) this.next = batches[batches.length - 1].revision + 1;
    return batches;
  }
}
