/**
 * The one place where an attempt refused for its auth token is sent again. etcd checks the token
 * before it applies anything, so a refused attempt, even a write, is safe to re-send; it is
 * re-sent once, with a new token (which one authentication gets for every caller refused at the
 * time). Every attempt passes here: calls, waits, streams, watches, probes, snapshots, HashKV;
 * WebSocket watches, which are no attempts, use `withFreshToken` themselves.
 */
import { catchError, defer, Observable, throwError } from 'rxjs';
import { diagnostics } from '../diagnostics/channels';
import { EtcdPermissionDeniedError, EtcdUnauthenticatedError } from '../errors';
import type { TokenSource } from '../transport/http-endpoint';
import { AttemptStage } from './attempt';

/**
 * Whether a refusal may come from an old token. "Unauthenticated" always does. A stream opened
 * again (a watch resumed on another member) may carry a token that expired meanwhile, and its
 * refusal is only a reason in a cancelled create: there "permission denied" may mean the same.
 */
function staleTokenRefusal(error: unknown, stream: boolean): boolean {
  return error instanceof EtcdUnauthenticatedError || (stream && error instanceof EtcdPermissionDeniedError);
}

/**
 * Runs `open`, and once more with a new token when its refusal may come from an old one (see
 * staleTokenRefusal): only a second refusal, with the new token, reaches the caller.
 * @example withFreshToken(tokens, { method: 'watch', endpoint: url }, true, () => openWatch())
 */
export function withFreshToken<T>(
  tokens: TokenSource,
  what: { readonly method: string; readonly endpoint: string },
  stream: boolean,
  open: () => Observable<T>,
): Observable<T> {
  return defer(() => {
    const used = tokens.generation;
    return open().pipe(
      catchError((error: unknown) => {
        if (!staleTokenRefusal(error, stream)) return throwError(() => error);
        tokens.refused(used);
        diagnostics.authRefresh.publish(() => what);
        return open();
      }),
    );
  });
}

/**
 * The attempt stage that re-sends, once and with a new token, what the server refused for its
 * token; without credentials it adds nothing.
 * @example attemptChain([reauthentication], wire)
 */
export const reauthentication: AttemptStage = (next) => (attempt) => {
  const tokens = attempt.endpoint.tokens;
  if (tokens === undefined) return next(attempt);
  return withFreshToken(tokens, { method: attempt.method, endpoint: attempt.endpoint.url }, attempt.exchange.kind === 'lines', () => next(attempt));
};
