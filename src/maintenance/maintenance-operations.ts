import { Observable } from 'rxjs';
import { Result } from 'ts-results';
import { CallOptions } from '../call-options';
import { MemberId, MemberStatus } from '../cluster/types';
import { EndpointFailure } from '../errors';
import { ResponseHeader } from '../transport/response-header';
import { Alarm, AlarmList, Defragmented, EndpointHealth, HashKv, SnapshotChunk, SnapshotSaved } from './types';

/**
 * Looking after the members: status, health, defragmentation, alarms, hashes, snapshots.
 * `Etcd` offers all of these; a function that needs only these can take this type.
 * Each takes the per-call options last (`deadlineMs`, `signal`); `snapshot`, a stream, ends when
 * unsubscribed.
 * @example etcd.alarms().subscribe((alarms) => console.log(alarms.length, 'alarms'))
 */
export interface MaintenanceOperations {
  /**
   * The status of one member (version, database size, raft term and index, leader id): the
   * given endpoint, or the first one that answers.
   * @example etcd.endpointStatus('http://127.0.0.1:2379').subscribe((s) => console.log(s.version))
   */
  endpointStatus(endpoint?: string, options?: CallOptions): Observable<MemberStatus>;

  /**
   * The status of every endpoint of the client, in their order (`etcdctl endpoint status`):
   * `Ok(MemberStatus)`, or `Err({ endpoint, error })` for one that failed.
   * @example etcd.endpointStatuses().subscribe((all) => all.forEach((s) => s.ok && console.log(s.val.endpoint, s.val.dbSize)))
   */
  endpointStatuses(options?: CallOptions): Observable<Result<MemberStatus, EndpointFailure>[]>;

  /**
   * Health of every endpoint (or of `endpoint`) as `etcdctl endpoint health` defines it: a
   * linearizable read of one key answered within the request timeout (an answer "permission
   * denied" counts as healthy). Unhealthy endpoints are values, not errors; with `deadlineMs`,
   * one that has not answered within it is unhealthy.
   * @example etcd.endpointHealth().subscribe((all) => console.log(all.every((h) => h.health)))
   */
  endpointHealth(endpoint?: string, options?: CallOptions): Observable<EndpointHealth[]>;

  /**
   * Defragments `endpoint`, or every endpoint of the client one at a time, emitting each member
   * once done. A member answers nothing else while it defragments.
   * @example etcd.defragment().subscribe((d) => console.log('defragmented', d.endpoint))
   */
  defragment(endpoint?: string, options?: CallOptions): Observable<Defragmented>;

  /**
   * Every alarm raised in the cluster (`NOSPACE` when a member's backend quota is full).
   * @example etcd.alarms().subscribe(({ alarms }) => alarms.forEach((a) => console.log(a.memberId, a.alarm)))
   */
  alarms(options?: CallOptions): Observable<AlarmList>;

  /**
   * Disarms every raised alarm (or only `which`) and answers those disarmed. Free space first
   * (compact, defragment), or a `NOSPACE` alarm comes straight back.
   * @example etcd.disarmAlarms().subscribe((gone) => console.log(gone.alarms.length, 'disarmed'))
   */
  disarmAlarms(which?: Alarm, options?: CallOptions): Observable<AlarmList>;

  /**
   * The hash of `endpoint`'s key-value store up to `revision` (default: the latest); members that
   * applied the same history answer the same hash.
   * @example etcd.hashKv('http://127.0.0.1:2379', { revision: 100 }).subscribe((h) => console.log(h.hash))
   */
  hashKv(endpoint: string, options?: { revision?: number } & CallOptions): Observable<HashKv>;

  /**
   * Hands the leadership to member `targetId`; the leader must be among the client's endpoints.
   * @example etcd.moveLeader(follower.id)
   */
  moveLeader(targetId: MemberId, options?: CallOptions): Observable<ResponseHeader>;

  /**
   * Streams the whole database of `endpoint` (default: the client's current member) as chunks; the
   * last 32 bytes are the SHA-256 of the rest. `saveSnapshot` writes and checks it.
   * @example etcd.snapshot().subscribe((c) => out.write(c.bytes))
   */
  snapshot(endpoint?: string): Observable<SnapshotChunk>;

  /**
   * Saves a snapshot of the database to `file` and checks its SHA-256; the file appears only once
   * complete and checked. Restore it with `etcdctl snapshot restore` (or `etcdutl`).
   * @example etcd.saveSnapshot('backup.db').subscribe((s) => console.log(s.size, 'bytes'))
   */
  saveSnapshot(file: string, options?: { endpoint?: string } & CallOptions): Observable<SnapshotSaved>;
}
