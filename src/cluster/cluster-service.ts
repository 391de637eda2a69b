/** Questions about the cluster itself: its members, each member's status, who leads. */
import { defer, map, Observable, switchMap } from 'rxjs';
import { EtcdUnavailableError } from '../errors';
import { CallOptions } from '../call-options';
import { REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asArray, asObject, asString, decodeId, decodeInt } from '../transport/codec';
import { decodeHeader } from '../transport/response-header';
import { decodeMemberList } from './member-codec';
import { Member, MemberList, MemberStatus } from './types';

/**
 * Cluster and maintenance questions.
 * @example new ClusterService(caller).leaderMember().subscribe((m) => console.log(m.name))
 */
export class ClusterService {
  constructor(private readonly caller: UnaryCaller) {}

  /**
   * Lists the members of the cluster, with the answer's header. Linearizable, as Go's client asks
   * it: etcd 3.5+ otherwise answers from the member's own view, which may not show a membership
   * change committed a moment ago (measured: a promoted learner still listed as a learner);
   * 3.4 has no such option and ignores the field.
   */
  memberList(options?: CallOptions): Observable<MemberList> {
    return defer(() => this.caller.call('/v3/cluster/member/list', { linearizable: true }, REPEATABLE, decodeMemberList, options));
  }

  /** The status of one member: the given endpoint, or the first that answers. */
  endpointStatus(endpoint?: string, options?: CallOptions): Observable<MemberStatus> {
    return defer(() =>
      endpoint === undefined
        ? this.caller.call('/v3/maintenance/status', {}, REPEATABLE, decodeStatus, options)
        : this.caller.callOn(endpoint, '/v3/maintenance/status', {}, decodeStatus, options),
    );
  }

  /** The member that leads the cluster now (the old `etcd_leader`); `deadlineMs` bounds each of its two calls. */
  leaderMember(options?: CallOptions): Observable<Member> {
    return defer(() =>
      this.caller
        .call(
          '/v3/maintenance/status',
          {},
          REPEATABLE,
          (json, endpoint) => {
            const { leader } = decodeStatus(json, endpoint);
            // A member between elections knows no leader; another member (or a retry) may.
            if (leader === '0') throw new EtcdUnavailableError('the member answered that it knows no leader', true);
            return leader;
          },
          options,
        )
        .pipe(
          switchMap((leaderId) =>
            this.memberList(options).pipe(
              map(({ members }) => {
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
