/**
 * Software transactional memory, as etcd's clientv3/concurrency STM and the `etcd3` package have
 * it: `apply` reads and writes keys through a transaction object; the writes are buffered and
 * committed in one txn guarded by compares on what was read, and `apply` runs again from scratch
 * when another client changed that in between.
 */
import { defaultIfEmpty, defer, last, map, Observable, ObservableInput, from, switchMap, of } from 'rxjs';
import { None, Option, Some } from 'ts-results';
import { CallOptions } from '../call-options';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError, StmConflictError } from '../errors';
import { checkKey, checkValue, Key } from '../kv/key-selector';
import { RangeOptions, RangeResult } from '../kv/range';
import { Comparison, Compare, Op, TxnOp, TxnRequest, TxnResult } from '../kv/txn';
import { optionsOf, oneOf } from '../validate';
import { Bytes, encodeBytes } from '../transport/codec';
import { LeaseId } from '../lease/types';

/**
 * How an STM transaction guards what it read:
 * - `serializable-snapshot` (the default, as in clientv3): every read sees the revision of the
 *   first read, and the commit fails if a key read or written changed after it;
 * - `serializable`: every read sees the revision of the first read; the commit fails if a key read changed;
 * - `repeatable-read`: each key is read at its latest, once; the commit fails if a key read changed;
 * - `read-committed`: reads are not checked; only the writes are applied together.
 */
export type StmIsolation = 'serializable-snapshot' | 'serializable' | 'repeatable-read' | 'read-committed';

/** Options of `stm()`; `deadlineMs` and `signal` hold each of its reads and its commit, as any call's. */
export interface StmOptions extends CallOptions {
  readonly isolation?: StmIsolation;
  /** How many times `apply` may run before giving up with StmConflictError (default: until it commits). */
  readonly maxAttempts?: number;
}

/**
 * What `apply` reads and writes through. Reads see the transaction's own writes.
 * @example etcd.stm((tx) => tx.get('n').pipe(map((n) => tx.put('n', String(Number(n.unwrapOr('0')) + 1)))))
 */
export interface StmTx {
  /** The value of `key` as UTF-8 text, or None when absent. */
  get(key: Key): Observable<Option<string>>;
  /** The value of `key` as bytes, or None when absent. */
  getBytes(key: Key): Observable<Option<Buffer>>;
  /** The modification revision of `key` as read by this transaction (0 when absent). */
  modRevision(key: Key): Observable<number>;
  /** Buffers a write of `key`, applied at commit. */
  put(key: Key, value: Bytes, options?: { readonly lease?: LeaseId }): void;
  /** Buffers the deletion of `key`, applied at commit. */
  delete(key: Key): void;
}

/** What an STM needs of the KV service. */
export interface StmKv {
  range(key: Key, options?: RangeOptions): Observable<RangeResult>;
  txn(request: TxnRequest, options?: CallOptions): Observable<TxnResult>;
}

const ISOLATIONS: Record<StmIsolation, StmIsolation> = {
  'serializable-snapshot': 'serializable-snapshot',
  serializable: 'serializable',
  'repeatable-read': 'repeatable-read',
  'read-committed': 'read-committed',
};

/**
 * Runs `apply` in an STM transaction until it commits; emits the last value `apply` produced
 * (undefined when it produced none) and completes.
 * @example runStm(kv, (tx) => { tx.put('a', '1'); return of('done') }, {})
 */
export function runStm<T>(kv: StmKv, apply: (tx: StmTx) => ObservableInput<T>, given?: StmOptions): Observable<T> {
  return defer(() => {
    const options: StmOptions = optionsOf(given, 'stm');
    if (typeof apply !== 'function') throw new EtcdInvalidArgumentError(`stm needs a function (tx) => …, got ${describe(apply)}`);
    const isolation = oneOf(ISOLATIONS, options.isolation ?? 'serializable-snapshot', 'stm isolation');
    const maxAttempts = options.maxAttempts ?? Infinity;
    if (!(maxAttempts >= 1)) throw new EtcdInvalidArgumentError(`stm maxAttempts must be at least 1, got ${String(options.maxAttempts)}`);
    const perCall: CallOptions = { deadlineMs: options.deadlineMs, signal: options.signal };
    const attempt = (n: number): Observable<T> => {
      const tx = new Transaction(kv, isolation, perCall);
      return from(apply(tx)).pipe(
        defaultIfEmpty(undefined as T),
        last(),
        switchMap((result) =>
          kv.txn(tx.commitRequest(), perCall).pipe(
            switchMap((answer) => {
              if (answer.succeeded) return of(result);
              if (n >= maxAttempts) throw new StmConflictError(n);
              return attempt(n + 1);
            }),
          ),
        ),
      );
    };
    return attempt(1);
  });
}

type Read = { readonly value: Option<Buffer>; readonly modRevision: number };
type Write = { readonly key: Key; readonly value: Bytes; readonly lease?: LeaseId } | { readonly key: Key; readonly value?: undefined };

class Transaction implements StmTx {
  private readonly reads = new Map<string, Read & { readonly key: Key }>();
  private readonly writes = new Map<string, Write>();
  /** The revision of the first read, which the serializable isolations read at. */
  private snapshot: number | undefined;

  constructor(
    private readonly kv: StmKv,
    private readonly isolation: StmIsolation,
    private readonly perCall: CallOptions,
  ) {}

  get(key: Key): Observable<Option<string>> {
    return this.getBytes(key).pipe(map((value) => value.map((bytes) => bytes.toString('utf8'))));
  }

  getBytes(key: Key): Observable<Option<Buffer>> {
    return this.read(key).pipe(map((read) => read.value));
  }

  modRevision(key: Key): Observable<number> {
    return this.read(key).pipe(map((read) => read.modRevision));
  }

  put(key: Key, value: Bytes, options: { readonly lease?: LeaseId } = {}): void {
    this.writes.set(encodeBytes(checkKey(key)), { key, value: checkValue(value), lease: options.lease });
  }

  delete(key: Key): void {
    this.writes.set(encodeBytes(checkKey(key)), { key });
  }

  commitRequest(): TxnRequest {
    const compare: Comparison[] = [];
    if (this.isolation !== 'read-committed') {
      for (const read of this.reads.values()) compare.push(Compare.modRevision(read.key, '==', read.modRevision));
    }
    if (this.isolation === 'serializable-snapshot' && this.snapshot !== undefined) {
      for (const write of this.writes.values()) compare.push(Compare.modRevision(write.key, '<', this.snapshot + 1));
    }
    const success: TxnOp[] = [...this.writes.values()].map((w) =>
      w.value === undefined ? Op.delete(w.key) : Op.put(w.key, w.value, w.lease === undefined ? {} : { lease: w.lease }),
    );
    return { compare, success };
  }

  private read(key: Key): Observable<Read> {
    return defer(() => {
      const id = encodeBytes(checkKey(key));
      const written = this.writes.get(id);
      if (written !== undefined)
        return of({ value: written.value === undefined ? None : Some(Buffer.from(written.value)), modRevision: this.reads.get(id)?.modRevision ?? 0 });
      const cached = this.reads.get(id);
      if (cached !== undefined) return of(cached);
      const serializable = this.isolation === 'serializable' || this.isolation === 'serializable-snapshot';
      return this.kv.range(key, serializable && this.snapshot !== undefined ? { ...this.perCall, revision: this.snapshot } : this.perCall).pipe(
        map((answer) => {
          if (serializable) this.snapshot ??= answer.header.revision;
          const [kv] = answer.kvs;
          const read = { key, value: kv === undefined ? None : Some(kv.valueBuffer), modRevision: kv?.modRevision ?? 0 };
          this.reads.set(id, read);
          return read;
        }),
      );
    });
  }
}
