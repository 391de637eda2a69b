/**
 * A time limit on the first answer of a call, as an Rx operator. rxjs' own `timeout` schedules
 * through its async scheduler (an interval and several subscriptions per call); one native timer
 * cut etcd-rx's client CPU per call by about a fifth in `npm run bench` (measured: 50 µs → 18 µs
 * of failover overhead per call at concurrency 16). So on rxjs' async scheduler (the client's
 * clock) the limit is one native timer; any other clock (a TestScheduler) is asked to schedule it,
 * so that tests run the limit in virtual time.
 */
import { asyncScheduler, MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';

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

/**
 * Fails with `onTimeout()` (and unsubscribes from the source, aborting it) unless the source
 * emits, fails or completes within `ms`.
 * @example postJson(endpoint, path, body).pipe(timeLimit(5000, () => new EtcdTimeoutError(5000, true), asyncScheduler))
 */
export function timeLimit<T>(ms: number, onTimeout: () => Error, clock: SchedulerLike): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const cancel = after(ms, () => subscriber.error(onTimeout()), clock);
      const subscription = source.subscribe({
        next: (value) => {
          cancel();
          subscriber.next(value);
        },
        error: (error: unknown) => {
          cancel();
          subscriber.error(error);
        },
        complete: () => {
          cancel();
          subscriber.complete();
        },
      });
      return () => {
        cancel();
        subscription.unsubscribe();
      };
    });
}
