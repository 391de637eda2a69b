/**
 * Failover for endless streams (watches): when a stream breaks, it is opened again at once on
 * the next endpoint, and after a full sweep over the endpoints with backoff (the kernel's loop,
 * see retry-loop). The stream carries its own position (a watch its revision), so each
 * reopening is a new call of `open`. A stream never served gives up as a call does, after the
 * retry policy's attempts; once served, it gives up only when no endpoint served it for a while.
 * A stream leaves its endpoint by itself once that endpoint is demoted: its transport's guard
 * (see MemberWatchdog) errors then, once per socket, not once per stream.
 */
import { defer, Observable } from 'rxjs';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { retryAcrossEndpoints } from './retry-loop';
import { RetryPolicy } from '../options';

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
 * preferred one and the failure count starts over. Errors no retry can fix surface at once. Until
 * the first value, nothing shows that waiting longer would help (every endpoint down, or refusing
 * this client), so the caller hears of it within the retry policy.
 * @example followStream(pool, settings, (endpoint) => openWatch(endpoint, position.next))
 */
export function followStream<T>(
  pool: EndpointPool,
  settings: StreamFailoverSettings,
  open: (endpoint: Endpoint, attempt: number) => Observable<T>,
): Observable<T> {
  return defer(() => {
    let served = false;
    const attempts = Math.max(settings.retry.attempts, pool.size);
    return retryAcrossEndpoints(
      pool,
      {
        retry: 'repeatable',
        policy: settings.retry,
        giveUp: (failures, now) => (!served && failures.count >= attempts) || failures.failingForMs(now) >= settings.giveUpAfterMs,
        method: 'watch',
        answered: () => (served = true),
        leavesWhenDemoted: true,
      },
      open,
    );
  });
}
