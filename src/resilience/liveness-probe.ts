/**
 * Is a member alive? Asked of the member monitor before a call goes to a member that has been
 * silent, after a repeatable call has waited on one for a moment, and all along a waiting call.
 * A frozen member still accepts TCP connections, so only an answer proves it alive; a probe that
 * fails costs no write, which then goes elsewhere safely.
 */
import { catchError, Observable, tap, throwError } from 'rxjs';
import { EtcdConnectionError, EtcdTimeoutError, EtcdTlsError } from '../errors';
import { Endpoint, EndpointPool } from './endpoint-pool';

/**
 * Completes when `endpoint` answers the member monitor within `timeoutMs` (and records the
 * answer in the pool); errors with a failure marked as "request not sent" otherwise.
 * @example concat(probe(pool, endpoint, 1000), write$)
 */
export function probe(pool: EndpointPool, endpoint: Endpoint, timeoutMs: number): Observable<never> {
  return pool.monitor.check(endpoint, timeoutMs).pipe(
    tap({ complete: () => pool.answered(endpoint) }),
    catchError((error: unknown) =>
      throwError(() =>
        // A TLS failure is the endpoint's verdict on this client, not a sign of life or death.
        error instanceof EtcdTlsError
          ? error
          : error instanceof EtcdTimeoutError
            ? new EtcdTimeoutError(error.timeoutMs, false, { endpoint: endpoint.url, what: 'liveness probe' })
            : new EtcdConnectionError(`liveness probe of ${(error as Error).message}`, false, { endpoint: endpoint.url, cause: error }),
      ),
    ),
  );
}
