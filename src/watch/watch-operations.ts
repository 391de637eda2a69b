import { Observable } from 'rxjs';
import { KeySelector } from '../kv/key-selector';
import { KeyValue } from '../kv/key-value';
import { MirrorJsonOptions, MirrorState } from './mirror';
import { WatchBatch } from './watch-event';
import { WatchOptions } from './watch-request';

/**
 * Following changes: watches, and live copies of key ranges.
 * `Etcd` offers all of these; a function that needs only these can take this type.
 * @example etcd.watch({ prefix: 'config/' }).subscribe((batch) => console.log(batch.revision))
 */
export interface WatchOperations {
  /**
   * Watches a key, a prefix or a range: an endless stream of the changes, one `WatchBatch` per
   * revision (a transaction's changes stay together), each revision once and in order, with no
   * gap, across the failure of any member. The server-side watch is created on subscribe and
   * cancelled on unsubscribe; every watch of the client shares one WebSocket per member. Ends
   * with WatchCompactedError when a revision it needs was compacted; completes on close().
   * @example etcd.watch({ prefix: 'config/' }, { prevKv: true }).subscribe((b) => b.events.forEach((e) => console.log(e.type, e.kv.key)))
   */
  watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch>;

  /**
   * A live copy of a key, prefix or range: the whole state (`entries`, exact at `revision`) after
   * each revision that changed it, with the `changes` (added, modified, removed) that led there.
   * Lists, then watches; lists again by itself when its watch's resume point was compacted.
   * Completes on close().
   * @example etcd.mirror({ prefix: 'services/' }).subscribe((s) => console.log([...s.entries.keys()]))
   */
  mirror(selector: KeySelector): Observable<MirrorState<KeyValue>>;

  /**
   * `mirror()` with every value parsed as JSON. A value that is not JSON is reported in the
   * state's `invalid` and, by default, the key keeps its last good value (`onInvalid`:
   * `'keep-last'`; `'skip'` treats the key as absent, `'fail'` ends the stream with
   * EtcdValueNotJsonError).
   * @example etcd.mirrorJson<{ port: number }>({ prefix: 'config/' }).subscribe((s) => console.log(s.entries.get('config/web')?.port))
   */
  mirrorJson<T = unknown>(selector: KeySelector, options?: MirrorJsonOptions): Observable<MirrorState<T>>;
}
