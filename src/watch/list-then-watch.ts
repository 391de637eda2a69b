/**
 * List-then-watch, the way every live copy of keys starts (a mirror, an SSE feed, Kubernetes'
 * informers): list every key at one revision R, then watch from R + 1, so that no change is
 * missed or seen twice. When the watch's resume point is compacted away (after a long outage,
 * say), it lists again and goes on from the fresh listing.
 */
import { concat, defer, map, Observable, of, retry, switchMap, throwError, toArray } from 'rxjs';
import { WatchCompactedError } from '../errors';
import { KeySelector } from '../kv/key-selector';
import { KeyValue } from '../kv/key-value';
import { ListOptions } from '../kv/paging';
import { RangeOptions, RangeResult } from '../kv/range';
import { WatchBatch } from './watch-event';
import { WatchOptions } from './watch-request';

/** What list-then-watch is built from: a client's reads and its watch (an `Etcd` is one). */
export interface ListThenWatchSources {
  range(selector: KeySelector, options?: RangeOptions): Observable<RangeResult>;
  list(selector: KeySelector, options?: ListOptions): Observable<KeyValue>;
  watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch>;
}

/**
 * One step of list-then-watch: every key at `revision` (the first step, and again after a
 * compaction), or one revision's changes after it.
 */
export type ListThenWatchStep =
  { readonly type: 'listed'; readonly revision: number; readonly kvs: readonly KeyValue[] } | { readonly type: 'changed'; readonly batch: WatchBatch };

/**
 * Lists `selector` at the current revision, then emits each revision's changes after it; lists
 * again when the watch is compacted away. `watchOptions` go to the watch (e.g. `prevKv`).
 * @example listThenWatch(etcd, { prefix: 'config/' }).subscribe((step) => (step.type === 'listed' ? load(step.kvs) : apply(step.batch)))
 */
export function listThenWatch(
  sources: ListThenWatchSources,
  selector: KeySelector,
  watchOptions: Omit<WatchOptions, 'startRevision'> = {},
): Observable<ListThenWatchStep> {
  const steps = defer(() => listAtNow(sources, selector)).pipe(
    switchMap(({ revision, kvs }) =>
      concat(
        of<ListThenWatchStep>({ type: 'listed', revision, kvs }),
        sources.watch(selector, { ...watchOptions, startRevision: revision + 1 }).pipe(map((batch): ListThenWatchStep => ({ type: 'changed', batch }))),
      ),
    ),
  );
  // Relists at once, on no clock: the listing goes over the wire, so nothing loops without waiting.
  return steps.pipe(retry({ delay: (error: unknown) => (error instanceof WatchCompactedError ? of(true) : throwError(() => error)) }));
}

/** Every key of `selector` at one revision: the revision now, then a paged listing at it. */
function listAtNow(sources: ListThenWatchSources, selector: KeySelector): Observable<{ revision: number; kvs: KeyValue[] }> {
  return sources.range(selector, { countOnly: true }).pipe(
    switchMap(({ header }) =>
      sources.list(selector, { revision: header.revision }).pipe(
        toArray(),
        map((kvs) => ({ revision: header.revision, kvs })),
      ),
    ),
  );
}
