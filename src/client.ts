/**
 * The `Etcd` facade: every etcd operation as a cold Observable, each delegated to the service
 * that does it. The services are built and wired in composition.ts; each operation is documented
 * on the interface of its area (KvOperations, LeaseOperations, …).
 */
import { Observable, ObservableInput } from 'rxjs';
import { Option, Result } from 'ts-results';
import { CallOptions } from './call-options';
import { ClusterOperations } from './cluster/cluster-operations';
import { ClientCore } from './composition';
import { ConcurrencyOperations } from './concurrency/concurrency-operations';
import { runStm, StmOptions, StmTx } from './concurrency/stm';
import { Election, Lock, LockOptions } from './concurrency/types';
import { describe } from './describe-value';
import { EndpointFailure, EtcdInvalidArgumentError } from './errors';
import { EndpointEvent } from './endpoint-states';
import { DeleteOptions, DeleteResult } from './kv/delete';
import { Key, KeySelector } from './kv/key-selector';
import { KeyValue } from './kv/key-value';
import { KvOperations } from './kv/kv-operations';
import { PutOptions, PutResult } from './kv/put';
import { RangeOptions, RangeResult } from './kv/range';
import { TxnRequest, TxnResult } from './kv/txn';
import { LeaseOperations } from './lease/lease-operations';
import { MaintenanceOperations } from './maintenance/maintenance-operations';
import { EtcdOptions, ResolvedOptions } from './options';
import { printsAs } from './prints-as';
import { Bytes } from './transport/codec';
import { ResponseHeader } from './transport/response-header';
import { MirrorJsonOptions, MirrorState } from './watch/mirror';
import { WatchBatch } from './watch/watch-event';
import { WatchOperations } from './watch/watch-operations';
import { WatchOptions } from './watch/watch-request';
import { AuthAdmin } from './auth/types';
import { AddMemberOptions, Member, MemberAdded, MemberId, MemberList, MemberStatus } from './cluster/types';
import { CompactOptions, CompactResult, CompareFailed, Expectation, GetOptions } from './kv/types';
import { ListOptions } from './kv/paging';
import { LeaseEvent, LeaseGrant, LeaseId, LeaseOptions, LeaseTimeToLive } from './lease/types';
import { Alarm, AlarmList, Defragmented, EndpointHealth, HashKv, SnapshotChunk, SnapshotSaved } from './maintenance/types';

/**
 * A client of one etcd cluster.
 * @example
 * const etcd = new Etcd({ endpoints: 'http://127.0.0.1:2379' })
 * etcd.put('greeting', 'hello').subscribe()
 * await etcd.close()
 */
export class Etcd implements KvOperations, LeaseOperations, ConcurrencyOperations, WatchOperations, ClusterOperations, MaintenanceOperations {
  /** The endpoints in use, normalised (`http://host:port`). */
  readonly endpoints: readonly string[];
  /** The options in force, defaults filled in. */
  readonly options: ResolvedOptions;
  /**
   * Administration of authentication: turning it on and off, users, roles and permissions.
   * @example etcd.auth.users().subscribe((names) => console.log(names))
   */
  readonly auth: AuthAdmin;
  private readonly core: ClientCore;

  /**
   * Opens a client (nothing is sent until an operation is subscribed). Takes options, or just
   * the endpoints as an array or a comma-separated string. Throws EtcdInvalidArgumentError
   * naming a malformed endpoint or option.
   * @example new Etcd('http://10.0.0.1:2379,http://10.0.0.2:2379')
   */
  constructor(options?: EtcdOptions | string | readonly string[]);
  /** @internal A facade over the parts of an open client (under a key prefix, say). */
  constructor(core: ClientCore);
  constructor(given: EtcdOptions | string | readonly string[] | ClientCore = {}) {
    this.core = given instanceof ClientCore ? given : new ClientCore(clientOptions(given));
    this.endpoints = this.core.endpoints;
    this.options = this.core.options;
    this.auth = this.core.auth;
  }

  get(key: Key, options?: GetOptions): Observable<Option<KeyValue>> {
    return this.core.kv.get(key, options);
  }

  range(selector: KeySelector, options?: RangeOptions): Observable<RangeResult> {
    return this.core.kv.range(selector, options);
  }

  list(selector: KeySelector, options?: ListOptions): Observable<KeyValue> {
    return this.core.kv.list(selector, options);
  }

  scan(selector: KeySelector, options?: ListOptions): AsyncIterable<KeyValue> {
    return this.core.kv.scan(selector, options);
  }

  scanPages<R>(selector: KeySelector, work: (kvs: readonly KeyValue[]) => ObservableInput<R>, options?: ListOptions): Observable<R> {
    return this.core.kv.scanPages(selector, work, options);
  }

  put(key: Key, value: Bytes, options?: PutOptions): Observable<PutResult> {
    return this.core.kv.put(key, value, options);
  }

  getJson<T = unknown>(key: Key, options?: GetOptions): Observable<Option<T>> {
    return this.core.kv.getJson(key, options);
  }

  putJson(key: Key, value: unknown, options?: PutOptions): Observable<PutResult> {
    return this.core.kv.putJson(key, value, options);
  }

  compareAndSet(key: Key, value: Bytes, expected: Expectation, options?: PutOptions): Observable<Result<PutResult, CompareFailed>> {
    return this.core.kv.compareAndSet(key, value, expected, options);
  }

  delete(selector: KeySelector, options?: DeleteOptions): Observable<DeleteResult> {
    return this.core.kv.delete(selector, options);
  }

  txn(request: TxnRequest, options?: CallOptions): Observable<TxnResult> {
    return this.core.kv.txn(request, options);
  }

  compact(revision: number, options?: CompactOptions): Observable<CompactResult> {
    return this.core.kv.compact(revision, options);
  }

  grantLease(ttl: number, id?: LeaseId, options?: CallOptions): Observable<LeaseGrant> {
    return this.core.leaseCalls.grant(ttl, id, options);
  }

  revokeLease(id: LeaseId, options?: CallOptions): Observable<ResponseHeader> {
    return this.core.leaseCalls.revoke(id, options);
  }

  timeToLive(id: LeaseId, options?: { keys?: boolean } & CallOptions): Observable<LeaseTimeToLive> {
    return this.core.leaseCalls.timeToLive(id, options);
  }

  leases(options?: CallOptions): Observable<string[]> {
    return this.core.leaseCalls.leases(options);
  }

  lease(ttl: number, options?: LeaseOptions): Observable<LeaseEvent> {
    return this.core.leases.lease(ttl, options);
  }

  keepAlive(id: LeaseId, options?: Pick<LeaseOptions, 'keepAliveEveryMs'>): Observable<LeaseEvent> {
    return this.core.leases.keepAlive(id, options);
  }

  lock(name: Key, options?: LockOptions): Observable<Lock> {
    return this.core.locks.lock(name, options);
  }

  withLock<T>(name: Key, work: (lock: Lock) => ObservableInput<T>, options?: LockOptions): Observable<T> {
    return this.core.locks.withLock(name, work, options);
  }

  election(name: Key): Election {
    return this.core.election(name);
  }

  watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch> {
    return this.core.watches.watch(selector, options);
  }

  mirror(selector: KeySelector): Observable<MirrorState<KeyValue>> {
    return this.core.mirrors.mirror(selector);
  }

  mirrorJson<T = unknown>(selector: KeySelector, options?: MirrorJsonOptions): Observable<MirrorState<T>> {
    return this.core.mirrors.mirrorJson<T>(selector, options);
  }

  leaderMember(options?: CallOptions): Observable<Member> {
    return this.core.cluster.leaderMember(options);
  }

  memberList(options?: CallOptions): Observable<MemberList> {
    return this.core.cluster.memberList(options);
  }

  /**
   * The client's view of its endpoints, live: first each endpoint's state (`healthy`, `suspect`
   * or `demoted`, with the reason and since when), then every change of state and every
   * failover (a call or stream leaving an endpoint after a failure), until close(). Watching it
   * sends nothing to etcd: it tells what the client's own calls and probes found.
   * @example etcd.endpointStates().subscribe((e) => console.log(e.type === 'endpoint' ? `${e.endpoint} ${e.state}: ${e.reason}` : `failover from ${e.from}: ${e.reason}`))
   */
  endpointStates(): Observable<EndpointEvent> {
    return this.core.endpointStates();
  }

  addMember(peerUrls: string | readonly string[], options?: AddMemberOptions): Observable<MemberAdded> {
    return this.core.membership.add(peerUrls, options);
  }

  removeMember(id: MemberId, options?: CallOptions): Observable<MemberList> {
    return this.core.membership.remove(id, options);
  }

  updateMember(id: MemberId, peerUrls: string | readonly string[], options?: CallOptions): Observable<MemberList> {
    return this.core.membership.update(id, peerUrls, options);
  }

  promoteMember(id: MemberId, options?: CallOptions): Observable<MemberList> {
    return this.core.membership.promote(id, options);
  }

  endpointStatus(endpoint?: string, options?: CallOptions): Observable<MemberStatus> {
    return this.core.cluster.endpointStatus(endpoint, options);
  }

  endpointStatuses(options?: CallOptions): Observable<Result<MemberStatus, EndpointFailure>[]> {
    return this.core.maintenance.endpointStatuses(options);
  }

  endpointHealth(endpoint?: string, options?: CallOptions): Observable<EndpointHealth[]> {
    return this.core.maintenance.endpointHealth(endpoint, options);
  }

  defragment(endpoint?: string, options?: CallOptions): Observable<Defragmented> {
    return this.core.maintenance.defragment(endpoint, options);
  }

  alarms(options?: CallOptions): Observable<AlarmList> {
    return this.core.maintenance.alarms(options);
  }

  disarmAlarms(which?: Alarm, options?: CallOptions): Observable<AlarmList> {
    return this.core.maintenance.disarmAlarms(which, options);
  }

  hashKv(endpoint: string, options?: { revision?: number } & CallOptions): Observable<HashKv> {
    return this.core.maintenance.hashKv(endpoint, options);
  }

  moveLeader(targetId: MemberId, options?: CallOptions): Observable<ResponseHeader> {
    return this.core.maintenance.moveLeader(targetId, options);
  }

  snapshot(endpoint?: string): Observable<SnapshotChunk> {
    return this.core.snapshots.stream(endpoint);
  }

  saveSnapshot(file: string, options?: { endpoint?: string } & CallOptions): Observable<SnapshotSaved> {
    return this.core.snapshots.save(file, options);
  }

  stm<T>(apply: (tx: StmTx) => ObservableInput<T>, options?: StmOptions): Observable<T> {
    return runStm(this.core.kv, apply, options);
  }

  /**
   * A view of this client whose keys are relative to `prefix`: what it writes lands under the
   * prefix, what it returns shows keys without it (key-values, previous values, watch events,
   * mirror entries, lock and election keys, a lease's keys), `{ prefix: '' }` means the whole
   * namespace, ranges end where the namespace ends, and no key outside it can be reached. Locks
   * and elections of two namespaces never meet. `namespace()` on a view nests (`a/` then `b/`
   * is `a/b/`). The view shares this client's connections and streams: it is the same client,
   * so closing either closes both. Membership, maintenance and `auth` are the cluster's
   * (permissions name whole keys). Throws EtcdInvalidArgumentError for an empty prefix.
   * @example const app = etcd.namespace('app/'); app.put('config', 'v').subscribe() // writes app/config
   */
  namespace(prefix: Key): Etcd {
    return new Etcd(this.core.namespace(prefix));
  }

  /**
   * Releases every socket and timer. Open watches, mirrors and observations complete; open
   * leases, locks and campaigns end with EtcdClientClosedError (their holders must stop acting)
   * and their leases are revoked. Operations subscribed afterwards fail with EtcdClientClosedError.
   * @example await etcd.close()
   */
  close(): Promise<void> {
    return this.core.close();
  }
}

printsAs(Etcd, 'Etcd', (etcd) => ({ endpoints: etcd.endpoints }));

function clientOptions(options: unknown): EtcdOptions {
  if (typeof options === 'string' || Array.isArray(options)) return { endpoints: options as string | string[] };
  if (typeof options !== 'object' || options === null) {
    throw new EtcdInvalidArgumentError(`new Etcd() takes options, an endpoint list or a string of endpoints; got ${describe(options)}`);
  }
  return options as EtcdOptions;
}
