/**
 * Holding something under a lease (a lock, a leadership) with etcd's Lock and Election services:
 * grant a lease, ask the service to acquire with it (the request waits on the server until it
 * is our turn), check what the service says it gave, then keep the lease alive and re-check the
 * key at each renewal. Releasing is unsubscribing: the lease is revoked, which deletes the key.
 *
 * Two facts of etcd 3.4 (measured) shape this:
 * - When a waiting request is abandoned (its member stopped answering probes), that member,
 *   once it runs again, deletes the waiter's key `<name>/<lease>`. A retry elsewhere with the
 *   same lease reuses that same key, so it would be deleted under the retry. Every retry here
 *   therefore starts over with a new lease (and so a new key at the back of the queue).
 * - The services answer "acquired" once every older key is gone, without checking that ours
 *   still exists. So the key is read back before anything is reported held.
 */
import { catchError, defer, EMPTY, finalize, map, mergeMap, Observable, of, retry, SchedulerLike, tap, throwError, timer } from 'rxjs';
import { None, Option, Some } from 'ts-results';
import { EtcdServerError, LeaseLostError } from '../errors';
import { KeyValue } from '../kv/key-value';
import { KvService } from '../kv/kv-service';
import { LeaseService } from '../lease/lease-service';
import { RetryPolicy } from '../options';
import { backoffDelay, isTransient } from '../resilience/retry-policy';
import { Ownership } from './types';

/** The default TTL of a lock's or a campaign's lease, in seconds. */
export const DEFAULT_HOLD_TTL = 10;

/** What holding needs from the client. */
export interface HoldDeps {
  readonly leases: LeaseService;
  readonly kv: KvService;
  readonly retry: RetryPolicy;
  /** The client's clock: the backoff between tries is timed on it. */
  readonly clock: SchedulerLike;
}

/**
 * Grants a lease of `ttl` seconds, runs `acquire` with it, and emits what it acquired once the
 * key is confirmed; then holds it until unsubscribed, failing with LeaseLostError when the lease
 * or the key is lost. A transient failure of `acquire` starts over with a new lease.
 * @example holdUnderLease(deps, 10, (leaseId) => waitForLock(name, leaseId))
 */
export function holdUnderLease<H extends Ownership>(deps: HoldDeps, ttl: number, acquire: (leaseId: string) => Observable<H>): Observable<H> {
  const once = defer(() => {
    let held: H | undefined;
    let checking = false;
    return deps.leases.lease(ttl).pipe(
      mergeMap((event) => {
        if (event.type === 'granted')
          return acquire(event.id).pipe(
            catchError(leaseNotFound(event.id)),
            tap((h) => (held = h)),
          );
        if (held === undefined || checking) return EMPTY;
        checking = true;
        return stillHeld(deps.kv, held).pipe(
          // A check that could not be made proves nothing; an unreachable cluster ends the lease by its deadline.
          catchError(() => of(true)),
          mergeMap((yes) => (yes ? EMPTY : throwError(() => new LeaseLostError(event.id, 'key-deleted', `its key ${held?.key} was deleted`)))),
          finalize(() => (checking = false)),
        );
      }),
    );
  });
  return once.pipe(
    retry({
      delay: (error: unknown, count: number) => (isTransient(error) ? timer(backoffDelay(count - 1, deps.retry), deps.clock) : throwError(() => error)),
    }),
  );
}

/**
 * Reads `key` and answers it if it still exists under lease `leaseId`.
 * @example readOwnedKey(kv, Buffer.from('jobs/694d7a1b2c3d4e5f'), leaseId)
 */
export function readOwnedKey(kv: KvService, key: Buffer, leaseId: string): Observable<Option<KeyValue>> {
  return kv.get(key).pipe(map((found) => (found.some && found.val.lease === leaseId ? Some(found.val) : None)));
}

function stillHeld(kv: KvService, held: Ownership): Observable<boolean> {
  return readOwnedKey(kv, held.keyBuffer, held.leaseId).pipe(map((found) => found.some && found.val.createRevision === held.fencingToken));
}

// The services answer an expired lease with code 2 and this text: that is a lost lease, not a server fault.
function leaseNotFound(leaseId: string) {
  return (error: unknown): Observable<never> =>
    throwError(() =>
      error instanceof EtcdServerError && error.message.includes('requested lease not found')
        ? new LeaseLostError(leaseId, 'gone', 'the server no longer knows it', { endpoint: error.endpoint, cause: error })
        : error,
    );
}
