/**
 * The `Etcd` facade: every etcd operation as a cold Observable, each delegated to the service
 * that does it. The services are built and wired in composition.ts.
 */
import { CallOptions } from './call-options';
import { Observable, ObservableInput } from 'rxjs';
import { Option, Result } from 'ts-results';
import { AuthAdmin } from './auth/auth-admin';
import { Member, MemberStatus } from './cluster/cluster-service';
import { AddMemberOptions, MemberAdded, MemberId, MemberList } from './cluster/membership';
import { ClientCore } from './composition';
import { runStm, StmOptions, StmTx } from './concurrency/stm';
import { Election, Lock, LockOptions } from './concurrency/types';
import { describe } from './describe-value';
import { EndpointFailure, EtcdInvalidArgumentError } from './errors';
import { HealthEvent } from './health';
import { HashKv } from './maintenance/hash-kv';
import { Alarm, AlarmList, Defragmented, EndpointHealth } from './maintenance/maintenance';
import { SnapshotChunk, SnapshotSaved } from './maintenance/snapshot';
import { DeleteOptions, DeleteResult } from './kv/delete';
import { KeyValue } from './kv/key-value';
import { Key, KeySelector } from './kv/key-selector';
import { CompactOptions, CompactResult, CompareFailed, Expectation, GetOptions, ListOptions } from './kv/kv-service';
import { PutOptions, PutResult } from './kv/put';
import { RangeOptions, RangeResult } from './kv/range';
import { TxnRequest, TxnResult } from './kv/txn';
import { LeaseGrant, LeaseTimeToLive } from './lease/lease-calls';
import { LeaseId } from './lease/lease-id';
import { LeaseEvent, LeaseOptions } from './lease/lease-service';
import { EtcdOptions, ResolvedOptions } from './options';
import { Bytes } from './transport/codec';
import { ResponseHeader } from './transport/response-header';
import { MirrorJsonOptions, MirrorState } from './watch/mirror';
import { WatchBatch } from './watch/watch-event';
import { WatchOptions } from './watch/watch-request';

/**
 * A client of one etcd cluster.
 * @example
 * const etcd = new Etcd({ endpoints: 'http://127.0.0.1:2379' })
 * etcd.put('greeting', 'hello').subscribe()
 * await etcd.close()
 */
export class Etcd {
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

  /**
   * Reads one key: `Some(KeyValue)`, or `None` when the key is absent.
   * @example etcd.get('config').subscribe((kv) => console.log(kv.some ? kv.val.value : 'absent'))
   */
  get(key: Key, options?: GetOptions): Observable<Option<KeyValue>> {
    return this.core.kv.get(key, options);
  }

  /**
   * Reads a key, a prefix or a range with every Range option (limit, sort, revision, keysOnly,
   * countOnly, serializable); the answer carries the header revision, count and `more`.
   * @example etcd.range({ prefix: 'app/' }, { limit: 10, sort: { target: 'modRevision', order: 'descend' } })
   */
  range(selector: KeySelector, options?: RangeOptions): Observable<RangeResult> {
    return this.core.kv.range(selector, options);
  }

  /**
   * Streams every key of a prefix or range, fetched page by page at one revision, so memory
   * stays bounded by the page size however many keys there are.
   * @example etcd.list({ prefix: 'jobs/' }, { pageSize: 500 }).subscribe((kv) => console.log(kv.key))
   */
  list(selector: KeySelector, options?: ListOptions): Observable<KeyValue> {
    return this.core.kv.list(selector, options);
  }

  /**
   * Every key of a prefix or range, read page by page at one revision, as an async iterable
   * that fetches the next page only when the consumer has taken every key of the current one:
   * however slow the consumer, at most one page is held. Breaking out of the loop stops it.
   * Fails (from the loop) like `list()`, e.g. with EtcdCompactedError when the revision of the
   * first page is compacted in the middle.
   * @example
   * for await (const kv of etcd.scan({ prefix: 'jobs/' })) await handle(kv)
   */
  scan(selector: KeySelector, options?: ListOptions): AsyncIterable<KeyValue> {
    return this.core.kv.scan(selector, options);
  }

  /**
   * The Rx form of `scan()`: runs `work` on each page (an array of keys) in turn and emits what
   * it emits, fetching the next page only once the work on the previous one has completed.
   * Unsubscribing stops the work and the listing.
   * @example
   * etcd.scanPages({ prefix: 'jobs/' }, (kvs) => from(kvs).pipe(concatMap((kv) => handle(kv)))).subscribe({ error: console.error })
   */
  scanPages<R>(selector: KeySelector, work: (kvs: readonly KeyValue[]) => ObservableInput<R>, options?: ListOptions): Observable<R> {
    return this.core.kv.scanPages(selector, work, options);
  }

  /**
   * Writes a key. `ttl` (seconds) grants a lease for it, so the key expires; `lease` attaches
   * an existing lease; `prevKv` returns the value it replaced.
   * @example etcd.put('session/42', 'alive', { ttl: 10 })
   */
  put(key: Key, value: Bytes, options?: PutOptions): Observable<PutResult> {
    return this.core.kv.put(key, value, options);
  }

  /**
   * Reads a key and parses its value as JSON: `Some(value)` or `None` when absent.
   * @example etcd.getJson<{ port: number }>('config/web')
   */
  getJson<T = unknown>(key: Key, options?: GetOptions): Observable<Option<T>> {
    return this.core.kv.getJson(key, options);
  }

  /**
   * Writes a value serialised as JSON.
   * @example etcd.putJson('config/web', { port: 8080 })
   */
  putJson(key: Key, value: unknown, options?: PutOptions): Observable<PutResult> {
    return this.core.kv.putJson(key, value, options);
  }

  /**
   * Writes a key only if it is as expected (the old `set` with a previous value): `Ok(PutResult)`,
   * or `Err(CompareFailed)` carrying the key as it is now. `{ version: 0 }` means "only if absent".
   * @example etcd.compareAndSet('leader', 'me', { value: 'old' }).subscribe((r) => console.log(r.ok))
   */
  compareAndSet(key: Key, value: Bytes, expected: Expectation, options?: PutOptions): Observable<Result<PutResult, CompareFailed>> {
    return this.core.kv.compareAndSet(key, value, expected, options);
  }

  /**
   * Deletes a key, a prefix or a range; answers how many keys went (and them, with `prevKv`).
   * @example etcd.delete({ prefix: 'tmp/' }).subscribe((r) => console.log(r.deleted))
   */
  delete(selector: KeySelector, options?: DeleteOptions): Observable<DeleteResult> {
    return this.core.kv.delete(selector, options);
  }

  /**
   * Runs a transaction built with `Compare` and `Op`.
   * @example etcd.txn({ compare: [Compare.version('k', '==', 0)], success: [Op.put('k', 'v')], failure: [Op.get('k')] })
   */
  txn(request: TxnRequest, options?: CallOptions): Observable<TxnResult> {
    return this.core.kv.txn(request, options);
  }

  /**
   * Discards the history before `revision`; reads and watches of older revisions then fail
   * with EtcdCompactedError.
   * @example etcd.compact(1000)
   */
  compact(revision: number, options?: CompactOptions): Observable<CompactResult> {
    return this.core.kv.compact(revision, options);
  }

  /**
   * Grants a lease of `ttl` seconds, without keeping it alive.
   * @example etcd.grantLease(30).subscribe((lease) => console.log(lease.id))
   */
  grantLease(ttl: number, id?: LeaseId): Observable<LeaseGrant> {
    return this.core.leaseCalls.grant(ttl, id);
  }

  /**
   * Revokes a lease: every key attached to it is deleted.
   * @example etcd.revoke(lease.id)
   */
  revoke(id: LeaseId): Observable<ResponseHeader> {
    return this.core.leaseCalls.revoke(id);
  }

  /**
   * How many seconds a lease has left (-1 when gone), and with `keys: true` its keys.
   * @example etcd.timeToLive(lease.id, { keys: true })
   */
  timeToLive(id: LeaseId, options?: { keys?: boolean }): Observable<LeaseTimeToLive> {
    return this.core.leaseCalls.timeToLive(id, options);
  }

  /**
   * Lists the ids of every live lease.
   * @example etcd.leases().subscribe((ids) => console.log(ids.length))
   */
  leases(): Observable<string[]> {
    return this.core.leaseCalls.leases();
  }

  /**
   * A lease as a stream: granted on subscribe and emitted, kept alive (about every TTL/3, across
   * failover) with each renewal emitted, revoked on unsubscribe. Fails with LeaseLostError when
   * the server drops it, or when no keep-alive succeeded for a whole TTL.
   * @example etcd.lease(10).subscribe((e) => e.type === 'granted' && etcd.put('me', 'up', { lease: e.id }).subscribe())
   */
  lease(ttl: number, options?: LeaseOptions): Observable<LeaseEvent> {
    return this.core.leases.lease(ttl, options);
  }

  /**
   * Keeps an existing lease alive (granted elsewhere, e.g. by `grantLease` or another process):
   * renews it at once and then about every TTL/3, emitting each renewal, until unsubscribed. It
   * does not revoke the lease at the end. Fails with LeaseLostError like `lease()`.
   * @example etcd.keepAlive(grant.id).subscribe((e) => console.log('renewed to', e.ttl, 's'))
   */
  keepAlive(id: LeaseId, options?: Pick<LeaseOptions, 'keepAliveEveryMs'>): Observable<LeaseEvent> {
    return this.core.leases.keepAlive(id, options);
  }

  /**
   * A lock as a stream: waits its turn (first come, first served), emits the held lock with its
   * fencing token, releases it on unsubscribe, and fails with LeaseLostError if it is lost.
   * @example etcd.lock('jobs', { ttl: 10 }).subscribe((lock) => console.log('token', lock.fencingToken))
   */
  lock(name: Key, options?: LockOptions): Observable<Lock> {
    return this.core.locks.lock(name, options);
  }

  /**
   * Runs `work` under the lock `name`, releasing the lock when the work ends (the stream
   * completes once the release is done).
   * @example etcd.withLock('counter', (lock) => lock.txn({ success: [Op.put('counter', '1')] }))
   */
  withLock<T>(name: Key, work: (lock: Lock) => ObservableInput<T>, options?: LockOptions): Observable<T> {
    return this.core.locks.withLock(name, work, options);
  }

  /**
   * A leader election: `campaign(value)`, `leader()`, `observe()`.
   * @example etcd.election('scheduler').observe().subscribe((l) => console.log(l.value, 'leads'))
   */
  election(name: Key): Election {
    return this.core.election(name);
  }

  /**
   * Watches a key, a prefix or a range: an endless stream of the changes, one `WatchBatch` per
   * revision (a transaction's changes stay together), each revision once and in order, with no
   * gap, across the failure of any member. The server-side watch is created on subscribe and
   * cancelled on unsubscribe; every watch of the client shares one WebSocket per member. Ends
   * with WatchCompactedError when a revision it needs was compacted; completes on close().
   * @example etcd.watch({ prefix: 'config/' }, { prevKv: true }).subscribe((b) => b.events.forEach((e) => console.log(e.type, e.kv.key)))
   */
  watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch> {
    return this.core.watches.watch(selector, options);
  }

  /**
   * A live copy of a key, prefix or range: the whole state (`entries`, exact at `revision`) after
   * each revision that changed it, with the `changes` (added, modified, removed) that led there.
   * Lists, then watches; lists again by itself when its watch's resume point was compacted.
   * Completes on close().
   * @example etcd.mirror({ prefix: 'services/' }).subscribe((s) => console.log([...s.entries.keys()]))
   */
  mirror(selector: KeySelector): Observable<MirrorState<KeyValue>> {
    return this.core.mirrors.mirror(selector);
  }

  /**
   * `mirror()` with every value parsed as JSON. A value that is not JSON is reported in the
   * state's `invalid` and, by default, the key keeps its last good value (`onInvalid`:
   * `'keep-last'`; `'skip'` treats the key as absent, `'fail'` ends the stream with
   * EtcdValueNotJsonError).
   * @example etcd.mirrorJson<{ port: number }>({ prefix: 'config/' }).subscribe((s) => console.log(s.entries.get('config/web')?.port))
   */
  mirrorJson<T = unknown>(selector: KeySelector, options?: MirrorJsonOptions): Observable<MirrorState<T>> {
    return this.core.mirrors.mirrorJson<T>(selector, options);
  }

  /**
   * The member that leads the cluster (the old `etcd_leader`): id, name and URLs.
   * @example etcd.leader().subscribe((m) => console.log(m.name, m.clientUrls))
   */
  leader(): Observable<Member> {
    return this.core.cluster.leader();
  }

  /**
   * Lists the cluster's members.
   * @example etcd.members().subscribe((ms) => ms.forEach((m) => console.log(m.name)))
   */
  members(): Observable<Member[]> {
    return this.core.cluster.members();
  }

  /**
   * Lists the cluster's members with the header of the answer (cluster id, member that answered).
   * @example etcd.memberList().subscribe((l) => console.log(l.header.clusterId, l.members.length))
   */
  memberList(): Observable<MemberList> {
    return this.core.cluster.memberList();
  }

  /**
   * The client's view of its endpoints, live: first each endpoint's state (`healthy`, `suspect`
   * or `demoted`, with the reason and since when), then every change of state and every
   * failover (a call or stream leaving an endpoint after a failure), until close(). Watching it
   * sends nothing to etcd: it tells what the client's own calls and probes found.
   * @example etcd.health().subscribe((e) => console.log(e.type === 'endpoint' ? `${e.endpoint} ${e.state}: ${e.reason}` : `failover from ${e.from}: ${e.reason}`))
   */
  health(): Observable<HealthEvent> {
    return this.core.health();
  }

  /**
   * The status of one member (version, database size, raft term and index, leader id): the
   * given endpoint, or the first one that answers.
   * @example etcd.status('http://127.0.0.1:2379').subscribe((s) => console.log(s.version))
   */
  status(endpoint?: string): Observable<MemberStatus> {
    return this.core.cluster.status(endpoint);
  }

  /**
   * Adds a member that will listen for its peers on `peerUrls`; with `learner: true` it joins as
   * a learner (receives the log, does not vote) until promoted. Start the new etcd afterwards with
   * `--initial-cluster-state existing` and an `--initial-cluster` naming every member.
   * @example etcd.addMember('http://10.0.0.4:2380', { learner: true }).subscribe((r) => console.log(r.member.id))
   */
  addMember(peerUrls: string | readonly string[], options?: AddMemberOptions): Observable<MemberAdded> {
    return this.core.membership.add(peerUrls, options);
  }

  /**
   * Removes member `id` (a decimal id as `members()` gives it, or a bigint).
   * @example etcd.removeMember(member.id).subscribe((r) => console.log(r.members.length, 'left'))
   */
  removeMember(id: MemberId): Observable<MemberList> {
    return this.core.membership.remove(id);
  }

  /**
   * Changes the peer URLs of member `id`.
   * @example etcd.updateMember(member.id, ['http://10.0.0.5:2380'])
   */
  updateMember(id: MemberId, peerUrls: string | readonly string[]): Observable<MemberList> {
    return this.core.membership.update(id, peerUrls);
  }

  /**
   * Makes learner `id` a voting member; etcd refuses (EtcdServerError, code 9) until it has
   * caught up with the leader, so callers retry a little later.
   * @example etcd.promoteMember(learner.id)
   */
  promoteMember(id: MemberId): Observable<MemberList> {
    return this.core.membership.promote(id);
  }

  /**
   * The status of every endpoint of the client, in their order: `Ok(MemberStatus)` or
   * `Err({ endpoint, error })` for one that failed.
   * @example etcd.memberStatuses().subscribe((all) => all.forEach((s) => s.ok && console.log(s.val.endpoint, s.val.dbSize)))
   */
  memberStatuses(): Observable<Result<MemberStatus, EndpointFailure>[]> {
    return this.core.maintenance.statuses();
  }

  /**
   * Health of every endpoint (or of `endpoint`) as `etcdctl endpoint health` defines it: a
   * linearizable read of one key answered within the request timeout (an answer "permission
   * denied" counts as healthy). Unhealthy endpoints are values, not errors.
   * @example etcd.endpointHealth().subscribe((all) => console.log(all.every((h) => h.health)))
   */
  endpointHealth(endpoint?: string): Observable<EndpointHealth[]> {
    return this.core.maintenance.endpointHealth(endpoint);
  }

  /**
   * Defragments `endpoint`, or every endpoint of the client one at a time, emitting each member
   * once done. A member answers nothing else while it defragments.
   * @example etcd.defragment().subscribe((d) => console.log('defragmented', d.endpoint))
   */
  defragment(endpoint?: string): Observable<Defragmented> {
    return this.core.maintenance.defragment(endpoint);
  }

  /**
   * Every alarm raised in the cluster (`NOSPACE` when a member's backend quota is full).
   * @example etcd.alarms().subscribe(({ alarms }) => alarms.forEach((a) => console.log(a.memberId, a.alarm)))
   */
  alarms(): Observable<AlarmList> {
    return this.core.maintenance.alarms();
  }

  /**
   * Disarms every raised alarm (or only `which`) and answers those disarmed. Free space first
   * (compact, defragment), or a `NOSPACE` alarm comes straight back.
   * @example etcd.disarmAlarms().subscribe((gone) => console.log(gone.alarms.length, 'disarmed'))
   */
  disarmAlarms(which?: Alarm): Observable<AlarmList> {
    return this.core.maintenance.disarmAlarms(which);
  }

  /**
   * The hash of `endpoint`'s key-value store up to `revision` (default: the latest); members that
   * applied the same history answer the same hash.
   * @example etcd.hashKv('http://127.0.0.1:2379', { revision: 100 }).subscribe((h) => console.log(h.hash))
   */
  hashKv(endpoint: string, options?: { revision?: number }): Observable<HashKv> {
    return this.core.maintenance.hashKv(endpoint, options);
  }

  /**
   * Hands the leadership to member `targetId`; the leader must be among the client's endpoints.
   * @example etcd.moveLeader(follower.id)
   */
  moveLeader(targetId: MemberId): Observable<ResponseHeader> {
    return this.core.maintenance.moveLeader(targetId);
  }

  /**
   * Streams the whole database of `endpoint` (default: the client's current member) as chunks; the
   * last 32 bytes are the SHA-256 of the rest. `saveSnapshot` writes and checks it.
   * @example etcd.snapshot().subscribe((c) => out.write(c.bytes))
   */
  snapshot(endpoint?: string): Observable<SnapshotChunk> {
    return this.core.snapshots.stream(endpoint);
  }

  /**
   * Saves a snapshot of the database to `file` and checks its SHA-256; the file appears only once
   * complete and checked. Restore it with `etcdctl snapshot restore` (or `etcdutl`).
   * @example etcd.saveSnapshot('backup.db').subscribe((s) => console.log(s.size, 'bytes'))
   */
  saveSnapshot(file: string, options?: { endpoint?: string }): Observable<SnapshotSaved> {
    return this.core.snapshots.save(file, options?.endpoint);
  }

  /**
   * Software transactional memory: runs `apply`, whose reads go through `tx` and whose writes are
   * buffered, then commits the writes in one txn guarded by what was read; re-runs `apply` from
   * scratch when another client changed that in between. Emits the last value `apply` produced.
   * @example etcd.stm((tx) => tx.get('n').pipe(map((n) => tx.put('n', String(Number(n.unwrapOr('0')) + 1)))))
   */
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

function clientOptions(options: unknown): EtcdOptions {
  if (typeof options === 'string' || Array.isArray(options)) return { endpoints: options as string | string[] };
  if (typeof options !== 'object' || options === null) {
    throw new EtcdInvalidArgumentError(`new Etcd() takes options, an endpoint list or a string of endpoints; got ${describe(options)}`);
  }
  return options as EtcdOptions;
}
