import { Observable } from 'rxjs';
import { AddMemberOptions, Member, MemberAdded, MemberId, MemberList } from './types';
import { CallOptions } from '../call-options';

/**
 * The cluster's members: who leads, who is in it, and changing who is.
 * `Etcd` offers all of these; a function that needs only these can take this type.
 * Each takes the per-call options last (`deadlineMs`, `signal`).
 * @example etcd.memberList().subscribe(({ members }) => console.log(members.map((m) => m.name)))
 */
export interface ClusterOperations {
  /**
   * The member that leads the cluster's raft group (the old `etcd_leader`): id, name and URLs.
   * Not to be confused with the leader of an election, `etcd.election(name).leader()`.
   * @example etcd.leaderMember().subscribe((m) => console.log(m.name, m.clientUrls))
   */
  leaderMember(options?: CallOptions): Observable<Member>;

  /**
   * Lists the cluster's members (`etcdctl member list`), with the header of the answer (cluster
   * id, member that answered). From etcd 3.5 the list is linearizable: it shows every membership
   * change made before it was asked.
   * @example etcd.memberList().subscribe((l) => console.log(l.header.clusterId, l.members.map((m) => m.name)))
   */
  memberList(options?: CallOptions): Observable<MemberList>;

  /**
   * Adds a member that will listen for its peers on `peerUrls`; with `learner: true` it joins as
   * a learner (receives the log, does not vote) until promoted. Start the new etcd afterwards with
   * `--initial-cluster-state existing` and an `--initial-cluster` naming every member.
   * @example etcd.addMember('http://127.0.0.1:12380', { learner: true }).subscribe((r) => console.log(r.member.id))
   */
  addMember(peerUrls: string | readonly string[], options?: AddMemberOptions): Observable<MemberAdded>;

  /**
   * Removes member `id` (a decimal id as `memberList()` gives it, or a bigint).
   * @example etcd.removeMember(member.id).subscribe((r) => console.log(r.members.length, 'left'))
   */
  removeMember(id: MemberId, options?: CallOptions): Observable<MemberList>;

  /**
   * Changes the peer URLs of member `id`.
   * @example etcd.updateMember(member.id, ['http://127.0.0.1:12380'])
   */
  updateMember(id: MemberId, peerUrls: string | readonly string[], options?: CallOptions): Observable<MemberList>;

  /**
   * Makes learner `id` a voting member; etcd refuses (EtcdServerError, code 9) until it has
   * caught up with the leader, so callers retry a little later.
   * @example etcd.promoteMember(learner.id)
   */
  promoteMember(id: MemberId, options?: CallOptions): Observable<MemberList>;
}
