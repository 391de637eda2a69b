/**
 * The one place where a call refused for its auth token is sent again. etcd checks the token
 * before it applies anything, so a refused call, even a write, is safe to re-send; it is re-sent
 * once, with a new token (which one authentication gets for every caller refused at the time).
 */
import { catchError, defer, Observable, throwError } from 'rxjs';
import { EtcdUnauthenticatedError } from '../errors';
import { HttpEndpoint } from '../transport/http-endpoint';

/**
 * `send`, re-sent once with a new token when the server refused the token it carried.
 * Without credentials it is `send` itself.
 * @example reauthenticating(endpoint, postJson(endpoint, '/v3/kv/put', body))
 */
export function reauthenticating<T>(endpoint: HttpEndpoint, send: Observable<T>): Observable<T> {
  const tokens = endpoint.tokens;
  if (tokens === undefined) return send;
  return defer(() => {
    const used = tokens.generation;
    return send.pipe(
      catchError((error: unknown) => {
        if (!(error instanceof EtcdUnauthenticatedError)) return throwError(() => error);
        tokens.refused(used);
        return send;
      }),
    );
  });
}
