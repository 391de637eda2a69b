/**
 * One deadline over a whole unary operation: every attempt, probe and backoff of its failover
 * happens inside it. Without one, a call's time grows with its retries (eight attempts into
 * frozen members took 11 to 13 s); with it, a caller knows the longest it waits. An attempt is
 * never sent once the deadline has passed (for a write that would only turn "not applied" into
 * "unknown"), and one cut short by the deadline is a timeout like any other: a read fails, a
 * write already sent is an unknown outcome.
 */
import { SchedulerLike } from 'rxjs';
import { EtcdAllEndpointsFailedError, EtcdDeadlineExceededError, EtcdTimeoutError } from '../errors';

/**
 * The time left to one operation.
 * @example const deadline = new Deadline(15_000, pool.clock); const limit = deadline.limit(5000)
 */
export class Deadline {
  private readonly endsAt: number;
  private outOfTime = false;
  /** Whether the last limit given was the deadline's remainder rather than the step's own time. */
  private lastLimitCut = false;

  constructor(
    readonly ms: number,
    private readonly clock: SchedulerLike,
  ) {
    this.endsAt = clock.now() + ms;
  }

  /** Milliseconds left; 0 once passed. */
  get left(): number {
    return Math.max(0, this.endsAt - this.clock.now());
  }

  get passed(): boolean {
    return this.left === 0;
  }

  /**
   * Whether a next attempt after waiting `delayMs` would still have time to run; when not, the
   * operation is out of time already, and giving up now beats sleeping into the deadline.
   */
  allows(delayMs: number): boolean {
    if (this.left > delayMs) return true;
    this.outOfTime = true;
    return false;
  }

  /** The time limit of a step that would take up to `ms`: never past the deadline. */
  limit(ms: number): number {
    const left = this.left;
    this.lastLimitCut = left <= ms;
    return Math.max(1, Math.min(ms, left));
  }

  /**
   * The error to report when the operation gave up: EtcdDeadlineExceededError, naming what was
   * tried, when it gave up for want of time; `error` itself otherwise.
   * @example catchError((e) => throwError(() => deadline.explain(e)))
   */
  explain(error: unknown): unknown {
    return error instanceof EtcdAllEndpointsFailedError && (this.outOfTime || this.passed) ? new EtcdDeadlineExceededError(this.ms, error.failures) : error;
  }

  /**
   * The error to report of an operation that was one attempt on `endpoint`, limited by the last
   * `limit()`: EtcdDeadlineExceededError when the deadline cut the attempt short, `error` itself
   * otherwise. A timer fires by the event loop's cached time, which runs ahead of the clock by as
   * long as the loop has been busy: `passed` alone can still be false when the deadline's own
   * limit ends the attempt, so the limit says whose it was.
   * @example catchError((e) => throwError(() => deadline.explainAttempt(endpoint.url, e)))
   */
  explainAttempt(endpoint: string, error: unknown): unknown {
    const cut = this.passed || this.lastLimitCut;
    return error instanceof EtcdTimeoutError && cut ? new EtcdDeadlineExceededError(this.ms, [{ endpoint, error }]) : error;
  }
}
