/**
 * Failover for endless streams (watches): when a stream breaks, it is opened again at once on
 * the next endpoint, and after a full sweep over the endpoints with backoff. The stream carries
 * its own position (a watch its revision), so each reopening is a new call of `open`.
 */
import { catchError, defer, Observable, retry, tap, throwError, timer } from 'rxjs';
import { EtcdAllEndpointsFailedError, EtcdClientClosedError } from '../errors';
import { Endpoint, EndpointPool, Sweep } from './endpoint-pool';
import { backoffDelay, isTransient, RetryPolicy } from './retry-policy';

/** How patiently a stream is reopened. */
export interface StreamFailoverSettings {
  /**
   * Backoff between sweeps over the endpoints (the client's retry policy); its `attempts` bound
   * the tries of a stream that no endpoint has served yet, as they bound a call.
   */
  readonly retry: RetryPolicy;
  /**
   * A stream that was served, then broke, fails with EtcdAllEndpointsFailedError when no endpoint
   * could serve it again for this long.
   */
  readonly giveUpAfterMs: number;
}

/**
 * Runs `open(endpoint)` and, each time it fails transiently, demotes that endpoint and opens it
 * again on the next one. A value emitted proves the endpoint good: the endpoint becomes the
 * preferred one and the failure count starts over. Errors no retry can fix surface at once. A
 * stream never served gives up after the retry policy's attempts: nothing shows that waiting
 * longer would help (every endpoint down, or refusing this client), and the caller should know.
 * @example followStream(pool, settings, (endpoint) => openWatch(endpoint, position.next))
 */
export function followStream<T>(pool: EndpointPool, settings: StreamFailoverSettings, open: (endpoint: Endpoint) => Observable<T>): Observable<T> {
  return defer(() => {
    const failures = new Map<string, Error>();
    const sweep = new Sweep(pool);
    let sweeps = 0;
    let failingSince: number | undefined;
    let served = false;
    let failuresBeforeServed = 0;

    const once = defer(() => {
      if (pool.closed) return throwError(() => new EtcdClientClosedError());
      const endpoint = sweep.next();
      return open(endpoint).pipe(
        tap(() => {
          served = true;
          if (failingSince !== undefined || sweep.triedCount > 1) {
            sweep.restartFrom(endpoint);
            sweeps = 0;
            failingSince = undefined;
            failures.clear();
          }
          pool.answered(endpoint);
        }),
        catchError((error: unknown) => {
          if (isTransient(error)) {
            pool.demote(endpoint);
            failures.set(endpoint.url, error as Error);
          }
          return throwError(() => error);
        }),
      );
    });

    return once.pipe(
      retry({
        delay: (error: unknown) => {
          if (!isTransient(error) || pool.closed) return throwError(() => (pool.closed ? new EtcdClientClosedError() : error));
          const now = Date.now();
          failingSince ??= now;
          const attemptsSpent = !served && ++failuresBeforeServed >= Math.max(settings.retry.attempts, pool.size);
          if (attemptsSpent || now - failingSince >= settings.giveUpAfterMs) {
            return throwError(() => new EtcdAllEndpointsFailedError([...failures].map(([endpoint, e]) => ({ endpoint, error: e }))));
          }
          return timer(sweep.ended ? backoffDelay(sweeps++, settings.retry) : 0);
        },
      }),
    );
  });
}
