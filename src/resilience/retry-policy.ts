/**
 * What is safe to retry. Reads retry on any transient failure; writes only when the request
 * provably never reached a server or the server said it did not apply it. A write whose fate is
 * unknown becomes EtcdOutcomeUnknownError and surfaces at once.
 */
import {
  EtcdConnectionError,
  EtcdError,
  EtcdOutcomeUnknownError,
  EtcdProtocolError,
  EtcdTimeoutError,
  EtcdUnavailableError,
} from '../errors';
import { RetryPolicy } from '../options';

/** Whether a call only reads (safe to repeat) or changes the store. */
export type CallKind = 'read' | 'write';

/** A failure that another endpoint, or the same one a moment later, may not repeat. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof EtcdConnectionError ||
    error instanceof EtcdTimeoutError ||
    error instanceof EtcdUnavailableError ||
    error instanceof EtcdProtocolError
  );
}

/** A write failure proving the write was not applied. */
function provablyNotApplied(error: unknown): boolean {
  if (error instanceof EtcdConnectionError || error instanceof EtcdTimeoutError) return !error.requestSent;
  return error instanceof EtcdUnavailableError && error.notApplied;
}

/** Whether a failed call of this kind may be tried again. */
export function isRetryable(error: unknown, kind: CallKind): boolean {
  return kind === 'read' ? isTransient(error) : provablyNotApplied(error);
}

/**
 * Turns a write's transient failure that may have reached the server into
 * EtcdOutcomeUnknownError; every other error stays as it is.
 */
export function classifyFailure(error: unknown, kind: CallKind): unknown {
  if (kind === 'read' || !isTransient(error) || provablyNotApplied(error)) return error;
  const cause = error as EtcdError;
  return new EtcdOutcomeUnknownError(`the write may or may not have been applied: ${cause.message}`, {
    endpoint: cause.endpoint,
    grpcCode: cause.grpcCode,
    cause,
  });
}

/** The delay before sweep number `sweep` (0-based) over the endpoints, with jitter. */
export function backoffDelay(sweep: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** sweep);
  return Math.round(base * (1 - policy.jitter + policy.jitter * random()));
}
