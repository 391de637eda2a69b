/**
 * The one place where an attempt refused for its auth token is sent again. etcd checks the token
 * before it applies anything, so a refused attempt, even a write, is safe to re-send; it is
 * re-sent once, with a new token (which one authentication gets for every caller refused at the
 * time). Every attempt passes here: calls, waits, streams, watches, probes, snapshots, HashKV.
 */
import { catchError, defer, throwError } from 'rxjs';
import { diagnostics } from '../diagnostics/channels';
import { EtcdUnauthenticatedError } from '../errors';
import { AttemptStage } from './attempt';

/**
 * The attempt stage that re-sends, once and with a new token, what the server refused for its
 * token; without credentials it adds nothing.
 * @example attemptChain([reauthentication], wire)
 */
export const reauthentication: AttemptStage = (next) => (attempt) => {
  const tokens = attempt.endpoint.tokens;
  if (tokens === undefined) return next(attempt);
  return defer(() => {
    const used = tokens.generation;
    return next(attempt).pipe(
      catchError((error: unknown) => {
        if (!(error instanceof EtcdUnauthenticatedError)) return throwError(() => error);
        tokens.refused(used);
        diagnostics.authRefresh.publish(() => ({ method: attempt.method, endpoint: attempt.endpoint.url }));
        return next(attempt);
      }),
    );
  });
};
