/**
 * One streaming HTTP call to one endpoint: the request is sent whole (etcd's HTTP server answers
 * nothing while a request body is still open), then the answer streams as newline-separated JSON
 * objects, each `{"result": …}` or `{"error": …}`, for as long as the server keeps it open.
 * Unsubscribing aborts the request, which is also how a stream is cancelled on the server.
 * Knows nothing of what the stream carries (watch, election observe, keep-alive) or of retries.
 */
import fetch, { Response } from 'node-fetch';
import { Observable } from 'rxjs';
import { EtcdError, EtcdProtocolError } from '../errors';
import { authorized, Headers, toEtcdError } from './http-call';
import { HttpEndpoint } from './http-endpoint';
import { LineSplitter } from './line-splitter';
import { namingRefusedKey } from './refused-key';
import { decodeServerError, unwrapStreamMessage } from './server-error';

/**
 * POSTs `body` to `endpoint.url + path` and emits the `result` of every message the server
 * streams back; completes when the server ends the stream. An `{"error": …}` message becomes the
 * typed EtcdError etcd meant; a line that is not JSON (a stream cut in the middle of a message
 * ends with one) becomes EtcdProtocolError. An array `body` sends several request messages in one
 * body, in order (etcd's request messages are objects, never arrays).
 * @example streamJsonLines(endpoint, '/v3/election/observe', { name: 'bXktZWxlY3Rpb24=' }).subscribe(console.log)
 */
export function streamJsonLines(endpoint: HttpEndpoint, path: string, body: unknown, headers?: Headers): Observable<Record<string, unknown>> {
  return authorized(endpoint, headers, (withToken) => openStream(endpoint, path, body, withToken));
}

function openStream(endpoint: HttpEndpoint, path: string, body: unknown, headers: Headers | undefined): Observable<Record<string, unknown>> {
  return new Observable<Record<string, unknown>>((subscriber) => {
    const controller = new AbortController();
    const messages = Array.isArray(body) ? body : [body];
    const fail = (error: unknown) => {
      if (!controller.signal.aborted) subscriber.error(error instanceof EtcdError ? namingRefusedKey(error, messages[0]) : toEtcdError(error, endpoint.url));
    };
    fetch(endpoint.url + path, {
      method: 'POST',
      body: messages.map((m) => JSON.stringify(m)).join('\n'),
      headers: { 'content-type': 'application/json', ...headers },
      agent: endpoint.agent,
      signal: controller.signal,
    })
      .then(async (response) => {
        if (response.status !== 200) throw await errorAnswer(response, endpoint.url);
        const lines = new LineSplitter();
        const emit = (line: Buffer) => {
          if (!isBlank(line) && !subscriber.closed) subscriber.next(unwrapStreamMessage(parseLine(line, endpoint.url), endpoint.url));
        };
        response.body.on('data', (chunk: Buffer) => {
          try {
            lines.push(chunk, emit);
          } catch (error) {
            fail(error);
          }
        });
        response.body.on('error', fail);
        response.body.on('end', () => {
          try {
            emit(lines.rest());
            subscriber.complete();
          } catch (error) {
            fail(error);
          }
        });
      })
      .catch(fail);
    return () => controller.abort();
  });
}

/** Parses one message, or explains what arrived instead. */
export function parseLine(line: Buffer | string, endpoint: string): unknown {
  const text = line.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new EtcdProtocolError(`${endpoint} streamed a message that is not JSON (or was cut): ${JSON.stringify(text.slice(0, 120))}`, {
      endpoint,
    });
  }
}

function isBlank(bytes: Buffer): boolean {
  return bytes.every((b) => b === 0x20 || b === 0x0d || b === 0x09);
}

async function errorAnswer(response: Response, endpoint: string): Promise<EtcdError> {
  const text = await response.text();
  try {
    const json = JSON.parse(text) as unknown;
    const error = typeof json === 'object' && json !== null && 'error' in json && typeof json.error === 'object' ? json.error : json;
    return decodeServerError(error, endpoint, response.status);
  } catch {
    return new EtcdProtocolError(`${endpoint} answered HTTP ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, {
      endpoint,
    });
  }
}
