/** Reassembles watch answers the server cut into pieces. */
import { Observable, OperatorFunction } from 'rxjs';
import { WatchResponse } from './watch-response';

/**
 * The pieces of ONE watch's fragmented answers (every piece but the last says `fragment: true`),
 * held until the last piece makes the answer whole, so a revision's events are never seen in part.
 * @example const whole = fragments.take(response); if (whole !== undefined) deliver(whole)
 */
export class Fragments {
  private pieces: WatchResponse[] = [];

  /** Takes one answer; returns the whole answer it completes, or undefined while pieces are missing. */
  take(response: WatchResponse): WatchResponse | undefined {
    if (response.fragment) {
      this.pieces.push(response);
      return undefined;
    }
    if (this.pieces.length === 0) return response;
    const whole = { ...response, events: [...this.pieces, response].flatMap((piece) => piece.events) };
    this.pieces = [];
    return whole;
  }
}

/**
 * Joins the pieces of a fragmented answer into one answer (see Fragments). The answers of ONE
 * watch go in. One subscriber, not a chain of operators: a client may hold thousands of watches.
 * @example responses$.pipe(reassembleFragments())
 */
export function reassembleFragments(): OperatorFunction<WatchResponse, WatchResponse> {
  return (responses: Observable<WatchResponse>) =>
    new Observable<WatchResponse>((subscriber) => {
      const fragments = new Fragments();
      return responses.subscribe({
        next: (response) => {
          const whole = fragments.take(response);
          if (whole !== undefined) subscriber.next(whole);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
