/** Questions about the cluster itself: its members, each member's status, who leads. */
import { defer, map, Observable, switchMap } from 'rxjs';
import { EtcdUnavailableError } from '../errors';
import { hexId } from '../ids';
import { REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { decodeMemberList, MemberList } from './membership';
import { asArray, asObject, asString, decodeId, decodeInt } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';

/** One member of the cluster. */
export interface Member {
  /** The member id (decimal string: ids exceed 2^53). */
  readonly id: string;
  /** The same id in hexadecimal, as etcdctl prints it. */
  readonly idHex: string;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

/** What one member says of itself. */
export interface MemberStatus {
  readonly header: ResponseHeader;
  /** The endpoint that answered. */
  readonly endpoint: string;
  /** The etcd server version, e.g. "3.4.23". */
  readonly version: string;
  /** Size of the backend database in bytes. */
  readonly dbSize: number;
  readonly dbSizeInUse: number;
  /** Id of the member this one believes leads ("0" when it knows no leader). */
  readonly leader: string;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly isLearner: boolean;
  /** Alarms and errors the member reports. */
  readonly errors: readonly string[];
}

/**
 * Cluster and maintenance questions.
 * @example new ClusterService(caller).leader().subscribe((m) => console.log(m.name))
 */
export class ClusterService {
  constructor(private readonly caller: UnaryCaller) {}

  /** Lists the members of the cluster. */
  members(): Observable<Member[]> {
    return this.memberList().pipe(map((list) => [...list.members]));
  }

  /** Lists the members of the cluster, with the answer's header. */
  memberList(): Observable<MemberList> {
    return defer(() => this.caller.call('/v3/cluster/member/list', {}, REPEATABLE, decodeMemberList));
  }

  /** The status of one member: the given endpoint, or the first that answers. */
  status(endpoint?: string): Observable<MemberStatus> {
    return defer(() =>
      endpoint === undefined
        ? this.caller.call('/v3/maintenance/status', {}, REPEATABLE, decodeStatus)
        : this.caller.callOn(endpoint, '/v3/maintenance/status', {}, decodeStatus),
    );
  }

  /** The member that leads the cluster now (the old `etcd_leader`). */
  leader(): Observable<Member> {
    return defer(() =>
      this.caller
        .call('/v3/maintenance/status', {}, REPEATABLE, (json, endpoint) => {
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
  const id = decodeId(m.ID, 'member.ID');
  return {
    id,
    idHex: hexId(id),
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
