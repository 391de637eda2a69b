/**
 * The bottom of the chain: the only module that turns attempts into HTTP requests, streams, gRPC
 * calls and WebSockets. Nothing else in the client imports the transport's senders (the lint
 * configuration keeps it so), which is what lets every stage above see every byte sent.
 */
import { Observable, tap } from 'rxjs';
import { grpcUnary } from '../transport/grpc-unary';
import { getJson, postJson } from '../transport/http-call';
import { streamJsonLines } from '../transport/http-stream';
import { WsChannel } from '../transport/ws-channel';
import { AnswerOf, Attempt, Exchange, OpenSocket, Send } from './attempt';

/**
 * Sends one attempt as its exchange says.
 * @example wire({ method: 'range', endpoint, attempt: 1, exchange: { kind: 'post', path: '/v3/kv/range', body } })
 */
export const wire: Send = <E extends Exchange>(attempt: Attempt<E>) => sent(attempt) as Observable<AnswerOf<E>>;

function sent({ endpoint, exchange }: Attempt): Observable<unknown> {
  switch (exchange.kind) {
    case 'post':
      return postJson(endpoint, exchange.path, exchange.body);
    case 'lines': {
      const stream = streamJsonLines(endpoint, exchange.path, exchange.body, exchange.headers);
      return exchange.check === undefined ? stream : stream.pipe(tap(exchange.check));
    }
    case 'get':
      return getJson(endpoint, exchange.path);
    case 'grpc':
      return grpcUnary(endpoint, exchange.path, exchange.message);
  }
}

/**
 * Opens a WebSocket (see WsChannel). A token travels as `Sec-WebSocket-Protocol: Bearer, <token>`,
 * the only way etcd's WebSocket gateway passes one on (it drops an `Authorization` header).
 * @example const channel = openSocket(endpoint, '/v3/watch', 5000)
 */
export const openSocket: OpenSocket = (endpoint, path, openTimeoutMs, token) =>
  new WsChannel(endpoint.url, path, { openTimeoutMs, tls: endpoint.tls, protocols: token ? ['Bearer', token] : undefined });
