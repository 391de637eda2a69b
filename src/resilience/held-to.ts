/**
 * Per-call options for operations the failover chain does not carry whole: one that goes around
 * it (HashKV over gRPC) or waits for more than one answer (a snapshot written to a file).
 */
import { Observable, SchedulerLike } from 'rxjs';
import { abortable, CallOptions, deadlineOf } from '../call-options';
import { EtcdDeadlineExceededError } from '../errors';
import { timeLimit } from './time-limit';

/**
 * `source` held to a call's options as the failover chain holds a single call, for an operation
 * that goes around the chain or waits for more than one answer: it fails with
 * EtcdDeadlineExceededError unless it answers within `deadlineMs`, and `signal` cancels it.
 * @example heldTo(writeChecked(chunks, file), { deadlineMs: 60_000 }, pool.clock)
 */
export function heldTo<T>(source: Observable<T>, options: CallOptions | undefined, clock: SchedulerLike): Observable<T> {
  const deadlineMs = deadlineOf(options);
  const timed = deadlineMs === undefined ? source : source.pipe(timeLimit(deadlineMs, () => new EtcdDeadlineExceededError(deadlineMs, []), clock));
  return options?.signal === undefined ? timed : abortable(timed, options.signal);
}
