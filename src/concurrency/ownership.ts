/**
 * What holding a lock or a leadership gives: the key that stands for it, its fencing token, and
 * transactions that apply only while it is still held.
 */
import { defer, map, Observable } from 'rxjs';
import { Err, Ok, Result } from 'ts-results';
import { EtcdProtocolError } from '../errors';
import { KvService } from '../kv/kv-service';
import { Compare, Comparison, Op, TxnRequest, TxnResult } from '../kv/txn';
import { ResponseHeader } from '../transport/response-header';

/** A conditional transaction found that the lock (or leadership) is no longer held. */
export interface NotHeld {
  /** The header of the answer that said so, when it carried one. */
  readonly header?: ResponseHeader;
}

/**
 * Ownership of a key created under a lease: a lock, or a leadership.
 * @example lock.txn({ success: [Op.put('counter', '42')] }).subscribe((r) => console.log(r.ok ? 'written' : 'lost the lock'))
 */
export class Ownership {
  constructor(
    /** The key that stands for the ownership (`<name>/<lease id in hex>`), as bytes. */
    readonly keyBuffer: Buffer,
    /**
     * The revision that created the key. Each new owner's token is greater than every earlier
     * owner's, so a resource that remembers the greatest token it has seen can refuse a
     * request from an owner that has since been replaced.
     */
    readonly fencingToken: number,
    /** The lease the key is attached to; the ownership ends with it. */
    readonly leaseId: string,
    private readonly kv: KvService,
  ) {}

  /** The key as UTF-8 text. */
  get key(): string {
    return this.keyBuffer.toString('utf8');
  }

  /**
   * The compare that holds only while this ownership does (the key exists and was created at
   * the fencing token's revision), to put into a transaction of your own.
   * @example etcd.txn({ compare: [lock.ifHeld(), Compare.value('x', '==', '1')], success: [Op.put('x', '2')] })
   */
  ifHeld(): Comparison {
    return Compare.createRevision(this.keyBuffer, '==', this.fencingToken);
  }

  /**
   * Runs `request` only if the ownership still holds, atomically: `Ok` with the result of
   * `request` (whose own compares chose its branch), or `Err(NotHeld)` when it was lost.
   * @example lock.txn({ success: [Op.put('config', 'v2')] })
   */
  txn(request: TxnRequest): Observable<Result<TxnResult, NotHeld>> {
    return defer(() =>
      this.kv.txn({ compare: [this.ifHeld()], success: [Op.txn(request)] }).pipe(
        map((outer): Result<TxnResult, NotHeld> => {
          if (!outer.succeeded) return Err({ header: outer.header });
          const inner = outer.responses[0];
          if (inner?.type !== 'txn') throw new EtcdProtocolError('a conditional txn was answered without the result of its inner txn');
          return Ok(inner.result);
        }),
      ),
    );
  }
}
