/** One message of a watch stream, decoded. */
import { asArray, asString, decodeInt } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { decodeEvent, WatchEvent } from './watch-event';

/**
 * A decoded `WatchResponse`. Proto3 omits defaults, so watch id 0, `created: false` and an
 * empty event list arrive as absent fields.
 */
export interface WatchResponse {
  readonly header: ResponseHeader;
  /** The watch this answer belongs to; -1 for a stream-wide progress answer or a failed create. */
  readonly watchId: number;
  readonly created: boolean;
  readonly canceled: boolean;
  /** Set when the watch was cancelled because the revision it needed was compacted. */
  readonly compactRevision: number;
  readonly cancelReason: string;
  /** True on every piece of a fragmented answer but the last. */
  readonly fragment: boolean;
  readonly events: readonly WatchEvent[];
}

/**
 * Decodes one watch stream message's `result`.
 * @example decodeWatchResponse({ header: { revision: '5' }, watch_id: '3', created: true })
 */
export function decodeWatchResponse(result: Record<string, unknown>): WatchResponse {
  return {
    header: decodeHeader(result.header),
    watchId: decodeInt(result.watch_id, 'watch_id'),
    created: result.created === true,
    canceled: result.canceled === true,
    compactRevision: decodeInt(result.compact_revision, 'compact_revision'),
    cancelReason: asString(result.cancel_reason, 'cancel_reason'),
    fragment: result.fragment === true,
    events: asArray(result.events, 'events').map(decodeEvent),
  };
}
