/** Reassembles watch answers the server cut into pieces. */
import { Observable, OperatorFunction } from 'rxjs';
import { WatchResponse } from './watch-response';

/**
 * Joins the pieces of a fragmented answer (every piece but the last says `fragment: true`) into
 * one answer, so a revision's events are never seen in part. The answers of ONE watch go in.
 * One subscriber, not a chain of operators: a client may hold thousands of watches.
 * @example responses$.pipe(reassembleFragments())
 */
export function reassembleFragments(): OperatorFunction<WatchResponse, WatchResponse> {
  return (responses: Observable<WatchResponse>) =>
    new Observable<WatchResponse>((subscriber) => {
      let pieces: WatchResponse[] = [];
      return responses.subscribe({
        next: (response) => {
          if (response.fragment) pieces.push(response);
          else if (pieces.length === 0) subscriber.next(response);
          else {
            const whole = { ...response, events: [...pieces, response].flatMap((piece) => piece.events) };
            pieces = [];
            subscriber.next(whole);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
