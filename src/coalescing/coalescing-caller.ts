/**
 * Coalescing as a stage of the call chain, between the KV service and failover: the service still describes one
 * request per call; linearizable reads made while others are in flight go to etcd as one
 * read-only `txn`, and such writes to different keys as one `txn` (one revision); a lone call
 * goes at once. Everything else passes through untouched.
 */
import { Observable, SchedulerLike } from 'rxjs';
import { CoalesceBatchMessage, diagnostics } from '../diagnostics/channels';
import { Call, Stage } from '../pipeline/call';
import { LINEARIZABLE_READ, NON_REPEATABLE } from '../resilience/retry-policy';
import { ChainCaller } from '../resilience/unary-caller';
import { Batcher, BatchPolicy } from './batcher';
import { scheduleOn } from './schedule';
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
 * @example new Batcher(caller, readPolicy(0), scheduleOn(asyncScheduler))
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
  };
}

/**
 * The batch policy of writes: puts and single-key deletes (two writes to one key are kept apart
 * before they reach the batcher, by WriteOrder).
 * @example new Batcher(caller, writePolicy(0), scheduleOn(asyncScheduler))
 */
export function writePolicy(windowMs: number): BatchPolicy {
  return {
    safety: NON_REPEATABLE,
    maxOps: MAX_TXN_OPS,
    windowMs,
    op: (path, body) => (path === PUT ? { request_put: body } : { request_delete_range: body }),
    answer: (response) => response.response_put ?? response.response_delete_range,
    same: () => undefined,
  };
}

const RANGE = '/v3/kv/range';
const PUT = '/v3/kv/put';
const DELETE = '/v3/kv/deleterange';
const TXN = '/v3/kv/txn';

/**
 * The stage that coalesces what it may and hands everything else down, its windows timed on
 * `clock` (the client's). The batches it makes go down the chain below it as `txn` calls (one
 * `etcd-rx:coalesce:batch` each).
 * @example chain([perCall, coalescing({ coalesceReads: true, coalesceWrites: true, coalesceWindowMs: 0 }, asyncScheduler)], route)
 */
export function coalescing(settings: CoalescingSettings, clock: SchedulerLike): Stage {
  const schedule = scheduleOn(clock);
  return (next) => {
    const batches = (kind: CoalesceBatchMessage['kind']) =>
      new ChainCaller(<T>(call: Call<T>) => {
        // Checked first, so that no message is even described while nobody listens.
        if (diagnostics.coalesceBatch.active)
          diagnostics.coalesceBatch.publish(() => ({ kind, size: call.path === TXN ? (call.body as { success: unknown[] }).success.length : 1 }));
        return next(call);
      }, []);
    const reads = settings.coalesceReads ? new Batcher(batches('reads'), readPolicy(settings.coalesceWindowMs), schedule) : undefined;
    const writes = settings.coalesceWrites ? new Batcher(batches('writes'), writePolicy(settings.coalesceWindowMs), schedule) : undefined;
    const route = <T>(call: Call<T>): Observable<T> => {
      const { path, safety } = call;
      // A batch runs within one deadline: a call that asks for its own goes alone.
      if (call.route.kind !== 'failover' || call.options.deadlineMs !== undefined) return next(call);
      const request = call.body as Readonly<Record<string, unknown>>;
      if (reads !== undefined && safety.readFloor && path === RANGE && request.revision === undefined) return reads.submit(path, request, call.decode);
      // A delete of a range may overlap other writes' keys, which etcd refuses in one txn.
      if (writes !== undefined && safety.retry === 'non-repeatable' && (path === PUT || (path === DELETE && request.range_end === undefined))) {
        return writes.submit(path, request, call.decode);
      }
      return next(call);
    };
    // Coalesced or not, a read goes after this client's pending writes to its keys.
    const order = new WriteOrder();
    return <T>(call: Call<T>): Observable<T> => order.ordered(call.path, call.body, () => route(call));
  };
}

function onlyKey(body: Readonly<Record<string, unknown>>): boolean {
  for (const field in body) if (field !== 'key') return false;
  return typeof body.key === 'string';
}
