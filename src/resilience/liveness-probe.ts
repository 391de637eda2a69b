/**
 * A cheap question (`GET /version`) to an endpoint that has been silent, asked before a write is
 * sent there. A frozen member still accepts TCP connections, so only an answer proves it alive;
 * a probe that fails costs no write, which then goes elsewhere safely.
 */
import { catchError, ignoreElements, Observable, tap, throwError } from 'rxjs';
import { EtcdConnectionError, EtcdTimeoutError, EtcdTlsError } from '../errors';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { timeLimit } from './time-limit';

/**
 * Completes when `endpoint` answers within `timeoutMs`; errors with a failure marked as "request
 * not sent" otherwise.
 * @example concat(probe(pool, endpoint, 1000), write$)
 */
export function probe(pool: EndpointPool, endpoint: Endpoint, timeoutMs: number): Observable<never> {
  return pool.send({ method: 'version', endpoint, attempt: 1, exchange: { kind: 'get', path: '/version' } }).pipe(
    timeLimit(timeoutMs, () => new EtcdTimeoutError(timeoutMs, false, { endpoint: endpoint.url, what: 'liveness probe' }), pool.clock),
    tap(() => pool.answered(endpoint)),
    ignoreElements(),
    catchError((error: unknown) =>
      throwError(() =>
        // A TLS failure is the endpoint's verdict on this client, not a sign of life or death.
        error instanceof EtcdTimeoutError || error instanceof EtcdTlsError
          ? error
          : new EtcdConnectionError(`liveness probe of ${(error as Error).message}`, false, {
              endpoint: endpoint.url,
              cause: error,
            }),
      ),
    ),
  );
}
