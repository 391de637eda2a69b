/** Questions about the cluster itself: its members, each member's status, who leads. */
import { defer, map, Observable, switchMap } from 'rxjs';
import { EtcdUnavailableError } from '../errors';
import { UnaryCaller } from '../resilience/unary-caller';
import { asArray, asObject, asString, decodeId, decodeInt } from '../transport/codec';
import { decodeHeader } from '../transport/response-header';
import { Member, MemberStatus } from './types';

/**
 * Cluster and maintenance questions.
 * @example new ClusterService(caller).leader().subscribe((m) => console.log(m.name))
 */
export class ClusterService {
  constructor(private readonly caller: UnaryCaller) {}

  /** Lists the members of the cluster. */
  members(): Observable<Member[]> {
    return defer(() =>
      this.caller.call('/v3/cluster/member/list', {}, 'read', (json) => asArray(asObject(json, 'member list').members, 'members').map(decodeMember)),
    );
  }

  /** The status of one member: the given endpoint, or the first that answers. */
  status(endpoint?: string): Observable<MemberStatus> {
    return defer(() =>
      endpoint === undefined
        ? this.caller.call('/v3/maintenance/status', {}, 'read', decodeStatus)
        : this.caller.callOn(endpoint, '/v3/maintenance/status', {}, decodeStatus),
    );
  }

  /** The member that leads the cluster now (the old `etcd_leader`). */
  leader(): Observable<Member> {
    return defer(() =>
      this.caller
        .call('/v3/maintenance/status', {}, 'read', (json, endpoint) => {
          const { leader } = decodeStatus(json, endpoint);
          // A member between elections knows no leader; another member (or a retry) may.
          if (leader === '0') throw new EtcdUnavailableError('the member answered that it knows no leader', true);
          return leader;
        })
        .pipe(
          switchMap((leaderId) =>
            this.members().pipe(
              map((members) => {
                const leader = members.find((m) => m.id === leaderId);
                if (leader === undefined) throw new EtcdUnavailableError(`leader ${leaderId} is not in the member list`, true);
                return leader;
              }),
            ),
          ),
        ),
    );
  }

}

/** Decodes one member of a member list (or of a membership change's answer). */
export function decodeMember(json: unknown): Member {
  const m = asObject(json, 'member');
  return {
    id: decodeId(m.ID, 'member.ID'),
    name: asString(m.name, 'member.name'),
    peerUrls: asArray(m.peerURLs, 'member.peerURLs').map((u) => asString(u, 'peer URL')),
    clientUrls: asArray(m.clientURLs, 'member.clientURLs').map((u) => asString(u, 'client URL')),
    isLearner: m.isLearner === true,
  };
}

/** Decodes a StatusResponse from `endpoint`. */
export function decodeStatus(json: unknown, endpoint: string): MemberStatus {
  const s = asObject(json, 'status response');
  return {
    header: decodeHeader(s.header),
    endpoint,
    version: asString(s.version, 'version'),
    dbSize: decodeInt(s.dbSize, 'dbSize'),
    dbSizeInUse: decodeInt(s.dbSizeInUse, 'dbSizeInUse'),
    leader: decodeId(s.leader, 'leader'),
    raftIndex: decodeInt(s.raftIndex, 'raftIndex'),
    raftTerm: decodeInt(s.raftTerm, 'raftTerm'),
    raftAppliedIndex: decodeInt(s.raftAppliedIndex, 'raftAppliedIndex'),
    isLearner: s.isLearner === true,
    errors: asArray(s.errors, 'errors').map((e) => asString(e, 'error')),
  };
}
