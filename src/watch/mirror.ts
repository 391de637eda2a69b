/**
 * A live copy of a key, prefix or range (the list-then-watch "informer" of Kubernetes clients,
 * and what etcd's own Go client calls a mirror): list every key at revision R, then apply the
 * watch from R+1, emitting the whole state after each revision. When the watch's resume point is
 * compacted (after a long outage, say), it lists again and goes on from the fresh listing.
 */
import { concat, defer, map, Observable, of, retry, switchMap, throwError, timer, toArray } from 'rxjs';
import { None } from 'ts-results';
import { KeyValue } from '../kv/key-value';
import { KeySelector } from '../kv/key-selector';
import { ListOptions } from '../kv/kv-service';
import { RangeOptions, RangeResult } from '../kv/range';
import { WatchCompactedError } from './watch-compacted-error';
import { WatchBatch, WatchEvent } from './watch-event';
import { WatchOptions } from './watch-request';

/** One key's change between two emitted states. */
export type MirrorChange<V> =
  | { readonly type: 'added'; readonly key: string; readonly value: V }
  | { readonly type: 'modified'; readonly key: string; readonly value: V; readonly previous: V }
  | { readonly type: 'removed'; readonly key: string; readonly previous: V };

/**
 * The mirrored keys as they were at `revision`, exactly: every emission is consistent with one
 * revision of the store. `entries` is a new map each time (earlier states stay as they were).
 * @example etcd.mirror({ prefix: 'config/' }).subscribe((s) => console.log(s.revision, s.entries.size, s.changes))
 */
export interface MirrorState<V> {
  readonly revision: number;
  /** Every mirrored key (as UTF-8 text) with its value. */
  readonly entries: ReadonlyMap<string, V>;
  /** What changed since the previous emission; in the first, every key is 'added'. */
  readonly changes: readonly MirrorChange<V>[];
  /** True when this state comes from a listing (the first one, and after a compaction). */
  readonly relisted: boolean;
}

/** What a mirror is built from: the client's reads and its watch. */
export interface MirrorSources {
  range(selector: KeySelector, options?: RangeOptions): Observable<RangeResult>;
  list(selector: KeySelector, options?: ListOptions): Observable<KeyValue>;
  watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch>;
}

/**
 * Mirrors `selector`, each value turned into a `V` by `decode` (when it is added or modified).
 * A `decode` that throws ends the mirror with its error.
 * @example mirror(sources, { prefix: 'config/' }, (kv) => kv.json<Config>())
 */
export function mirror<V>(sources: MirrorSources, selector: KeySelector, decode: (kv: KeyValue) => V): Observable<MirrorState<V>> {
  return defer(() => {
    const state = new MirrorTable(decode);
    const listThenWatch = listAt(sources, selector).pipe(
      switchMap(({ revision, kvs }) =>
        concat(
          of(state.replace(revision, kvs)),
          sources.watch(selector, { startRevision: revision + 1 }).pipe(map((batch) => state.apply(batch))),
        ),
      ),
    );
    return listThenWatch.pipe(retry({ delay: (error: unknown) => (error instanceof WatchCompactedError ? timer(0) : throwError(() => error)) }));
  });
}

/** Every key of `selector` at one revision: the revision now, then a paged listing at it. */
function listAt(sources: MirrorSources, selector: KeySelector): Observable<{ revision: number; kvs: KeyValue[] }> {
  return sources.range(selector, { countOnly: true }).pipe(
    switchMap(({ header }) => sources.list(selector, { revision: header.revision }).pipe(toArray(), map((kvs) => ({ revision: header.revision, kvs })))),
  );
}

/**
 * The mirror's state: the raw keys (to tell what changed) and the decoded values (to emit).
 * @example const table = new MirrorTable((kv) => kv.text()); table.replace(7, listed); table.apply(batch)
 */
export class MirrorTable<V> {
  private readonly kvs = new Map<string, KeyValue>();
  private entries: ReadonlyMap<string, V> = new Map();

  constructor(private readonly decode: (kv: KeyValue) => V) {}

  /** Takes a fresh listing; the changes are those from the previous state to it. */
  replace(revision: number, listed: readonly KeyValue[]): MirrorState<V> {
    const fresh = new Map(listed.map((kv) => [kv.key, kv]));
    const events: WatchEvent[] = [];
    for (const [key, kv] of this.kvs) {
      if (!fresh.has(key)) events.push({ type: 'delete', kv, prevKv: None, revision });
    }
    for (const [key, kv] of fresh) {
      const known = this.kvs.get(key);
      if (known === undefined || known.modRevision !== kv.modRevision) events.push({ type: 'put', kv, prevKv: None, revision });
    }
    return { ...this.applyEvents(revision, events), relisted: true };
  }

  /** Applies one revision's events. */
  apply(batch: WatchBatch): MirrorState<V> {
    return this.applyEvents(batch.revision, batch.events);
  }

  private applyEvents(revision: number, events: readonly WatchEvent[]): MirrorState<V> {
    const entries = new Map(this.entries);
    const changes: MirrorChange<V>[] = [];
    for (const event of events) {
      const key = event.kv.key;
      const previous = entries.get(key);
      const existed = this.kvs.has(key);
      if (event.type === 'put') {
        const value = this.decode(event.kv);
        this.kvs.set(key, event.kv);
        entries.set(key, value);
        changes.push(existed ? { type: 'modified', key, value, previous: previous as V } : { type: 'added', key, value });
      } else if (existed) {
        this.kvs.delete(key);
        entries.delete(key);
        changes.push({ type: 'removed', key, previous: previous as V });
      }
    }
    this.entries = entries;
    return { revision, entries, changes, relisted: false };
  }
}
