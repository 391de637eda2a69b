/**
 * One unary gRPC call over HTTP/2 to one endpoint, for the few calls etcd's JSON gateway cannot
 * reach: etcd 3.4's gateway routes `/v3/maintenance/hash` to Hash and has no route for HashKV,
 * although etcd serves gRPC on the same port. Messages are encoded by the caller (see protobuf.ts).
 */
import type * as http2 from 'http2';
import { Observable } from 'rxjs';
import { EtcdConnectionError, EtcdProtocolError } from '../errors';
import { authorized, Headers } from './http-call';
import { HttpEndpoint } from './http-endpoint';
import { errorFromCode } from './server-error';
import { tlsFailure } from './tls-options';

/**
 * Sends the protobuf `message` to `method` (`/etcdserverpb.Maintenance/HashKV`) on `endpoint` and
 * emits the answer's protobuf bytes (over TLS and with the auth token, as the endpoint's calls go); a gRPC status other than 0 becomes the typed EtcdError it
 * means. Unsubscribing closes the HTTP/2 session.
 * @example grpcUnary(endpoint, '/etcdserverpb.Maintenance/HashKV', encodeFields([[1, 0]]))
 */
export function grpcUnary(target: HttpEndpoint, method: string, message: Buffer): Observable<Buffer> {
  // gRPC metadata is HTTP/2 headers: the token goes as the gateway sends it.
  return authorized(target, undefined, (headers) => call(target, method, message, headers ?? {}));
}

function call(target: HttpEndpoint, method: string, message: Buffer, headers: Headers): Observable<Buffer> {
  const endpoint = target.url;
  return new Observable<Buffer>((subscriber) => {
    // Loaded at the first gRPC call: most processes make none.
    const session = (require('http2') as typeof http2).connect(endpoint, target.tls ?? {});
    const fail = (error: Error) =>
      subscriber.error(tlsFailure(error, endpoint) ?? new EtcdConnectionError(`${endpoint}: ${error.message}`, true, { endpoint, cause: error }));
    session.on('error', fail);
    const stream = session.request({ ...headers, ':method': 'POST', ':path': method, 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let statusMessage = '';
    const readStatus = (headers: http2.IncomingHttpHeaders) => {
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined) statusMessage = decodeURIComponent(String(headers['grpc-message']));
    };
    stream.on('response', readStatus);
    stream.on('trailers', readStatus);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', fail);
    stream.on('end', () => {
      if (status !== '0') {
        subscriber.error(
          status === undefined
            ? new EtcdProtocolError(`${endpoint} answered ${method} without a gRPC status`, { endpoint })
            : errorFromCode(Number(status), statusMessage, endpoint),
        );
        return;
      }
      const frame = Buffer.concat(chunks);
      if (frame.length < 5 || frame[0] !== 0 || frame.readUInt32BE(1) !== frame.length - 5) {
        subscriber.error(new EtcdProtocolError(`${endpoint} answered ${method} with a malformed gRPC frame`, { endpoint }));
        return;
      }
      subscriber.next(frame.subarray(5));
      subscriber.complete();
    });
    const header = Buffer.alloc(5);
    header.writeUInt32BE(message.length, 1);
    stream.end(Buffer.concat([header, message]));
    return () => session.destroy();
  });
}
