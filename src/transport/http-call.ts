/**
 * One HTTP call to one endpoint, as a cold Observable: the request is sent on subscribe and
 * aborted on unsubscribe. Knows nothing of retries or of which endpoint to use.
 */
import fetch, { FetchError, RequestInit, Response } from 'node-fetch';
import { mergeMap, Observable } from 'rxjs';
import { StringDecoder } from 'string_decoder';
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
    request(endpoint, path, 'POST', payload, withToken === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...withToken }, (error) =>
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
  return request(endpoint, path, 'POST', JSON.stringify(body), JSON_HEADERS);
}

/**
 * GETs a plain JSON document such as `/version` or `/health` from one endpoint.
 * @example getJson(endpoint, '/version').subscribe(console.log)
 */
export function getJson(endpoint: HttpEndpoint, path: string): Observable<unknown> {
  return request(endpoint, path, 'GET');
}

function request(
  endpoint: HttpEndpoint,
  path: string,
  method: 'GET' | 'POST',
  body?: string,
  headers?: Headers,
  named: (error: EtcdError) => EtcdError = same,
): Observable<unknown> {
  return new Observable<unknown>((subscriber) => {
    const controller = new AbortController();
    let done = false;
    // etcd's gateway never compresses its answers: `compress: false` spares the Accept-Encoding
    // header and the decoder checks on every call.
    const init: RequestInit = { method, body, headers, agent: endpoint.agent, signal: controller.signal, compress: false };
    fetch(endpoint.url + path, init)
      .then((response) => readJson(response, endpoint.url))
      .then(
        (json) => {
          done = true;
          subscriber.next(json);
          subscriber.complete();
        },
        (error: unknown) => {
          done = true;
          if (!controller.signal.aborted) subscriber.error(named(toEtcdError(error, endpoint.url)));
        },
      );
    return () => {
      if (!done) controller.abort();
    };
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const same = (error: EtcdError) => error;

async function readJson(response: Response, endpoint: string): Promise<unknown> {
  const text = await bodyText(response);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EtcdProtocolError(`${endpoint} answered HTTP ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, {
      endpoint,
    });
  }
  if (response.status !== 200) throw decodeServerError(json, endpoint, response.status);
  return json;
}

/**
 * The body as text. A body of one chunk (most answers) is decoded as it is; a longer one chunk
 * by chunk as it arrives: `response.text()` would first join the chunks into one Buffer, a
 * second copy of every page of a listing beside its text. Read through the stream's events, not
 * its async iterator, which costs a few objects and promises per call.
 */
function bodyText(response: Response): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const body = response.body;
    let first: Buffer | undefined;
    let decoder: StringDecoder | undefined;
    let text = '';
    body.on('data', (chunk: Buffer) => {
      if (decoder !== undefined) text += decoder.write(chunk);
      else if (first === undefined) first = chunk;
      else {
        decoder = new StringDecoder('utf8');
        text = decoder.write(first) + decoder.write(chunk);
        first = undefined;
      }
    });
    body.once('error', reject);
    body.once('end', () => resolve(decoder !== undefined ? text + decoder.end() : first === undefined ? '' : first.toString('utf8')));
  });
}

/**
 * Classifies a failure of fetch: whether the request may have reached the server matters for writes.
 * @example subscriber.error(toEtcdError(error, endpoint.url))
 */
export function toEtcdError(error: unknown, endpoint: string): EtcdError {
  if (error instanceof EtcdError) return error;
  if (error instanceof FetchError) {
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
