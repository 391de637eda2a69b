/**
 * A call that has not answered for a while is not yet a failure: the member may be busy, or
 * waiting for a leader election. But a frozen member accepts the request and then never answers,
 * and waiting out the whole request timeout for it is what makes a read stall. So a read that is
 * still unanswered after a moment asks its member a cheap question; a member that cannot answer
 * even that is given up at once, and the read goes to another member. A member that answers the
 * question is left to answer the read within its time limit.
 */
import { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import { timeWatched } from './time-limit';

/**
 * Runs `check` (a liveness probe) once `afterMs` pass without an answer from the source; when
 * the check fails, the call fails with `onDead(cause)` (and the source is unsubscribed, aborting
 * it). One timer per call on `clock`, cleared at the first answer.
 * @example postJson(ep, path, body).pipe(stallCheck(1000, () => probe(pool, ep, 1000), (cause) => new EtcdTimeoutError(...), pool.clock))
 */
export function stallCheck<T>(
  afterMs: number,
  check: () => Observable<never>,
  onDead: (cause: unknown) => Error,
  clock: SchedulerLike,
): MonoTypeOperatorFunction<T> {
  return (source) => timeWatched(source, clock, undefined, { afterMs, check, onDead });
}
