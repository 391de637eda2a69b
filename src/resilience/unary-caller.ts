/**
 * The door the services use to reach etcd: calls described by their path, body, safety (whether
 * they may be repeated, whether their answer is held to the read floor) and decoder. Each method
 * makes one Call value and hands it to the client's chain (see pipeline/call), which answers it.
 */
import { Observable } from 'rxjs';
import { CallOptions } from '../call-options';
import { Call, Decoder, Handler } from '../pipeline/call';
import { NON_REPEATABLE, REPEATABLE } from './retry-policy';
import { CallSafety } from './retry-policy';
import { WaitingCalls } from './waiting-caller';

export type { Decoder } from '../pipeline/call';

/**
 * A Decoder of hedged calls, which reads when the attempt that answered was sent: a lease
 * renewed by the third hedge was renewed no earlier than that hedge left.
 */
export type HedgedDecoder<T> = (json: unknown, endpoint: string, sentAt: number) => T;

/**
 * How services make calls; they know nothing of HTTP or endpoints.
 * @example caller.call('/v3/kv/range', { key }, LINEARIZABLE_READ, decodeRange)
 */
export interface UnaryCaller {
  /** One call with failover over every endpoint, within its deadline. */
  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options?: CallOptions): Observable<T>;
  /**
   * One idempotent call sent to one endpoint after another every `hedgeMs` until one answers
   * (see withHedging); it never gives up by itself. `decode` is told when the answering attempt was sent.
   */
  hedged<T>(path: string, body: unknown, hedgeMs: number, decode: HedgedDecoder<T>): Observable<T>;
  /** One call to one named endpoint, without failover (for per-member questions like status). */
  callOn<T>(endpoint: string, path: string, body: unknown, decode: Decoder<T>, options?: CallOptions): Observable<T>;
  /** The client's endpoints, in the order given. */
  readonly endpoints: readonly string[];
}

const asMessage = (json: unknown) => json as Record<string, unknown>;
const FAILOVER = { kind: 'failover' } as const;
const NO_OPTIONS: CallOptions = Object.freeze({});

/**
 * The callers of a client over its chain: each method is one Call value, handed down whole.
 * @example new ChainCaller(handle, pool.endpoints.map((e) => e.url)).call('/v3/kv/range', body, LINEARIZABLE_READ, decodeRange)
 */
export class ChainCaller implements UnaryCaller, WaitingCalls {
  /**
   * @param handle the chain
   * @param attemptTimeoutMs how long each attempt of this caller's calls may take (the client's request timeout when unset)
   */
  constructor(
    private readonly handle: Handler,
    readonly endpoints: readonly string[],
    private readonly attemptTimeoutMs?: number,
  ) {}

  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options: CallOptions = NO_OPTIONS): Observable<T> {
    return this.send({ path, body, safety, decode, options, route: FAILOVER });
  }

  hedged<T>(path: string, body: unknown, hedgeMs: number, decode: HedgedDecoder<T>): Observable<T> {
    // The routing stage tells every attempt's decoder when it was sent.
    const decodeSent: Decoder<T> = (json, endpoint, sentAt) => decode(json, endpoint, sentAt ?? Number.NaN);
    return this.send({ path, body, safety: REPEATABLE, decode: decodeSent, options: {}, route: { kind: 'hedged', hedgeMs } });
  }

  callOn<T>(endpoint: string, path: string, body: unknown, decode: Decoder<T>, options: CallOptions = NO_OPTIONS): Observable<T> {
    return this.send({ path, body, safety: REPEATABLE, decode, options, route: { kind: 'on', endpoint } });
  }

  waitOn<T>(path: string, body: unknown, decode: Decoder<T>): Observable<T> {
    return this.send({ path, body, safety: NON_REPEATABLE, decode, options: {}, route: { kind: 'wait' } });
  }

  follow(path: string, body: unknown): Observable<Record<string, unknown>> {
    return this.send({ path, body, safety: REPEATABLE, decode: asMessage, options: {}, route: { kind: 'follow' } });
  }

  private send<T>(call: Call<T>): Observable<T> {
    return this.handle(this.attemptTimeoutMs === undefined ? call : { ...call, attemptTimeoutMs: this.attemptTimeoutMs });
  }
}
