/**
 * A live copy of a key, prefix or range (the list-then-watch "informer" of Kubernetes clients,
 * and what etcd's own Go client calls a mirror): `listThenWatch`'s steps applied to a table,
 * emitting the whole state after each revision, and after each listing.
 */
import { defer, map, Observable } from 'rxjs';
import { Err, None, Ok, Result } from 'ts-results';
import { EtcdValueNotJsonError } from '../errors';
import { KeySelector } from '../kv/key-selector';
import { KeyValue } from '../kv/key-value';
import {} from '../kv/types';
import { listThenWatch, ListThenWatchSources } from './list-then-watch';
import { WatchBatch, WatchEvent } from './watch-event';

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
  /**
   * Values met in this emission's revision (or listing) that could not be decoded (`mirrorJson`:
   * not JSON), each naming its key; how they were treated is the mirror's `onInvalid` policy.
   */
  readonly invalid: readonly EtcdValueNotJsonError[];
}

/**
 * What `mirrorJson` does with a value that is not JSON: `'fail'` ends the stream with
 * EtcdValueNotJsonError; `'skip'` treats the key as absent (removing it if it was there);
 * `'keep-last'` keeps the key's last good value (absent if it never had one). Except with
 * `'fail'`, the value is reported in the state's `invalid`.
 * @example etcd.mirrorJson({ prefix: 'config/' }, { onInvalid: 'skip' })
 */
export type InvalidValuePolicy = 'fail' | 'skip' | 'keep-last';

/**
 * Options of `mirrorJson`.
 * @example etcd.mirrorJson<Config>({ prefix: 'config/' }, { onInvalid: 'fail' })
 */
export interface MirrorJsonOptions {
  /** What to do with a value that is not JSON (default `'keep-last'`, what a configuration stream wants). */
  readonly onInvalid?: InvalidValuePolicy;
}

/** What a mirror is built from: the client's reads and its watch. */
export type MirrorSources = ListThenWatchSources;

/**
 * Mirrors `selector`, each value turned into a `V` by `decode` (when it is added or modified).
 * A `decode` that throws EtcdValueNotJsonError is handled by `onInvalid`; any other error ends
 * the mirror.
 * @example mirror(sources, { prefix: 'config/' }, (kv) => kv.json<Config>(), 'keep-last')
 */
export function mirror<V>(
  sources: MirrorSources,
  selector: KeySelector,
  decode: (kv: KeyValue) => V,
  onInvalid: InvalidValuePolicy = 'fail',
): Observable<MirrorState<V>> {
  return defer(() => {
    const state = new MirrorTable(decode, onInvalid);
    return listThenWatch(sources, selector).pipe(map((step) => (step.type === 'listed' ? state.replace(step.revision, step.kvs) : state.apply(step.batch))));
  });
}

/**
 * The mirror's state: the raw keys (to tell what changed) and the decoded values (to emit).
 * @example const table = new MirrorTable((kv) => kv.text()); table.replace(7, listed); table.apply(batch)
 */
export class MirrorTable<V> {
  private readonly kvs = new Map<string, KeyValue>();
  private entries: ReadonlyMap<string, V> = new Map();

  constructor(
    private readonly decode: (kv: KeyValue) => V,
    private readonly onInvalid: InvalidValuePolicy = 'fail',
  ) {}

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
    const invalid: EtcdValueNotJsonError[] = [];
    const remove = (key: string) => {
      if (!entries.has(key)) return;
      changes.push({ type: 'removed', key, previous: entries.get(key) as V });
      entries.delete(key);
    };
    for (const event of events) {
      const key = event.kv.key;
      if (event.type === 'delete') {
        this.kvs.delete(key);
        remove(key);
        continue;
      }
      this.kvs.set(key, event.kv);
      const decoded = this.tryDecode(event.kv);
      if (decoded.ok) {
        changes.push(
          entries.has(key) ? { type: 'modified', key, value: decoded.val, previous: entries.get(key) as V } : { type: 'added', key, value: decoded.val },
        );
        entries.set(key, decoded.val);
        continue;
      }
      invalid.push(decoded.val);
      if (this.onInvalid === 'skip') remove(key);
    }
    this.entries = entries;
    return { revision, entries, changes, relisted: false, invalid };
  }

  /** The decoded value, or the reason it is not one (thrown on under the 'fail' policy). */
  private tryDecode(kv: KeyValue): Result<V, EtcdValueNotJsonError> {
    try {
      return Ok(this.decode(kv));
    } catch (error) {
      if (this.onInvalid === 'fail' || !(error instanceof EtcdValueNotJsonError)) throw error;
      return Err(error);
    }
  }
}
