/**
 * Requests of one answer each, made up to `concurrency` at a time and handed on in their order:
 * the pages of a listing cut into parts, fetched in parallel yet delivered as one sorted stream,
 * with at most `concurrency` pages in flight or waiting for their turn.
 */
import { Observable, Subscription } from 'rxjs';

interface Slot<T> {
  answered: boolean;
  value?: T;
}

/**
 * The answers of `requests`, in order. An answer for which `followUp` gives a request is followed
 * by that request's answer (and its own follow-up) before the next request's: a part that needed
 * more than one page. Unsubscribing cancels every request in flight; the first error ends it all.
 * @example inOrder(parts.map((part) => fetchPage(part)), (page) => page.rest && fetchPage(page.rest), 4)
 */
export function inOrder<T>(requests: readonly Observable<T>[], followUp: (value: T) => Observable<T> | undefined, concurrency: number): Observable<T> {
  return new Observable<T>((subscriber) => {
    const inFlight = new Subscription();
    // Requests made and not yet handed on, in order; the first is the next to hand on.
    const slots: Slot<T>[] = [];
    let started = 0;
    let draining = false;
    const start = (request: Observable<T>, at: number) => {
      const slot: Slot<T> = { answered: false };
      slots.splice(at, 0, slot);
      inFlight.add(
        request.subscribe({
          next: (value) => {
            slot.answered = true;
            slot.value = value;
            drain();
          },
          error: (error: unknown) => subscriber.error(error),
        }),
      );
    };
    const drain = () => {
      if (draining) return;
      draining = true;
      // A request may answer as it is made: each round hands on what has come, then makes one more.
      for (;;) {
        while (!subscriber.closed && slots[0]?.answered === true) {
          const value = (slots.shift() as Slot<T>).value as T;
          const more = followUp(value);
          if (more !== undefined) start(more, 0);
          subscriber.next(value);
        }
        if (subscriber.closed || slots.length >= concurrency || started === requests.length) break;
        start(requests[started++], slots.length);
      }
      draining = false;
      if (slots.length === 0 && started === requests.length) subscriber.complete();
    };
    drain();
    return () => inFlight.unsubscribe();
  });
}
