/**
 * etcd's KV service as cold Observables: nothing is sent before subscribe, and unsubscribe
 * aborts what is in flight. Each call validates its arguments first and reports bad input on the
 * error channel without touching the wire.
 */
import { defer, finalize, map, Observable, ObservableInput, switchMap, tap } from 'rxjs';
import { Err, None, Ok, Option, Result, Some } from 'ts-results';
import { CallOptions } from '../call-options';
import { EtcdInvalidArgumentError } from '../errors';
import { LeaseCalls } from '../lease/lease-calls';
import { Lifecycle } from '../resilience/lifecycle';
import { CallSafety, LINEARIZABLE_READ, NON_REPEATABLE, REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asObject, Bytes } from '../transport/codec';
import { decodeHeader } from '../transport/response-header';
import { checkCount, optionsOf } from '../validate';
import { decodeDelete, DeleteOptions, DeleteResult, encodeDelete } from './delete';
import { checkKey, Key, KeySelector } from './key-selector';
import { KeyValue, toJsonText } from './key-value';
import { keysOfPages, ListOptions, pagedKeys, pagedWork, paging, Paging } from './paging';
import { parallelPages } from './parallel-listing';
import { PartCounter } from './range-split';
import { decodePut, encodePut, PutOptions, PutResult } from './put';
import { decodeRange, encodeRange, RangeOptions, RangeResult } from './range';
import { Compare, Comparison, decodeTxn, encodeTxn, Op, TxnRequest, TxnResult } from './txn';
import { CompactOptions, CompactResult, CompareFailed, Expectation, GetOptions } from './types';
import { WireKeyValue } from './wire-key-value';

/**
 * Key-value operations.
 * @example new KvService(caller, leases, lifecycle).get('a').subscribe(console.log)
 */
export class KvService {
  constructor(
    private readonly caller: UnaryCaller,
    private readonly leases: LeaseCalls,
    private readonly cleanUps: Pick<Lifecycle, 'cleanUp'>,
  ) {}

  /** Reads the keys a selector names, with every option of etcd's Range. */
  range(selector: KeySelector, options?: RangeOptions): Observable<RangeResult> {
    return defer(() => this.caller.call('/v3/kv/range', encodeRange(selector, options), rangeSafety(options), decodeRange, options));
  }

  /** Reads one key: Some(KeyValue), or None when it is absent. */
  get(key: Key, given?: GetOptions): Observable<Option<KeyValue>> {
    return defer(() => {
      const options: GetOptions = optionsOf(given, 'get');
      const body = encodeRange(checkKey(key), { revision: options.revision, serializable: options.serializable });
      const decode = (json: unknown) => {
        const { kvs } = decodeRange(json);
        return kvs.length === 0 ? None : Some(kvs[0]);
      };
      return this.caller.call('/v3/kv/range', body, rangeSafety(options), decode, options);
    });
  }

  /** Reads one key and parses its value as JSON: Some(value), or None when it is absent. */
  getJson<T = unknown>(key: Key, options?: GetOptions): Observable<Option<T>> {
    return this.get(key, options).pipe(map((kv) => kv.map((found) => found.json<T>())));
  }

  /** Streams every key a selector names, page by page, all read at one revision. */
  list(selector: KeySelector, options?: ListOptions): Observable<KeyValue> {
    return defer(() => {
      const pages = this.paging(selector, options, 'list');
      return keysOfPages(parallelPages(pages, (revision) => this.partCounter(revision, pages.serializable, options?.deadlineMs)));
    });
  }

  /** Counts parts of a listing's range at its revision, in one read-only txn (etcd walks the keys and sends numbers). */
  private partCounter(revision: number, serializable: boolean, deadlineMs: number | undefined): PartCounter {
    return (parts) =>
      this.txn({ success: parts.map((part) => Op.get({ from: part.from, to: part.to }, { countOnly: true, revision, serializable })) }, { deadlineMs }).pipe(
        map((result) => result.responses.map((response) => (response.type === 'range' ? response.result.count : 0))),
      );
  }

  /**
   * Every key a selector names, at one revision, as an async iterable that asks for the next
   * page only once the consumer has taken every key of the current one.
   */
  scan(selector: KeySelector, options?: ListOptions): AsyncIterable<KeyValue> {
    return { [Symbol.asyncIterator]: () => pagedKeys(() => this.paging(selector, options, 'scan')) };
  }

  /** Runs `work` on each page of a listing in turn, asking for the next page once it completed. */
  scanPages<R>(selector: KeySelector, work: (kvs: readonly KeyValue[]) => ObservableInput<R>, options?: ListOptions): Observable<R> {
    return defer(() => pagedWork(this.paging(selector, options, 'scanPages'), work));
  }

  private paging(selector: KeySelector, options: ListOptions | undefined, what: string): Paging {
    return paging((at, rangeOptions) => this.range(at, rangeOptions), selector, options, what);
  }

  /**
   * Writes a key. With `ttl`, a lease of that many seconds is granted first and the key expires
   * with it; that lease is revoked again when the put fails or is unsubscribed before it answers.
   */
  put(key: Key, value: Bytes, given?: PutOptions): Observable<PutResult> {
    return defer(() => {
      const { ttl, ...rest } = checkPutOptions(given);
      if (ttl === undefined) return this.caller.call('/v3/kv/put', encodePut(key, value, rest), NON_REPEATABLE, decodePut, rest);
      encodePut(key, value, rest);
      return this.underNewLease(
        ttl,
        (lease) => this.caller.call('/v3/kv/put', encodePut(key, value, { ...rest, lease }), NON_REPEATABLE, decodePut, rest),
        () => true,
      );
    });
  }

  /** Writes a value serialised as JSON, refusing what JSON cannot hold. */
  putJson(key: Key, value: unknown, options?: PutOptions): Observable<PutResult> {
    return defer(() => this.put(key, toJsonText(value), options));
  }

  /** Deletes the keys a selector names. */
  delete(selector: KeySelector, options?: DeleteOptions): Observable<DeleteResult> {
    return defer(() => this.caller.call('/v3/kv/deleterange', encodeDelete(selector, options), NON_REPEATABLE, decodeDelete, options));
  }

  /**
   * Runs a transaction. One that only compares and reads is a read: retried like one, and
   * checked like a linearizable read (etcd serves it as a range).
   */
  txn(request: TxnRequest, options?: CallOptions): Observable<TxnResult> {
    return defer(() => {
      const body = encodeTxn(request);
      const readOnly = [...(request.success ?? []), ...(request.failure ?? [])].every((op) => op.type === 'range');
      return this.caller.call('/v3/kv/txn', body, readOnly ? LINEARIZABLE_READ : NON_REPEATABLE, decodeTxn, optionsOf(options, 'txn'));
    });
  }

  /**
   * Writes a key only if its current state matches `expected` (every field given must hold):
   * Ok(PutResult) when written, Err(CompareFailed) with the key as it is now when not. With
   * `ttl`, the lease granted for a write that did not happen is revoked.
   */
  compareAndSet(key: Key, value: Bytes, expected: Expectation, given?: PutOptions): Observable<Result<PutResult, CompareFailed>> {
    return defer(() => {
      const compare = expectations(key, expected);
      const { ttl, ...rest } = checkPutOptions(given);
      // The txn is built here, already valid, and decoded straight into the result: no second
      // defer, check or map per call, the commonest write of a coordinating client.
      const attempt = (lease?: string) =>
        this.caller.call(
          '/v3/kv/txn',
          {
            compare: compare.map((comparison) => comparison.wire),
            success: [Op.put(key, value, lease === undefined ? rest : { ...rest, lease }).wire],
            failure: [Op.get(key).wire],
          },
          NON_REPEATABLE,
          decodeCas,
          rest,
        );
      if (ttl === undefined) return attempt();
      Op.put(key, value, rest);
      return this.underNewLease(ttl, attempt, (result) => result.ok);
    });
  }

  /**
   * Grants a lease of `ttl` seconds and runs `write` with it. Unless the write ends `applied`,
   * the lease is revoked in the background (the caller is answered at once): nothing of a write
   * that failed, did not hold or was abandoned should linger until the TTL runs out. After an
   * unknown outcome, revoking also settles it: a key written under the lease goes with it.
   */
  private underNewLease<R>(ttl: number, write: (lease: string) => Observable<R>, applied: (result: R) => boolean): Observable<R> {
    return this.leases.grant(ttl).pipe(
      switchMap((lease) => {
        let kept = false;
        return write(lease.id).pipe(
          tap((result) => (kept = applied(result))),
          finalize(() => {
            if (!kept) this.cleanUps.cleanUp(lease.id, this.leases.revoke(lease.id));
          }),
        );
      }),
    );
  }

  /** Discards history before `revision`; `physical` waits until the space is reclaimed. */
  compact(revision: number, given?: CompactOptions): Observable<CompactResult> {
    return defer(() => {
      const options: CompactOptions = optionsOf(given, 'compact');
      const body = { revision: checkCount(revision, 'revision', 1), physical: options.physical === true };
      const decode = (json: unknown) => ({ header: decodeHeader(asObject(json, 'compaction response').header) });
      return this.caller.call('/v3/kv/compaction', body, NON_REPEATABLE, decode, options);
    });
  }
}

const EXPECTED: Readonly<Record<string, (key: Key, operand: never) => Comparison>> = {
  value: (key, value: Bytes) => Compare.value(key, '==', value),
  version: (key, version: number) => Compare.version(key, '==', version),
  createRevision: (key, revision: number) => Compare.createRevision(key, '==', revision),
  modRevision: (key, revision: number) => Compare.modRevision(key, '==', revision),
};
const EXPECTATION_NEEDED =
  'compareAndSet needs an expectation: {value}, {version}, {createRevision} or {modRevision} (several may be combined), or a KeyValue read before';

function expectations(key: Key, expected: Expectation): Comparison[] {
  // A key as read: "unchanged since then", which its modRevision says (a recreated key has a new one).
  if (expected instanceof WireKeyValue) return [Compare.modRevision(key, '==', expected.modRevision)];
  if (typeof expected !== 'object' || expected === null) throw new EtcdInvalidArgumentError(EXPECTATION_NEEDED);
  const operands = expected as Readonly<Record<string, unknown>>;
  const given = Object.keys(operands).filter((field) => operands[field] !== undefined);
  const unknown = given.filter((field) => !Object.prototype.hasOwnProperty.call(EXPECTED, field));
  if (unknown.length > 0) throw new EtcdInvalidArgumentError(`${EXPECTATION_NEEDED}; got unknown field(s) ${unknown.join(', ')}`);
  if (given.length === 0) throw new EtcdInvalidArgumentError(EXPECTATION_NEEDED);
  return given.map((field) => EXPECTED[field](key, operands[field] as never));
}

/** Put options, with `ttl` refused next to the options that name the lease themselves. */
function checkPutOptions(given: PutOptions | undefined): PutOptions {
  const options: PutOptions = optionsOf(given, 'put');
  if (options.ttl !== undefined && (options.lease !== undefined || options.ignoreLease === true)) {
    throw new EtcdInvalidArgumentError(
      `put option ttl grants a new lease for the key, so it cannot go with ${options.lease !== undefined ? 'lease' : 'ignoreLease'}`,
    );
  }
  return options;
}

/** A compare-and-set's txn answer: Ok(the put's result) when it wrote, Err(the key as it is now) when not. */
function decodeCas(json: unknown): Result<PutResult, CompareFailed> {
  const txn = decodeTxn(json);
  const first = txn.responses[0];
  // The inner put's header holds only the revision; the txn's header is the full one.
  if (txn.succeeded && first?.type === 'put') return Ok({ ...first.result, header: txn.header });
  const current = first?.type === 'range' && first.result.kvs.length > 0 ? Some(first.result.kvs[0]) : None;
  return Err({ header: txn.header, current });
}

// A serializable read may be answered from any member's possibly older state: no floor applies.
function rangeSafety(options: { readonly serializable?: boolean } | undefined): CallSafety {
  return options?.serializable === true ? REPEATABLE : LINEARIZABLE_READ;
}
