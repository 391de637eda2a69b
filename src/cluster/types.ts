/** The public types of the cluster: members, their status, and the answers of membership changes. */
import { CallOptions } from '../call-options';
import { ResponseHeader } from '../transport/response-header';

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

/** A member id as callers may hold it: the decimal string etcd-rx returns, or a bigint. */
export type MemberId = string | bigint;

/** The members of the cluster, with the header of the answer that listed them. */
export interface MemberList {
  readonly header: ResponseHeader;
  /** Every member (after the change, for a membership change). */
  readonly members: readonly Member[];
}

/** The cluster after `addMember`, with the new member (nameless and without client URLs until it starts). */
export interface MemberAdded extends MemberList {
  readonly member: Member;
}

/** Options of `addMember`. */
export interface AddMemberOptions extends CallOptions {
  /** Add it as a learner: it receives the log but does not vote until promoted. */
  readonly learner?: boolean;
}
