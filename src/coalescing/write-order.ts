/**
 * Your own writes, even when concurrent: a read of a key that a write of this client still has
 * pending (subscribed, not yet answered) is sent only once that write has answered, failed or
 * been given up, and so is another write of that key. Linearizability lets etcd order calls that
 * overlap in time either way; a client knows the order its caller made them in, so a put and a
 * get subscribed in one tick (both pending) read what was put, and two puts of one key made one
 * after the other leave the second's value, coalesced or not.
 */
import { Observable, Subscription } from 'rxjs';
import { endingFirst } from './ending-first';
import { KeyRange, PendingWrite, PendingWrites } from './pending-writes';

const RANGE = '/v3/kv/range';
const PUT = '/v3/kv/put';
const DELETE = '/v3/kv/deleterange';
const TXN = '/v3/kv/txn';

/**
 * Orders the reads and writes of one client after its pending writes to the same keys.
 * @example const order = new WriteOrder(); order.ordered('/v3/kv/range', { key: 'YQ==' }, () => send())
 */
export class WriteOrder {
  private readonly pending = new PendingWrites();

  /**
   * `send()` subscribed in order: a write is tracked until it ends; a read or a write of a key
   * some tracked write changes is subscribed once every such write has ended. Anything else is
   * `send()` itself.
   * @example order.ordered(path, body, () => inner.call(path, body, safety, decode))
   */
  ordered<T>(path: string, body: unknown, send: () => Observable<T>): Observable<T> {
    const request = body as Readonly<Record<string, unknown>>;
    if (path === RANGE) {
      const read = rangeOf(request);
      if (this.pending.size === 0 || read === undefined) return send();
      return new Observable<T>((subscriber) => after(this.pending.writesTo([read]), () => send().subscribe(subscriber)));
    }
    const written = writtenBy(path, request);
    return written.length === 0 ? send() : this.tracked(written, send);
  }

  private tracked<T>(ranges: readonly KeyRange[], send: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const before = this.pending.writesTo(ranges);
      const write: PendingWrite = { ranges };
      this.pending.add(write);
      const end = () => {
        if (!this.pending.delete(write)) return;
        if (write.waiting !== undefined) for (const resume of write.waiting) resume();
      };
      const cancel = after(before, () => send().subscribe(endingFirst(subscriber, end)));
      return () => {
        end();
        cancel();
      };
    });
  }
}

/**
 * Runs `start` once every write of `before` has ended (at once when there is none); the returned
 * function stops waiting, or unsubscribes what `start` subscribed.
 */
function after(before: readonly PendingWrite[], start: () => Subscription): () => void {
  let subscription: Subscription | undefined;
  if (before.length === 0) {
    subscription = start();
    return () => subscription?.unsubscribe();
  }
  let left = before.length;
  const resume = () => {
    if (--left === 0) subscription = start();
  };
  for (const write of before) (write.waiting ??= new Set()).add(resume);
  return () => {
    for (const write of before) write.waiting?.delete(resume);
    subscription?.unsubscribe();
  };
}

/** The keys a put, a delete or a txn's writes change. */
function writtenBy(path: string, request: Readonly<Record<string, unknown>>): KeyRange[] {
  if (path === PUT || path === DELETE) {
    const range = rangeOf(request);
    return range === undefined ? [] : [range];
  }
  if (path !== TXN) return [];
  const ranges: KeyRange[] = [];
  for (const branch of [request.success, request.failure]) {
    if (!Array.isArray(branch)) continue;
    for (const op of branch as Readonly<Record<string, unknown>>[]) {
      const write = (op.request_put ?? op.request_delete_range) as Readonly<Record<string, unknown>> | undefined;
      const range = write === undefined ? undefined : rangeOf(write);
      if (range !== undefined) ranges.push(range);
    }
  }
  return ranges;
}

function rangeOf(request: Readonly<Record<string, unknown>>): KeyRange | undefined {
  if (typeof request.key !== 'string') return undefined;
  return { key: request.key, rangeEnd: typeof request.range_end === 'string' && request.range_end !== '' ? request.range_end : undefined };
}
