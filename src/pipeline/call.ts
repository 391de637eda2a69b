/**
 * A call to etcd as one value, and the chain of stages it goes down. Each stage is a function of
 * the next (as an Rx operator or an interceptor is): it may rewrite the call (a namespace moves
 * its keys), answer it another way (coalescing joins it to a batch), or wrap what the next stage
 * answers (a deadline, failover), but it always hands on the whole value, so no field a caller
 * set (a per-call deadline, a signal) can be lost on the way down.
 */
import { Observable } from 'rxjs';
import { CallOptions } from '../call-options';

/**
 * Decodes the JSON answer of `endpoint` into a typed result; throws EtcdProtocolError on a wrong
 * shape. `sentAt` is when the attempt that answered was sent (ms, on the client's clock).
 */
export type Decoder<T> = (json: unknown, endpoint: string, sentAt?: number) => T;

/**
 * Whether a call may be sent again after a failure that may have reached a server, as etcd's
 * clientv3 names it: `repeatable` when applying it twice is harmless (reads, lease renewals,
 * revocations, resignations, and lease grants, whose spare lease expires by itself), `non-repeatable` when a second copy could change the
 * store again (put, delete, a writing txn, compaction, proclaim).
 */
export type Repeatability = 'repeatable' | 'non-repeatable';

/** What a unary call promises, which decides how it is retried and checked. */
export interface CallSafety {
  readonly retry: Repeatability;
  /**
   * The answer is checked against the read floor (see SeenRevision): one older than a revision
   * this client saw before sending the call is stale and is tried on another member. Only
   * linearizable reads promise that.
   */
  readonly readFloor: boolean;
}

/**
 * Where a call goes: `failover` to the best endpoint, then the next, within its deadline;
 * `hedged` to the next endpoint every `hedgeMs` until one answers; `on` to one named endpoint
 * only; `wait` to one endpoint for as long as the server takes (a lock), watched by liveness
 * probes; `follow` as an endless stream, opened again when it ends or breaks (an observation).
 */
export type Route =
  | { readonly kind: 'failover' }
  | { readonly kind: 'hedged'; readonly hedgeMs: number }
  | { readonly kind: 'on'; readonly endpoint: string }
  | { readonly kind: 'wait' }
  | { readonly kind: 'follow' };

/**
 * One operation, everything a stage may need to know of it.
 * @example const range: Call<RangeResult> = { path: '/v3/kv/range', body, safety: LINEARIZABLE_READ, decode: decodeRange, options: {}, route: { kind: 'failover' } }
 */
export interface Call<T> {
  /** The gateway path, `/v3/kv/range` (see methodOf for the name diagnostics use). */
  readonly path: string;
  /** The JSON request body, keys as the caller wrote them (a namespace stage moves them). */
  readonly body: unknown;
  readonly safety: CallSafety;
  /** Turns each answer into the result (for `follow`, each message's `result`). */
  readonly decode: Decoder<T>;
  /** What the caller asked of this call alone: its deadline, its abort signal. */
  readonly options: CallOptions;
  readonly route: Route;
  /** How long one attempt may take; the client's request timeout when unset (a lease's keep-alives ask for less). */
  readonly attemptTimeoutMs?: number;
}

/** What answers a call: a stage with everything below it. */
export type Handler = <T>(call: Call<T>) => Observable<T>;

/** One stage of the chain, made of the handler below it. */
export type Stage = (next: Handler) => Handler;

/**
 * The handler of `stages` above `last`, the first stage outermost (it sees a call first).
 * @example const handle = chain([deadlines, namespaced(space)], route)
 */
export function chain(stages: readonly Stage[], last: Handler): Handler {
  return stages.reduceRight<Handler>((next, stage) => stage(next), last);
}

/**
 * The name of the operation at `path` as etcd's gateway names it: `range`, `put`, `txn`,
 * `deleterange` for the KV service, `lease/grant`, `maintenance/status`, `watch`… otherwise.
 * @example methodOf('/v3/kv/range') // 'range'
 */
export function methodOf(path: string): string {
  // Named once per path (a client uses a few dozen): every call and every attempt asks.
  let method = METHODS.get(path);
  if (method === undefined) METHODS.set(path, (method = nameOf(path)));
  return method;
}

const METHODS = new Map<string, string>();

function nameOf(path: string): string {
  if (path.startsWith('/v3/kv/')) return path.slice('/v3/kv/'.length);
  if (path.startsWith('/v3/')) return path.slice('/v3/'.length);
  return path.replace(/^\//, '');
}
