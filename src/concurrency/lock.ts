/**
 * Distributed locks as streams, on etcd's Lock service: holding is subscribing, releasing is
 * unsubscribing, losing is a LeaseLostError. Waiters are served in order of arrival, because the
 * service queues them by the revision that created their key.
 */
import { defer, from, map, mergeMap, Observable, ObservableInput, Subscription, tap } from 'rxjs';
import { EtcdInvalidArgumentError, EtcdProtocolError } from '../errors';
import { describe } from '../describe-value';
import { checkKey, Key } from '../kv/key-selector';
import { optionsOf } from '../validate';
import { checkTtl } from '../lease/lease-calls';
import { LeaseLostError } from '../lease/lease-lost-error';
import { WaitingCalls } from '../resilience/waiting-caller';
import { asObject, asString, decodeBytes, encodeBytes } from '../transport/codec';
import { DEFAULT_HOLD_TTL, HoldDeps, holdUnderLease, readOwnedKey } from './hold';
import { KeyOwnership } from './ownership';
import { Lock, LockOptions } from './types';

/**
 * Locks.
 * @example new LockService(deps, waiting).lock('jobs', { ttl: 10 })
 */
export class LockService {
  constructor(
    private readonly deps: HoldDeps,
    private readonly waiting: WaitingCalls,
  ) {}

  /**
   * Waits for the lock `name` and emits it once held; holds it (keeping its lease alive) until
   * unsubscribed, which releases it, also while still waiting (the place in the queue is given
   * up). Fails with LeaseLostError when the lock is lost.
   * @example const sub = etcd.lock('jobs', { ttl: 5 }).subscribe((lock) => work(lock)) // later: sub.unsubscribe()
   */
  lock(name: Key, given?: LockOptions): Observable<Lock> {
    return defer(() => {
      const wireName = encodeBytes(checkKey(name, 'lock name'));
      const ttl = checkTtl(optionsOf(given, 'lock').ttl ?? DEFAULT_HOLD_TTL);
      return holdUnderLease(this.deps, ttl, (leaseId) =>
        this.waiting.waitOn('/v3/lock/lock', { name: wireName, lease: leaseId }, decodeLockKey).pipe(
          mergeMap((key) => readOwnedKey(this.deps.kv, key, leaseId)),
          map((owned): Lock => {
            if (!owned.some) throw new LeaseLostError(leaseId, 'key-deleted', 'the lock service answered, but the lock key is gone');
            return new KeyOwnership(owned.val.keyBuffer, owned.val.createRevision, leaseId, this.deps.kv);
          }),
        ),
      );
    });
  }

  /**
   * Runs `work` under the lock `name`: waits for the lock, subscribes to `work(lock)`, and when
   * the work ends releases the lock and completes once the release is done. Losing the lock
   * fails the stream with LeaseLostError (and stops the work).
   * @example etcd.withLock('counter', (lock) => lock.txn({ success: [Op.put('counter', '1')] }))
   */
  withLock<T>(name: Key, work: (lock: Lock) => ObservableInput<T>, options?: LockOptions): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (typeof work !== 'function') {
        subscriber.error(new EtcdInvalidArgumentError(`withLock needs the work as a function of the lock, got ${describe(work)}`));
        return;
      }
      let held: Subscription | undefined;
      const release = (leaseId: string) => {
        // Unsubscribing starts the revocation; completing waits for it.
        held?.unsubscribe();
        subscriber.add(this.deps.leases.revoked(leaseId).subscribe({ complete: () => subscriber.complete() }));
      };
      held = this.lock(name, options)
        .pipe(mergeMap((lock) => from(work(lock)).pipe(tap({ complete: () => release(lock.leaseId) }))))
        .subscribe({ next: (value) => subscriber.next(value), error: (error: unknown) => subscriber.error(error) });
      subscriber.add(held);
    });
  }
}

function decodeLockKey(json: unknown, endpoint: string): Buffer {
  const key = decodeBytes(asString(asObject(json, 'lock response').key, 'lock response key'));
  if (key.length === 0) throw new EtcdProtocolError(`${endpoint} answered a lock request without the lock key`, { endpoint });
  return key;
}
