/**
 * One HTTP call to one endpoint, as a cold Observable: the request is sent on subscribe and
 * aborted on unsubscribe. Knows nothing of retries or of which endpoint to use.
 */
import * as http from 'http';
import * as https from 'https';
import { FetchError } from 'node-fetch';
import { urlToHttpOptions } from 'url';
import { mergeMap, Observable } from 'rxjs';
import { EtcdConnectionError, EtcdError, EtcdProtocolError } from '../errors';
import { HttpEndpoint } from './http-endpoint';
import { namingRefusedKey } from './refused-key';
import { decodeServerError } from './server-error';
import { tlsFailure } from './tls-options';

// System errors raised before any byte of the request could leave this process.
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ERR_INVALID_URL']);

/** Extra request headers (an auth token, say). */
export type Headers = Readonly<Record<string, string>>;

/**
 * POSTs `body` as JSON to `endpoint.url + path` and emits the decoded JSON answer, then completes.
 * A non-200 answer becomes the typed error etcd meant; garbage becomes EtcdProtocolError.
 * @example postJson(endpoint, '/v3/kv/range', { key: 'Zm9v' }).subscribe(console.log)
 */
export function postJson(endpoint: HttpEndpoint, path: string, body: unknown, headers?: Headers): Observable<unknown> {
  const payload = JSON.stringify(body);
  // The error is named in the call's own error path: an operator per call would cost more than the naming.
  return authorized(endpoint, headers, (withToken) =>
    request(endpoint, path, { method: 'POST', body: payload, headers: withToken === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...withToken } }, (error) =>
      namingRefusedKey(error, body),
    ),
  );
}

/**
 * Sends a request with the endpoint's auth token added to `headers` (got first, when the client
 * has none yet), or as it is when the client does not authenticate. etcd takes the bare token in
 * `Authorization`, without a scheme.
 * @example authorized(endpoint, undefined, (headers) => request(endpoint, '/v3/kv/range', { method: 'POST', headers }))
 */
export function authorized<T>(endpoint: HttpEndpoint, headers: Headers | undefined, send: (headers: Headers | undefined) => Observable<T>): Observable<T> {
  const tokens = endpoint.tokens;
  if (tokens === undefined) return send(headers);
  return tokens.token(endpoint).pipe(mergeMap((token) => send(token === '' ? headers : { ...headers, authorization: token })));
}

/**
 * POSTs `body` to one endpoint without any token: for the request that gets one.
 * @example postUnauthorized(endpoint, '/v3/auth/authenticate', { name, password })
 */
export function postUnauthorized(endpoint: HttpEndpoint, path: string, body: unknown): Observable<unknown> {
  return request(endpoint, path, { method: 'POST', body: JSON.stringify(body), headers: JSON_HEADERS });
}

/**
 * GETs a plain JSON document such as `/version` or `/health` from one endpoint.
 * @example getJson(endpoint, '/version').subscribe(console.log)
 */
export function getJson(endpoint: HttpEndpoint, path: string): Observable<unknown> {
  return request(endpoint, path, { method: 'GET' });
}

/**
 * One request on Node's own HTTP client over the endpoint's keep-alive agent: for a small call,
 * node-fetch's streams, header objects and promise hops cost about as much client CPU again as
 * the request itself (measured in `npm run bench`), and nothing of what it adds is used here.
 */
function request(endpoint: HttpEndpoint, path: string, init: RequestInit, named: (error: EtcdError) => EtcdError = same): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    let done = false;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      subscriber.error(named(toEtcdError(error, endpoint.url)));
    };
    const target = requestTarget(endpoint.url);
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);
    const outgoing = target.send({ ...target.options, path: target.base + path, method: init.method, headers, agent: endpoint.agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('close', () => fail(new Error('the connection closed before the answer was complete')));
      response.on('end', () => {
        if (done) return;
        let json: unknown;
        try {
          json = readJson(response.statusCode ?? 0, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'), endpoint.url);
        } catch (error) {
          return fail(error);
        }
        done = true;
        subscriber.next(json);
        subscriber.complete();
      });
    });
    outgoing.on('error', fail);
    outgoing.end(init.body);
    return () => {
      if (done) return;
      done = true;
      outgoing.destroy();
    };
  });
}

/** What every request to one endpoint shares: its protocol's client and its host and port. */
interface RequestTarget {
  readonly send: typeof http.request;
  readonly options: http.RequestOptions;
  /** The endpoint URL's own path (usually none), put before every request's. */
  readonly base: string;
}

// Parsed once per endpoint URL, not on every call.
const targets = new Map<string, RequestTarget>();

function requestTarget(url: string): RequestTarget {
  let target = targets.get(url);
  if (target === undefined) {
    const { hostname, port, protocol, path } = urlToHttpOptions(new URL(url));
    const base = typeof path !== 'string' || path === '/' ? '' : path.replace(/\/$/, '');
    target = { send: protocol === 'https:' ? https.request : http.request, options: { hostname, port, protocol }, base };
    targets.set(url, target);
  }
  return target;
}

/** What a request sends: its method, headers and JSON body. */
interface RequestInit {
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  readonly headers?: Headers;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const same = (error: EtcdError) => error;

function readJson(status: number, text: string, endpoint: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EtcdProtocolError(`${endpoint} answered HTTP ${status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, {
      endpoint,
    });
  }
  if (status !== 200) throw decodeServerError(json, endpoint, status);
  return json;
}

/**
 * Classifies a failure of a request (Node's or node-fetch's): whether the request may have
 * reached the server matters for writes.
 */
export function toEtcdError(error: unknown, endpoint: string): EtcdError {
  if (error instanceof EtcdError) return error;
  if (error instanceof FetchError || isSystemError(error)) {
    const errno = error.code ?? error.errno;
    const reason = error.message.includes('reason: ') ? error.message.slice(error.message.indexOf('reason: ') + 8) : error.message;
    const tls = tlsFailure(error, endpoint, reason);
    if (tls !== undefined) return tls;
    const sent = errno === undefined || !NEVER_SENT.has(errno);
    return new EtcdConnectionError(`${endpoint}: ${reason}`, sent, { endpoint, cause: error, errno });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EtcdConnectionError(`${endpoint}: ${message}`, true, { endpoint, cause: error });
}

// Not `instanceof Error`: Node's own errors may come from another realm (a test runner's vm).
function isSystemError(error: unknown): error is Error & { code: string; errno?: string } {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string';
}
