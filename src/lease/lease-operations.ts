import { Observable } from 'rxjs';
import { ResponseHeader } from '../transport/response-header';
import { CallOptions } from '../call-options';
import { LeaseEvent, LeaseGrant, LeaseId, LeaseOptions, LeaseTimeToLive } from './types';

/**
 * Leases: single calls, and leases as streams that keep themselves alive.
 * `Etcd` offers all of these; a function that needs only these can take this type.
 * @example etcd.lease(10).subscribe((e) => console.log(e.type, e.id))
 */
export interface LeaseOperations {
  /**
   * Grants a lease of `ttl` seconds, without keeping it alive.
   * @example etcd.grantLease(30).subscribe((lease) => console.log(lease.id))
   */
  grantLease(ttl: number, id?: LeaseId, options?: CallOptions): Observable<LeaseGrant>;

  /**
   * Revokes a lease: every key attached to it is deleted.
   * @example etcd.revokeLease(lease.id)
   */
  revokeLease(id: LeaseId, options?: CallOptions): Observable<ResponseHeader>;

  /**
   * How many seconds a lease has left (-1 when gone), and with `keys: true` its keys.
   * @example etcd.timeToLive(lease.id, { keys: true })
   */
  timeToLive(id: LeaseId, options?: { keys?: boolean } & CallOptions): Observable<LeaseTimeToLive>;

  /**
   * Lists the ids of every live lease.
   * @example etcd.leases().subscribe((ids) => console.log(ids.length))
   */
  leases(options?: CallOptions): Observable<string[]>;

  /**
   * A lease as a stream: granted on subscribe and emitted, kept alive (about every TTL/3, across
   * failover) with each renewal emitted, revoked on unsubscribe. Fails with LeaseLostError when
   * the server drops it, or when no keep-alive succeeded for a whole TTL.
   * @example etcd.lease(10).subscribe((e) => e.type === 'granted' && etcd.put('me', 'up', { lease: e.id }).subscribe())
   */
  lease(ttl: number, options?: LeaseOptions): Observable<LeaseEvent>;

  /**
   * Keeps an existing lease alive (granted elsewhere, e.g. by `grantLease` or another process):
   * renews it at once and then about every TTL/3, emitting each renewal, until unsubscribed. It
   * does not revoke the lease at the end. Fails with LeaseLostError like `lease()`.
   * @example etcd.keepAlive(grant.id).subscribe((e) => console.log('renewed to', e.ttl, 's'))
   */
  keepAlive(id: LeaseId, options?: Pick<LeaseOptions, 'keepAliveEveryMs'>): Observable<LeaseEvent>;
}
