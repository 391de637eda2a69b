/**
 * Hedged calls as Rx operators: the same idempotent request sent to one endpoint after another,
 * every `hedgeMs`, without waiting for the earlier attempts to fail; the first answer wins and
 * the rest are cancelled. Failover waits out each hung member in turn; hedging does not, which
 * is what a deadline shorter than a few request timeouts (a lease's TTL) needs.
 */
import { catchError, defer, EMPTY, mergeMap, Observable, take, throwError, timer } from 'rxjs';
import { Endpoint, EndpointPool, Sweep } from './endpoint-pool';
import { attemptOn, requestTimeLimit } from './retry-loop';
import { isTransient } from './retry-policy';

// Two members saying the same is no longer one member's confusion.
const VERDICTS_NEEDED = 2;

/**
 * Runs `attempt` on the best endpoint now, then on the next one every `hedgeMs` until one
 * answers, each attempt cut at `attemptTimeoutMs`. Transient failures only demote their endpoint.
 * Any other error is one member's verdict, which may be its own confusion (a leader resuming
 * from a pause, a member shutting down): it ends the call once a second member has given one
 * too (or at once, with a single endpoint). It never gives up by itself: bound it with a
 * deadline. Only for requests that may be applied more than once (reads, lease renewals).
 * @example withHedging(pool, 500, 1250, (ep, n) => pool.send({ method: 'lease/keepalive', endpoint: ep, attempt: n, exchange })).pipe(takeUntil(deadline$))
 */
export function withHedging<T>(
  pool: EndpointPool,
  hedgeMs: number,
  attemptTimeoutMs: number,
  attempt: (endpoint: Endpoint, attempt: number) => Observable<T>,
): Observable<T> {
  return defer(() => {
    const sweep = new Sweep(pool);
    const verdicts = new Set<Endpoint>();
    let attempts = 0;
    const once = pool.ifOpen(() => {
      const endpoint = sweep.next();
      return attemptOn(pool, endpoint, attempt(endpoint, ++attempts).pipe(requestTimeLimit(attemptTimeoutMs, endpoint, pool.clock))).pipe(
        catchError((error: unknown) => {
          if (isTransient(error)) return EMPTY;
          verdicts.add(endpoint);
          return verdicts.size >= Math.min(VERDICTS_NEEDED, pool.size) ? throwError(() => error) : EMPTY;
        }),
      );
    });
    return timer(0, hedgeMs, pool.clock).pipe(
      mergeMap(() => once),
      take(1),
    );
  });
}
