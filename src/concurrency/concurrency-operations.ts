import { Observable, ObservableInput } from 'rxjs';
import { Key } from '../kv/key-selector';
import { StmOptions, StmTx } from './stm';
import { Election, Lock, LockOptions } from './types';

/**
 * Locks, elections and transactions over several reads (STM).
 * `Etcd` offers all of these; a function that needs only these can take this type.
 * @example etcd.withLock('jobs', (lock) => lock.txn({ success: [Op.put('jobs/last', 'me')] }))
 */
export interface ConcurrencyOperations {
  /**
   * A lock as a stream: waits its turn (first come, first served), emits the held lock with its
   * fencing token, releases it on unsubscribe, and fails with LeaseLostError if it is lost.
   * @example etcd.lock('jobs', { ttl: 10 }).subscribe((lock) => console.log('token', lock.fencingToken))
   */
  lock(name: Key, options?: LockOptions): Observable<Lock>;

  /**
   * Runs `work` under the lock `name`, releasing the lock when the work ends (the stream
   * completes once the release is done).
   * @example etcd.withLock('counter', (lock) => lock.txn({ success: [Op.put('counter', '1')] }))
   */
  withLock<T>(name: Key, work: (lock: Lock) => ObservableInput<T>, options?: LockOptions): Observable<T>;

  /**
   * A leader election: `campaign(value)`, `leader()`, `observe()`.
   * @example etcd.election('scheduler').observe().subscribe((l) => console.log(l.value, 'leads'))
   */
  election(name: Key): Election;

  /**
   * Software transactional memory: runs `apply`, whose reads go through `tx` and whose writes are
   * buffered, then commits the writes in one txn guarded by what was read; re-runs `apply` from
   * scratch when another client changed that in between. Emits the last value `apply` produced.
   * @example etcd.stm((tx) => tx.get('n').pipe(map((n) => tx.put('n', String(Number(n.unwrapOr('0')) + 1)))))
   */
  stm<T>(apply: (tx: StmTx) => ObservableInput<T>, options?: StmOptions): Observable<T>;
}
