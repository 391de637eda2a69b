/**
 * Failover as Rx operators: each attempt picks an endpoint, is timed out, and its failure is
 * classified; `retry` moves to the next endpoint at once and backs off between sweeps over the
 * whole list. What may be retried is decided by retry-policy.
 */
import { catchError, concat, defer, Observable, retry, tap, throwError, timer } from 'rxjs';
import { EtcdAllEndpointsFailedError, EtcdClientClosedError, EtcdTimeoutError } from '../errors';
import { Endpoint, EndpointPool, Sweep } from './endpoint-pool';
import { probe } from './liveness-probe';
import { stallCheck } from './stall-check';
import { timeLimit } from './time-limit';
import { RetryPolicy } from '../options';
import { backoffDelay, CallKind, classifyFailure, isRetryable, isTransient } from './retry-policy';

/** Timing of calls. */
export interface FailoverSettings {
  /** How long one attempt on one endpoint may take. */
  readonly requestTimeoutMs: number;
  /**
   * A call to an endpoint silent for longer than this is preceded by a liveness probe: a frozen
   * member then costs a write nothing (it is not sent), and a read a probe's second rather than
   * a request timeout (what a fresh client, such as one CLI command, meets first).
   */
  readonly probeAfterIdleMs: number;
  readonly retry: RetryPolicy;
}

/**
 * Runs `attempt` on one endpoint after another until one succeeds or the policy gives up.
 * Emits what the successful attempt emits. When every attempt failed transiently, the error is
 * EtcdAllEndpointsFailedError naming each endpoint and its last failure.
 * @example withFailover(pool, settings, 'read', (ep) => postJson(ep, '/v3/kv/range', body))
 */
export function withFailover<T>(
  pool: EndpointPool,
  settings: FailoverSettings,
  kind: CallKind,
  attempt: (endpoint: Endpoint) => Observable<T>,
): Observable<T> {
  return defer(() => {
    const failures = new Map<string, Error>();
    const sweep = new Sweep(pool);
    let sweeps = 0;

    const once = defer(() => {
      if (pool.closed) return throwError(() => new EtcdClientClosedError());
      const endpoint = sweep.next();
      const probeMs = Math.min(settings.requestTimeoutMs, PROBE_TIMEOUT_CAP_MS);
      const timedOut = () => new EtcdTimeoutError(settings.requestTimeoutMs, true, { endpoint: endpoint.url });
      // Only reads: a write already sent is an unknown outcome either way, and waiting lets it land.
      const attempted = kind === 'read' && settings.requestTimeoutMs > STALL_CHECK_AFTER_MS + probeMs
        ? attempt(endpoint).pipe(stallCheck(STALL_CHECK_AFTER_MS, () => probe(pool, endpoint, probeMs), () => stalled(endpoint)))
        : attempt(endpoint);
      const call = attempted.pipe(
        timeLimit(settings.requestTimeoutMs, timedOut),
        tap(() => pool.answered(endpoint)),
      );
      const checked =
        Date.now() - endpoint.lastAnsweredAt > settings.probeAfterIdleMs
          ? concat(probe(pool, endpoint, probeMs), call)
          : call;
      return checked.pipe(
        catchError((error: unknown) => {
          if (isTransient(error)) pool.demote(endpoint);
          const failure = classifyFailure(error, kind);
          if (failure instanceof Error) failures.set(endpoint.url, failure);
          return throwError(() => failure);
        }),
      );
    });

    return once.pipe(
      retry({
        count: Math.max(settings.retry.attempts, pool.size) - 1,
        delay: (error: unknown) => {
          if (!isRetryable(error, kind)) return throwError(() => error);
          return timer(sweep.ended ? backoffDelay(sweeps++, settings.retry) : 0);
        },
      }),
      catchError((error: unknown) =>
        throwError(() =>
          isRetryable(error, kind)
            ? new EtcdAllEndpointsFailedError([...failures].map(([endpoint, failure]) => ({ endpoint, error: failure })))
            : error,
        ),
      ),
    );
  });
}

// A live member answers /version in well under a millisecond; waiting longer only delays failover.
const PROBE_TIMEOUT_CAP_MS = 1000;
// Far longer than a healthy read takes, even under load; short next to a request timeout.
const STALL_CHECK_AFTER_MS = 1000;

function stalled(endpoint: Endpoint): EtcdTimeoutError {
  return new EtcdTimeoutError(STALL_CHECK_AFTER_MS, true, { endpoint: endpoint.url, what: 'read, whose member then failed a liveness probe,' });
}
