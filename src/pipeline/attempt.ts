/**
 * One attempt on one endpoint, the bottom half of the chain: every request, stream and probe a
 * client sends to a member is an Attempt handed to a Send, and only the last Send of the chain
 * (wire.ts) touches the transport. Stages here see each attempt (diagnostics, re-authentication);
 * the stages above (call.ts) see each operation once, however many attempts it takes.
 */
import { Observable } from 'rxjs';
import type { Headers } from '../transport/http-call';
import type { HttpEndpoint } from '../transport/http-endpoint';
import type { WsChannel } from '../transport/ws-channel';

/** A JSON POST with one JSON answer. */
export interface PostExchange {
  readonly kind: 'post';
  readonly path: string;
  readonly body: unknown;
}

/** A JSON POST answered by a stream of JSON lines, each unwrapped to its `result`. */
export interface LinesExchange {
  readonly kind: 'lines';
  readonly path: string;
  readonly body: unknown;
  readonly headers?: Headers;
  /**
   * Throws for a message that refuses the stream (a watch created with an expired token is
   * answered 200 and a cancelled create): inside the attempt, so re-authentication sees it.
   */
  readonly check?: (message: Record<string, unknown>) => void;
}

/** A GET with a JSON answer (`/version`, the cheapest question a member answers). */
export interface GetExchange {
  readonly kind: 'get';
  readonly path: string;
}

/** A unary gRPC call, for what the gateway does not route (HashKV on etcd 3.4). */
export interface GrpcExchange {
  readonly kind: 'grpc';
  /** `/package.Service/Method` */
  readonly path: string;
  readonly message: Buffer;
}

/** What one attempt sends. */
export type Exchange = PostExchange | LinesExchange | GetExchange | GrpcExchange;

/** What an exchange answers: messages of a stream, bytes of gRPC, JSON otherwise. */
export type AnswerOf<E extends Exchange> = E extends LinesExchange ? Record<string, unknown> : E extends GrpcExchange ? Buffer : unknown;

/**
 * One attempt of an operation on one endpoint.
 * @example send({ method: 'range', endpoint, attempt: 1, exchange: { kind: 'post', path: '/v3/kv/range', body } })
 */
export interface Attempt<E extends Exchange = Exchange> {
  /** The operation as the gateway names it (see methodOf). */
  readonly method: string;
  readonly endpoint: HttpEndpoint;
  /** 1 for an operation's first attempt, then 2, 3… */
  readonly attempt: number;
  readonly exchange: E;
}

/** Sends an attempt: a stage of the attempt chain with everything below it. */
export type Send = <E extends Exchange>(attempt: Attempt<E>) => Observable<AnswerOf<E>>;

/** One stage of the attempt chain, made of the Send below it. */
export type AttemptStage = (next: Send) => Send;

/** Opens a WebSocket to `path` on `endpoint` (watches multiplexed on one socket). */
export type OpenSocket = (endpoint: HttpEndpoint, path: string, openTimeoutMs: number) => WsChannel;

/**
 * The way down to the members: every attempt (`send`) and every socket (`socket`).
 * @example door.send({ method: 'version', endpoint, attempt: 1, exchange: { kind: 'get', path: '/version' } })
 */
export interface Door {
  readonly send: Send;
  readonly socket: OpenSocket;
}

/**
 * The Send of `stages` above `last`, the first stage outermost.
 * @example const send = attemptChain([observed(clock), reauthentication], wire)
 */
export function attemptChain(stages: readonly AttemptStage[], last: Send): Send {
  return stages.reduceRight<Send>((next, stage) => stage(next), last);
}
