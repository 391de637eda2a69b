/** The base of etcd-rx's errors, and the errors of the wire and of the cluster. */

/**
 * gRPC status codes, as etcd answers them over its JSON gateway.
 * @example if (e instanceof EtcdError && e.grpcCode === GrpcCode.RESOURCE_EXHAUSTED) console.log('quota full')
 */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/**
 * The base of every etcd-rx error.
 * @example
 * etcd.get('k').subscribe({ error: (e) => { if (e instanceof EtcdError) console.log(e.endpoint, e.message) } })
 */
export class EtcdError extends Error {
  /** The endpoint that answered (or failed to), when one was involved. */
  readonly endpoint: string | undefined;
  /** The gRPC code the server answered with, when the server answered. */
  readonly grpcCode: number | undefined;

  constructor(message: string, details: { endpoint?: string; grpcCode?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.endpoint = details.endpoint;
    this.grpcCode = details.grpcCode;
  }
}

/**
 * An argument was wrong (empty key, wrong type, bad option), or the server said so (code 3).
 * @example etcd.put('', 'v').subscribe({ error: (e) => e instanceof EtcdInvalidArgumentError }) // the empty key is refused
 */
export class EtcdInvalidArgumentError extends EtcdError {}

/**
 * The request exceeds the server's size limit (`--max-request-bytes`, about 1.5 MiB by default).
 * @example etcd.put('k', Buffer.alloc(2 << 20)).subscribe({ error: (e) => e instanceof EtcdRequestTooLargeError })
 */
export class EtcdRequestTooLargeError extends EtcdInvalidArgumentError {}

/**
 * No connection could be made to an endpoint, or it broke. `requestSent` is false only when
 * the request provably never left this process (connection refused, unknown host).
 * @example if (e instanceof EtcdConnectionError && !e.requestSent) console.log('never reached', e.endpoint)
 */
export class EtcdConnectionError extends EtcdError {
  constructor(
    message: string,
    readonly requestSent: boolean,
    details: { endpoint?: string; cause?: unknown; errno?: string } = {},
  ) {
    super(message, details);
    this.errno = details.errno;
  }
  /** The system error code (ECONNREFUSED, ECONNRESET, …) when there was one. */
  readonly errno: string | undefined;
}

/**
 * An endpoint did not answer within the request timeout.
 * @example etcd.get('k').subscribe({ error: (e) => { if (e instanceof EtcdTimeoutError) console.log('silent:', e.endpoint) } })
 */
export class EtcdTimeoutError extends EtcdError {
  constructor(
    readonly timeoutMs: number,
    readonly requestSent: boolean,
    details: { endpoint?: string; what?: string } = {},
  ) {
    super(`${details.what ?? 'request'} to ${details.endpoint ?? 'etcd'} got no answer within ${timeoutMs} ms`, details);
  }
}

/**
 * An endpoint answered something that is not etcd's JSON (garbage, truncated, wrong shape).
 * @example if (e instanceof EtcdProtocolError) console.log(`${e.endpoint} is not speaking etcd's JSON`)
 */
export class EtcdProtocolError extends EtcdError {}

/**
 * The server is temporarily unable to serve (no leader, leader changed, request timed out, too
 * many requests). `notApplied` is true when the message proves a write was not applied.
 * @example if (e instanceof EtcdUnavailableError && e.notApplied) console.log('safe to try the write again')
 */
export class EtcdUnavailableError extends EtcdError {
  constructor(
    message: string,
    readonly notApplied: boolean,
    details: { endpoint?: string; grpcCode?: number } = {},
  ) {
    super(message, details);
  }
}

/**
 * A write was sent but its fate is unknown: the connection broke or the server timed out after
 * the request left. It may or may not have been applied, so it was not retried.
 * @example etcd.put('k', 'v').subscribe({ error: (e) => { if (e instanceof EtcdOutcomeUnknownError) console.log('read k to learn whether it was written') } })
 */
export class EtcdOutcomeUnknownError extends EtcdError {}

/**
 * The revision asked for has been compacted away.
 * @example etcd.get('k', { revision: 1 }).subscribe({ error: (e) => { if (e instanceof EtcdCompactedError) console.log('compacted up to', e.compactRevision) } })
 */
export class EtcdCompactedError extends EtcdError {
  constructor(
    message: string,
    readonly compactRevision: number | undefined,
    details: { endpoint?: string; grpcCode?: number } = {},
  ) {
    super(message, details);
  }
}

/**
 * The server needs a valid token (auth is on and none, or an expired one, was sent).
 * @example if (e instanceof EtcdUnauthenticatedError) console.log('log in again')
 */
export class EtcdUnauthenticatedError extends EtcdError {}

/**
 * A TLS connection to an endpoint failed: its certificate could not be verified (unknown CA,
 * self-signed, expired, issued for another host name), it refused ours (or the lack of one), or
 * it does not speak TLS. The message names the endpoint and Node's reason; `code` is Node's
 * code. Nothing was sent, and nothing is retried: another attempt would fail the same way.
 * @example if (e instanceof EtcdTlsError) console.log(e.endpoint, e.code)
 */
export class EtcdTlsError extends EtcdError {
  constructor(message: string, details: { endpoint?: string; cause?: unknown; code?: string } = {}) {
    super(message, details);
    this.code = details.code;
  }
  /** Node's error code, e.g. SELF_SIGNED_CERT_IN_CHAIN or ERR_TLS_CERT_ALTNAME_INVALID. */
  readonly code: string | undefined;
}

/**
 * The user name or password of the client's `auth` option was refused. Nothing was sent with
 * them; the call is not retried (no other member would accept them either).
 * @example if (e instanceof EtcdAuthenticationError) console.log('check the user name and password')
 */
export class EtcdAuthenticationError extends EtcdError {}

/**
 * The authenticated user may not do this. `key` names the key (or lock, election) refused, when
 * the request had one.
 * @example if (e instanceof EtcdPermissionDeniedError) console.log('no right to', e.key)
 */
export class EtcdPermissionDeniedError extends EtcdError {
  constructor(message: string, details: { endpoint?: string; grpcCode?: number; cause?: unknown; key?: string } = {}) {
    super(message, details);
    this.key = details.key;
  }
  /** The key the request was about, when it named one. */
  readonly key: string | undefined;
}

/**
 * The server does not know the thing named (a lease, a member).
 * @example etcd.revokeLease('123').subscribe({ error: (e) => e instanceof EtcdNotFoundError }) // no such lease
 */
export class EtcdNotFoundError extends EtcdError {}

/**
 * Any other error the server answered, with its gRPC code and message.
 * @example if (e instanceof EtcdServerError) console.log(e.grpcCode, e.message)
 */
export class EtcdServerError extends EtcdError {}

/**
 * A value read as JSON (`getJson`, `mirrorJson`, `KeyValue.json()`) is not JSON. Nothing is
 * wrong with the cluster: the key holds something else. `key` names it.
 * @example etcd.getJson('k').subscribe({ error: (e) => e instanceof EtcdValueNotJsonError && console.log(e.key) })
 */
export class EtcdValueNotJsonError extends EtcdError {
  constructor(
    readonly key: string,
    cause: unknown,
  ) {
    super(`the value of key ${JSON.stringify(key)} is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * The client was closed; nothing more can be sent through it.
 * @example await etcd.close(); etcd.get('k').subscribe({ error: (e) => e instanceof EtcdClientClosedError })
 */
export class EtcdClientClosedError extends EtcdError {
  constructor() {
    super('the etcd client is closed');
  }
}

/** What one endpoint answered during a call that failed everywhere. */
export interface EndpointFailure {
  readonly endpoint: string;
  readonly error: Error;
}

/**
 * Every endpoint failed, after the retry policy was spent. `failures` holds the last error of
 * each endpoint tried, and the message names them all.
 * @example if (e instanceof EtcdAllEndpointsFailedError) for (const f of e.failures) console.log(f.endpoint, f.error.message)
 */
export class EtcdAllEndpointsFailedError extends EtcdError {
  constructor(readonly failures: readonly EndpointFailure[]) {
    super(
      `all ${failures.length} etcd endpoint(s) failed: ` +
        failures.map((f) => (f.error.message.includes(f.endpoint) ? f.error.message : `${f.endpoint}: ${f.error.message}`)).join('; '),
    );
  }
}

/**
 * An operation did not succeed within its deadline (`deadlineMs`: by default three request
 * timeouts, retries and backoff included). `failures` holds what each endpoint tried answered.
 * Nothing was applied: a write whose attempt was still in flight at the deadline fails with
 * EtcdOutcomeUnknownError instead.
 * @example etcd.get('k', { deadlineMs: 500 }).subscribe({ error: (e) => { if (e instanceof EtcdDeadlineExceededError) console.log(e.deadlineMs, e.failures) } })
 */
export class EtcdDeadlineExceededError extends EtcdAllEndpointsFailedError {
  constructor(
    readonly deadlineMs: number,
    failures: readonly EndpointFailure[],
  ) {
    super(failures);
    const tried = failures.map((f) => (f.error.message.includes(f.endpoint) ? f.error.message : `${f.endpoint}: ${f.error.message}`));
    this.message = `no answer within the deadline of ${deadlineMs} ms` + (tried.length > 0 ? `; tried ${tried.join('; ')}` : '; no endpoint was tried');
  }
}

/**
 * The cluster has no leader: every member that answered knows none (two of three members down,
 * say), so no write and no linearizable read can be served. Nothing was applied. Work resumes by
 * itself once quorum is back: the same client can simply call again.
 * @example etcd.put('k', 'v').subscribe({ error: (e) => { if (e instanceof EtcdQuorumLostError) console.log('no leader; silent:', e.silent) } })
 */
export class EtcdQuorumLostError extends EtcdUnavailableError {
  constructor(
    /** Endpoints that answered and know no leader. */
    readonly leaderless: readonly string[],
    /** Endpoints that did not answer at all. */
    readonly silent: readonly string[],
    /** The last failure of each endpoint the operation tried. */
    readonly failures: readonly EndpointFailure[],
  ) {
    super(
      `no leader: ${leaderless.join(', ')} answered but know${leaderless.length === 1 ? 's' : ''} no leader` +
        (silent.length > 0 ? `; ${silent.join(', ')} did not answer` : '') +
        ' (the cluster has lost quorum)',
      true,
    );
  }
}
