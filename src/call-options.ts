/**
 * What every unary operation takes besides its own options: how long it may take in all, and
 * a signal that cancels it.
 */
import { Observable } from 'rxjs';
import { describe } from './describe-value';
import { EtcdInvalidArgumentError } from './errors';

/** Options every unary operation accepts. */
export interface CallOptions {
  /**
   * The longest this call may take, every retry and backoff included (default: the client's
   * `deadlineMs`, itself three request timeouts by default). When it passes the call fails with
   * EtcdDeadlineExceededError, or EtcdOutcomeUnknownError for a write already sent.
   */
  readonly deadlineMs?: number;
  /**
   * Cancels the call when aborted, as unsubscribing does: it then fails with the signal's
   * reason (an AbortError by default).
   */
  readonly signal?: AbortSignal;
}

/**
 * The deadline a call's options ask for, checked: undefined when they ask for none.
 * @example deadlineOf({ deadlineMs: 500 }) // 500
 */
export function deadlineOf(options: CallOptions | undefined): number | undefined {
  const ms = options?.deadlineMs;
  if (ms === undefined) return undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1) throw new EtcdInvalidArgumentError(`deadlineMs must be a number ≥ 1, got ${describe(ms)}`);
  return ms;
}

/**
 * `source`, cancelled when `signal` aborts as unsubscribing cancels it, then failing with the
 * signal's reason.
 * @example abortable(etcd.get('k'), AbortSignal.timeout(1000))
 */
export function abortable<T>(source: Observable<T>, signal: AbortSignal): Observable<T> {
  return new Observable<T>((subscriber) => {
    if (signal.aborted) {
      subscriber.error(signal.reason);
      return undefined;
    }
    const abort = () => subscriber.error(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    const subscription = source.subscribe(subscriber);
    return () => {
      signal.removeEventListener('abort', abort);
      subscription.unsubscribe();
    };
  });
}
