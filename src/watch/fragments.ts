/** Reassembles watch answers the server cut into pieces. */
import { filter, map, Observable, OperatorFunction, scan } from 'rxjs';
import { WatchResponse } from './watch-response';

/**
 * Joins the pieces of a fragmented answer (every piece but the last says `fragment: true`) into
 * one answer, so a revision's events are never seen in part. The answers of ONE watch go in.
 * @example responses$.pipe(reassembleFragments())
 */
export function reassembleFragments(): OperatorFunction<WatchResponse, WatchResponse> {
  return (responses: Observable<WatchResponse>) =>
    responses.pipe(
      scan<WatchResponse, { pieces: WatchResponse[]; whole?: WatchResponse }>(
        ({ pieces }, response) => {
          if (response.fragment) return { pieces: [...pieces, response] };
          if (pieces.length === 0) return { pieces: [], whole: response };
          return { pieces: [], whole: { ...response, events: [...pieces, response].flatMap((piece) => piece.events) } };
        },
        { pieces: [] },
      ),
      filter((step) => step.whole !== undefined),
      map((step) => step.whole as WatchResponse),
    );
}
