/**
 * What holding a lock or a leadership gives: the key that stands for it, its fencing token, and
 * transactions that apply only while it is still held.
 */
import { defer, map, Observable } from 'rxjs';
import { Err, Ok, Result } from 'ts-results';
import { CallOptions } from '../call-options';
import { EtcdProtocolError } from '../errors';
import { KvService } from '../kv/kv-service';
import { Compare, Comparison, Op, TxnRequest, TxnResult } from '../kv/txn';
import { printsAs, textOrBytes } from '../prints-as';
import { NotHeld, Ownership } from './types';

/**
 * Ownership of a key created under a lease: a held lock, and the base of a leadership.
 * @example new KeyOwnership(owned.keyBuffer, owned.createRevision, leaseId, kv)
 */
export class KeyOwnership implements Ownership {
  constructor(
    readonly keyBuffer: Buffer,
    readonly fencingToken: number,
    readonly leaseId: string,
    private readonly kv: KvService,
  ) {}

  get key(): string {
    return this.keyBuffer.toString('utf8');
  }

  ifHeld(): Comparison {
    return Compare.createRevision(this.keyBuffer, '==', this.fencingToken);
  }

  txn(request: TxnRequest, options?: CallOptions): Observable<Result<TxnResult, NotHeld>> {
    return defer(() =>
      this.kv.txn({ compare: [this.ifHeld()], success: [Op.txn(request)] }, options).pipe(
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

printsAs(KeyOwnership, 'Lock', (lock) => ({ key: textOrBytes(lock.keyBuffer), fencingToken: lock.fencingToken, leaseId: lock.leaseId }));
