/**
 * What is safe to retry, decided from the error itself: every etcd-rx error carries whether its
 * request may have reached a server (`requestSent`) or was refused unapplied (`notApplied`). A
 * repeatable call retries on any transient failure; a non-repeatable one only when the request
 * provably never reached a server or the server said it did not apply it. A non-repeatable call
 * whose fate is unknown becomes EtcdOutcomeUnknownError and surfaces at once. Unary calls and
 * streams follow the same rules (as etcd's clientv3 retry interceptor does).
 */
import { EtcdConnectionError, EtcdError, EtcdOutcomeUnknownError, EtcdProtocolError, EtcdTimeoutError, EtcdUnavailableError } from '../errors';
import { RetryPolicy } from '../options';
import { CallSafety, Repeatability } from '../pipeline/call';

export type { CallSafety, Repeatability } from '../pipeline/call';

/** A linearizable read: repeatable, its answer checked against the read floor. */
export const LINEARIZABLE_READ: CallSafety = { retry: 'repeatable', readFloor: true };
/** A call that may be repeated whose answer is not held to the read floor (serializable reads, lease calls). */
export const REPEATABLE: CallSafety = { retry: 'repeatable', readFloor: false };
/** A call that changes the store and must not be applied twice. */
export const NON_REPEATABLE: CallSafety = { retry: 'non-repeatable', readFloor: false };

/** A failure that another endpoint, or the same one a moment later, may not repeat. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof EtcdConnectionError || error instanceof EtcdTimeoutError || error instanceof EtcdUnavailableError || error instanceof EtcdProtocolError
  );
}

/**
 * Whether the member itself answered the failure (an etcd error carrying its gRPC code, such as
 * "leader changed"): it is up, whatever it could not do. Silence (a timeout, no connection) and
 * failures the client made up (a demotion seen while waiting) do not say so.
 * @example memberAnswered(new EtcdUnavailableError('etcdserver: leader changed', false, { grpcCode: 14 })) // true
 */
export function memberAnswered(error: unknown): boolean {
  return error instanceof EtcdError && error.grpcCode !== undefined;
}

/** A failure proving the call was not applied. */
function provablyNotApplied(error: unknown): boolean {
  if (error instanceof EtcdConnectionError || error instanceof EtcdTimeoutError) return !error.requestSent;
  return error instanceof EtcdUnavailableError && error.notApplied;
}

/**
 * Whether a failed call may be tried again.
 * @example isRetryable(new EtcdTimeoutError(5000, true), 'non-repeatable') // false: it may have been applied
 */
export function isRetryable(error: unknown, retry: Repeatability): boolean {
  return retry === 'repeatable' ? isTransient(error) : provablyNotApplied(error);
}

/**
 * Turns a non-repeatable call's transient failure that may have reached the server into
 * EtcdOutcomeUnknownError; every other error stays as it is.
 * @example classifyFailure(new EtcdTimeoutError(5000, true), 'non-repeatable') // EtcdOutcomeUnknownError
 */
export function classifyFailure(error: unknown, retry: Repeatability): unknown {
  if (retry === 'repeatable' || !isTransient(error) || provablyNotApplied(error)) return error;
  const cause = error as EtcdError;
  return new EtcdOutcomeUnknownError(`the write may or may not have been applied: ${cause.message}`, {
    endpoint: cause.endpoint,
    grpcCode: cause.grpcCode,
    cause,
  });
}

/**
 * The delay before sweep number `sweep` (0-based) over the endpoints, with jitter: doubling
 * from `backoffBaseMs` up to `backoffCapMs`.
 * @example backoffDelay(2, { attempts: 8, backoffBaseMs: 50, backoffCapMs: 1000, jitter: 0 }) // 200
 */
export function backoffDelay(sweep: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** sweep);
  return Math.round(base * (1 - policy.jitter + policy.jitter * random()));
}
