/**
 * Failover for endless streams (watches): when a stream breaks, it is opened again at once on
 * the next endpoint, and after a full sweep over the endpoints with backoff (the kernel's loop,
 * see retry-loop). The stream carries its own position (a watch its revision), so each
 * reopening is a new call of `open`; it gives up only when no endpoint served it for a while.
 */
import { Observable, SchedulerLike } from 'rxjs';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { retryAcrossEndpoints } from './retry-loop';
import { RetryPolicy } from './retry-policy';

/** How patiently a stream is reopened. */
export interface StreamFailoverSettings {
  /** Backoff between sweeps over the endpoints (the client's retry policy; `attempts` is not used). */
  readonly retry: RetryPolicy;
  /** A stream that no endpoint could serve for this long fails with EtcdAllEndpointsFailedError. */
  readonly giveUpAfterMs: number;
  /** Where backoff is timed (tests pass a virtual-time scheduler). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Runs `open(endpoint)` and, each time it fails transiently, demotes that endpoint and opens it
 * again on the next one. A value emitted proves the endpoint good: the endpoint becomes the
 * preferred one and the failure count starts over. Errors no retry can fix surface at once.
 * @example followStream(pool, settings, (endpoint) => openWatch(endpoint, position.next))
 */
export function followStream<T>(pool: EndpointPool, settings: StreamFailoverSettings, open: (endpoint: Endpoint) => Observable<T>): Observable<T> {
  return retryAcrossEndpoints(
    pool,
    {
      retry: 'repeatable',
      policy: settings.retry,
      giveUp: (failures, now) => failures.failingForMs(now) >= settings.giveUpAfterMs,
      scheduler: settings.scheduler,
    },
    open,
  );
}
