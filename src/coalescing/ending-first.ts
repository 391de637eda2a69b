/**
 * Handing a call's answer on once its bookkeeping has ended: a caller that makes its next call
 * from its error or completion handler then finds the first one gone (no longer in flight, no
 * longer a pending write to wait for).
 */
import { Observer, Subscriber } from 'rxjs';

/**
 * An observer that hands every notification on to `subscriber`, calling `end` just before an
 * error or the completion.
 * @example inner.call(path, body, safety, decode).subscribe(endingFirst(subscriber, () => inFlight--))
 */
export function endingFirst<T>(subscriber: Subscriber<T>, end: () => void): Observer<T> {
  return {
    next: (value) => subscriber.next(value),
    error: (error: unknown) => {
      end();
      subscriber.error(error);
    },
    complete: () => {
      end();
      subscriber.complete();
    },
  };
}
