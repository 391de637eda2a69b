import { Observable, ObservableInput } from 'rxjs';
import { Option, Result } from 'ts-results';
import { CallOptions } from '../call-options';
import { Bytes } from '../transport/codec';
import { DeleteOptions, DeleteResult } from './delete';
import { Key, KeySelector } from './key-selector';
import { KeyValue } from './key-value';
import { ListOptions } from './paging';
import { PutOptions, PutResult } from './put';
import { RangeOptions, RangeResult } from './range';
import { TxnRequest, TxnResult } from './txn';
import { CompactOptions, CompactResult, CompareFailed, Expectation, GetOptions } from './types';

/**
 * Reading and writing keys: the KV service of etcd as cold Observables.
 * `Etcd` offers all of these; a function that needs only these can take this type.
 * @example etcd.put('greeting', 'hello').pipe(switchMap(() => etcd.get('greeting')))
 */
export interface KvOperations {
  /**
   * Reads one key: `Some(KeyValue)`, or `None` when the key is absent.
   * @example etcd.get('config').subscribe((kv) => console.log(kv.some ? kv.val.value : 'absent'))
   */
  get(key: Key, options?: GetOptions): Observable<Option<KeyValue>>;

  /**
   * Reads a key, a prefix or a range with every Range option (limit, sort, revision, keysOnly,
   * countOnly, serializable); the answer carries the header revision, count and `more`.
   * @example etcd.range({ prefix: 'app/' }, { limit: 10, sort: { target: 'modRevision', order: 'descend' } })
   */
  range(selector: KeySelector, options?: RangeOptions): Observable<RangeResult>;

  /**
   * Streams every key of a prefix or range, in key order, all read at one revision: the first
   * request asks for up to five pages (a listing that small is one request) and answers the
   * revision and how many keys there are, the rest is cut into parts of about a page, fetched a
   * few at a time, so memory stays bounded by a few pages however many keys.
   * @example etcd.list({ prefix: 'jobs/' }, { pageSize: 500 }).subscribe((kv) => console.log(kv.key))
   */
  list(selector: KeySelector, options?: ListOptions): Observable<KeyValue>;

  /**
   * Every key of a prefix or range, read page by page at one revision, as an async iterable
   * that fetches the next page only when the consumer has taken every key of the current one:
   * however slow the consumer, at most one page is held. Breaking out of the loop stops it.
   * Fails (from the loop) like `list()`, e.g. with EtcdCompactedError when the revision of the
   * first page is compacted in the middle.
   * @example
   * for await (const kv of etcd.scan({ prefix: 'jobs/' })) await handle(kv)
   */
  scan(selector: KeySelector, options?: ListOptions): AsyncIterable<KeyValue>;

  /**
   * The Rx form of `scan()`: runs `work` on each page (an array of keys) in turn and emits what
   * it emits, fetching the next page only once the work on the previous one has completed.
   * Unsubscribing stops the work and the listing.
   * @example
   * etcd.scanPages({ prefix: 'jobs/' }, (kvs) => from(kvs).pipe(concatMap((kv) => handle(kv)))).subscribe({ error: console.error })
   */
  scanPages<R>(selector: KeySelector, work: (kvs: readonly KeyValue[]) => ObservableInput<R>, options?: ListOptions): Observable<R>;

  /**
   * Writes a key. `ttl` (seconds) grants a lease for it, so the key expires; `lease` attaches
   * an existing lease; `prevKv` returns the value it replaced.
   * @example etcd.put('session/42', 'alive', { ttl: 10 })
   */
  put(key: Key, value: Bytes, options?: PutOptions): Observable<PutResult>;

  /**
   * Reads a key and parses its value as JSON: `Some(value)` or `None` when absent.
   * @example etcd.getJson<{ port: number }>('config/web')
   */
  getJson<T = unknown>(key: Key, options?: GetOptions): Observable<Option<T>>;

  /**
   * Writes a value serialised as JSON.
   * @example etcd.putJson('config/web', { port: 8080 })
   */
  putJson(key: Key, value: unknown, options?: PutOptions): Observable<PutResult>;

  /**
   * Writes a key only if it is as expected (the old `set` with a previous value): `Ok(PutResult)`,
   * or `Err(CompareFailed)` carrying the key as it is now. `{ version: 0 }` means "only if absent".
   * @example etcd.compareAndSet('leader', 'me', { value: 'old' }).subscribe((r) => console.log(r.ok))
   */
  compareAndSet(key: Key, value: Bytes, expected: Expectation, options?: PutOptions): Observable<Result<PutResult, CompareFailed>>;

  /**
   * Deletes a key, a prefix or a range; answers how many keys went (and them, with `prevKv`).
   * @example etcd.delete({ prefix: 'tmp/' }).subscribe((r) => console.log(r.deleted))
   */
  delete(selector: KeySelector, options?: DeleteOptions): Observable<DeleteResult>;

  /**
   * Runs a transaction built with `Compare` and `Op`.
   * @example etcd.txn({ compare: [Compare.version('k', '==', 0)], success: [Op.put('k', 'v')], failure: [Op.get('k')] })
   */
  txn(request: TxnRequest, options?: CallOptions): Observable<TxnResult>;

  /**
   * Discards the history before `revision`; reads and watches of older revisions then fail
   * with EtcdCompactedError.
   * @example etcd.compact(1000)
   */
  compact(revision: number, options?: CompactOptions): Observable<CompactResult>;
}
