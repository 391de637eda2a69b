/**
 * Coalescing as a caller between the KV service and failover: the service still describes one
 * request per call; linearizable reads made together go to etcd as one read-only `txn`, and
 * writes to different keys made together as one `txn` (one revision). Everything else passes
 * through untouched.
 */
import { Observable } from 'rxjs';
import { CallSafety, LINEARIZABLE_READ, NON_REPEATABLE } from '../resilience/retry-policy';
import { Decoder, HedgedDecoder, UnaryCaller } from '../resilience/unary-caller';
import { CallOptions } from '../call-options';
import { Batcher, BatchPolicy } from './batcher';
import { eventLoop, Schedule } from './schedule';
import { WriteOrder } from './write-order';

/** What is coalesced. */
export interface CoalescingSettings {
  readonly coalesceReads: boolean;
  readonly coalesceWrites: boolean;
  readonly coalesceWindowMs: number;
}

// etcd's default --max-txn-ops.
const MAX_TXN_OPS = 128;

/**
 * The batch policy of linearizable reads: a range request becomes a `request_range`; equal
 * requests are asked once.
 * @example new Batcher(caller, readPolicy(0))
 */
export function readPolicy(windowMs: number): BatchPolicy {
  return {
    safety: LINEARIZABLE_READ,
    maxOps: MAX_TXN_OPS,
    windowMs,
    op: (_path, body) => ({ request_range: body }),
    answer: (response) => response.response_range,
    // Most reads name one key and nothing else: its base64 text says what they ask.
    same: (_path, body) => (onlyKey(body) ? (body.key as string) : JSON.stringify(body)),
    conflict: () => undefined,
  };
}

/**
 * The batch policy of writes: puts and single-key deletes, kept apart when they change one key.
 * @example new Batcher(caller, writePolicy(0))
 */
export function writePolicy(windowMs: number): BatchPolicy {
  return {
    safety: NON_REPEATABLE,
    maxOps: MAX_TXN_OPS,
    windowMs,
    op: (path, body) => (path === PUT ? { request_put: body } : { request_delete_range: body }),
    answer: (response) => response.response_put ?? response.response_delete_range,
    same: () => undefined,
    conflict: (_path, body) => body.key as string,
  };
}

const RANGE = '/v3/kv/range';
const PUT = '/v3/kv/put';
const DELETE = '/v3/kv/deleterange';

/**
 * A UnaryCaller that coalesces what it may and hands everything else to `inner`.
 * @example const kv = new KvService(new CoalescingCaller(caller, { coalesceReads: true, coalesceWrites: true, coalesceWindowMs: 0 }), leases, lifecycle)
 */
export class CoalescingCaller implements UnaryCaller {
  private readonly reads: Batcher | undefined;
  private readonly writes: Batcher | undefined;
  // Coalesced or not, a read goes after this client's pending writes to its keys.
  private readonly order = new WriteOrder();

  constructor(
    private readonly inner: UnaryCaller,
    settings: CoalescingSettings,
    schedule: Schedule = eventLoop,
  ) {
    this.reads = settings.coalesceReads ? new Batcher(inner, readPolicy(settings.coalesceWindowMs), schedule) : undefined;
    this.writes = settings.coalesceWrites ? new Batcher(inner, writePolicy(settings.coalesceWindowMs), schedule) : undefined;
  }

  get endpoints(): readonly string[] {
    return this.inner.endpoints;
  }

  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options?: CallOptions): Observable<T> {
    return this.order.ordered(path, body, () => this.route(path, body, safety, decode, options));
  }

  private route<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options?: CallOptions): Observable<T> {
    // A batch runs within one deadline: a call that asks for its own goes alone.
    if (options?.deadlineMs !== undefined) return this.inner.call(path, body, safety, decode, options);
    const request = body as Readonly<Record<string, unknown>>;
    if (this.reads !== undefined && safety.readFloor && path === RANGE && request.revision === undefined) {
      return this.reads.submit(path, request, decode);
    }
    // A delete of a range may overlap other writes' keys, which etcd refuses in one txn.
    if (this.writes !== undefined && safety.retry === 'non-repeatable' && (path === PUT || (path === DELETE && request.range_end === undefined))) {
      return this.writes.submit(path, request, decode);
    }
    return this.inner.call(path, body, safety, decode, options);
  }

  hedged<T>(path: string, body: unknown, hedgeMs: number, decode: HedgedDecoder<T>): Observable<T> {
    return this.inner.hedged(path, body, hedgeMs, decode);
  }

  callOn<T>(endpoint: string, path: string, body: unknown, decode: Decoder<T>): Observable<T> {
    return this.inner.callOn(endpoint, path, body, decode);
  }
}

function onlyKey(body: Readonly<Record<string, unknown>>): boolean {
  for (const field in body) if (field !== 'key') return false;
  return typeof body.key === 'string';
}
