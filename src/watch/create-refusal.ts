/**
 * A watch create the server refused: it answers `created` and `canceled` together, with a
 * reason, and no error status (HTTP 200, or a plain WebSocket message). The refusal is made the
 * error it means inside the attempt that sent the create, where a refusal that may come from an
 * old token gets the watch sent again with a new one (see reauthentication).
 */
import { EtcdError, EtcdPermissionDeniedError, EtcdServerError, EtcdUnauthenticatedError } from '../errors';
import { WatchResponse } from './watch-response';

// Reasons meaning "send a (new) token": expired or unknown, none at all, or older than the auth store.
const TOKEN_REFUSALS = ['invalid auth token', 'user name is empty', 'revision of auth store is old'];

/**
 * The typed error of a refused create, or undefined for any other answer.
 * @example refusedCreate(decodeWatchResponse({ created: true, canceled: true, cancel_reason: 'etcdserver: permission denied' }), url) // EtcdPermissionDeniedError
 */
export function refusedCreate(response: WatchResponse, endpoint: string): EtcdError | undefined {
  if (!response.created || !response.canceled) return undefined;
  const reason = response.cancelReason;
  const text = `${endpoint} refused the watch: ${reason || 'no reason given'}`;
  if (TOKEN_REFUSALS.some((r) => reason.includes(r))) return new EtcdUnauthenticatedError(text, { endpoint });
  if (reason.includes('permission denied')) return new EtcdPermissionDeniedError(text, { endpoint });
  return new EtcdServerError(text, { endpoint });
}

/**
 * Throws the error of a refused create; passes every other answer.
 * @example stream.pipe(tap((response) => throwIfRefused(response, endpoint.url)))
 */
export function throwIfRefused(response: WatchResponse, endpoint: string): WatchResponse {
  const refusal = refusedCreate(response, endpoint);
  if (refusal !== undefined) throw refusal;
  return response;
}
