/**
 * Turns an error etcd answered into a typed EtcdError. Every shape is read: a unary call's
 * `{error, message, code}` (3.6+ drops `error`), a stream's `{grpc_code, message, …}` (3.6+:
 * `{code, message}`), and a stream's error answered with an error status, `{error: {…}}`.
 */
import {
  EtcdAuthenticationError,
  EtcdCompactedError,
  EtcdError,
  EtcdInvalidArgumentError,
  EtcdNotFoundError,
  EtcdPermissionDeniedError,
  EtcdProtocolError,
  EtcdRequestTooLargeError,
  EtcdServerError,
  EtcdUnauthenticatedError,
  EtcdUnavailableError,
  GrpcCode,
} from '../errors';
import { asObject } from './codec';

// Errors etcd raises before a proposal enters raft: a write answered with one was not applied.
const NOT_APPLIED = [
  'etcdserver: no leader',
  'etcdserver: too many requests',
  'etcdserver: not capable',
  'etcdserver: unhealthy cluster',
  'raft proposal dropped',
];
// Passing troubles of the cluster, not faults of the request. The KV service answers them with
// code 14 (unavailable), but the Lock and Election services pass them on with code 2 (unknown):
// they are recognised by their text, whatever the code.
const TRANSIENT = [...NOT_APPLIED, 'etcdserver: leader changed', 'etcdserver: request timed out'];
// The authentication service says "not found" with code 9 (failed precondition).
const AUTH_NOT_FOUND = ['user name not found', 'role name not found', 'role is not granted to the user', 'permission is not granted to the role'];

// Answers meaning "send a (fresh) token": none was sent, or the auth store changed since it was issued.
const TOKEN_TROUBLE = ['user name is empty', 'revision of auth store is old'];

/** Decodes an error body (unary or stream shape) answered by `endpoint`. */
export function decodeServerError(body: unknown, endpoint: string, httpStatus?: number): EtcdError {
  if (typeof body !== 'object' || body === null) {
    return new EtcdProtocolError(`${endpoint} answered HTTP ${httpStatus ?? '?'} with no etcd error body`, { endpoint });
  }
  const fields = body as Record<string, unknown>;
  // A stream refused before its first message (etcd 3.5's lease keep-alive with an expired token:
  // HTTP 401) answers its error in the stream shape, `{"error": {"code", "message"}}`.
  if (typeof fields.error === 'object' && fields.error !== null) return decodeServerError(fields.error, endpoint, httpStatus);
  const code = typeof fields.code === 'number' ? fields.code : typeof fields.grpc_code === 'number' ? fields.grpc_code : undefined;
  const message = typeof fields.message === 'string' ? fields.message : typeof fields.error === 'string' ? fields.error : undefined;
  if (code === undefined || message === undefined) {
    return new EtcdProtocolError(`${endpoint} answered HTTP ${httpStatus ?? '?'} with an unknown error shape: ${JSON.stringify(body).slice(0, 200)}`, {
      endpoint,
    });
  }
  return errorFromCode(code, message, endpoint);
}

/** Maps a gRPC code and etcd message to the typed error a caller can act on. */
export function errorFromCode(code: number, message: string, endpoint: string): EtcdError {
  const details = { endpoint, grpcCode: code };
  const text = `${message} (code ${code}, from ${endpoint})`;
  // etcd refuses at its own limit (--max-request-bytes); gRPC refuses above it with code 8.
  if (message.includes('request is too large') || message.includes('message larger than max')) {
    return new EtcdRequestTooLargeError(text, details);
  }
  if (message.includes('required revision has been compacted')) return new EtcdCompactedError(text, undefined, details);
  // A wrong password comes back with code 3 (invalid argument): only its text tells it apart.
  if (message.includes('authentication failed')) return new EtcdAuthenticationError(text, details);
  if (code === GrpcCode.UNAUTHENTICATED || TOKEN_TROUBLE.some((m) => message.includes(m))) return new EtcdUnauthenticatedError(text, details);
  // The Lock and Election services answer a refusal with HTTP 500 and no code.
  if (message.includes('permission denied')) return new EtcdPermissionDeniedError(text, details);
  if (TRANSIENT.some((m) => message.includes(m)))
    return new EtcdUnavailableError(
      text,
      NOT_APPLIED.some((m) => message.includes(m)),
      details,
    );
  if (AUTH_NOT_FOUND.some((m) => message.includes(m))) return new EtcdNotFoundError(text, details);
  switch (code) {
    case GrpcCode.INVALID_ARGUMENT:
    case GrpcCode.OUT_OF_RANGE:
      return new EtcdInvalidArgumentError(text, details);
    case GrpcCode.PERMISSION_DENIED:
      return new EtcdPermissionDeniedError(text, details);
    case GrpcCode.NOT_FOUND:
      return new EtcdNotFoundError(text, details);
    case GrpcCode.UNAVAILABLE:
    case GrpcCode.DEADLINE_EXCEEDED:
      return new EtcdUnavailableError(text, false, details);
    default:
      return new EtcdServerError(text, details);
  }
}

/**
 * Unwraps one message of an etcd stream: its `result`, or the typed error of its `error`.
 * Shared by every streaming transport (HTTP and WebSocket carry the same messages).
 * @example unwrapStreamMessage({ result: { created: true } }, 'http://127.0.0.1:2379') // { created: true }
 */
export function unwrapStreamMessage(json: unknown, endpoint: string): Record<string, unknown> {
  const message = asObject(json, 'stream message');
  if (message.error !== undefined) throw decodeServerError(message.error, endpoint);
  return asObject(message.result, 'stream message result');
}
