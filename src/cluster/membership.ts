/**
 * Changing who is in the cluster: adding a member (as a voter or a learner), removing one,
 * changing its peer URLs, promoting a learner. Each is a write: a change whose answer was lost is
 * reported as EtcdOutcomeUnknownError, never sent twice.
 */
import { defer, Observable } from 'rxjs';
import { CallOptions } from '../call-options';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError } from '../errors';
import { NON_REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asObject } from '../transport/codec';
import { decodeMember, decodeMemberList } from './member-codec';
import { AddMemberOptions, MemberAdded, MemberId, MemberList } from './types';

/**
 * Membership calls.
 * @example new Membership(caller).add(['http://10.0.0.4:2380'], { learner: true })
 */
export class Membership {
  constructor(private readonly caller: UnaryCaller) {}

  /** Adds a member that will listen for peers on `peerUrls`. */
  add(peerUrls: string | readonly string[], options: AddMemberOptions = {}): Observable<MemberAdded> {
    return defer(() => {
      const body = { peerURLs: checkPeerUrls(peerUrls), isLearner: options.learner === true };
      const decode = (json: unknown): MemberAdded => {
        const answer = asObject(json, 'member add response');
        return { ...decodeMemberList(answer), member: decodeMember(answer.member) };
      };
      return this.caller.call('/v3/cluster/member/add', body, NON_REPEATABLE, decode, options);
    });
  }

  /** Removes the member `id`. */
  remove(id: MemberId, options?: CallOptions): Observable<MemberList> {
    return defer(() => this.caller.call('/v3/cluster/member/remove', { ID: encodeMemberId(id) }, NON_REPEATABLE, decodeMemberList, options));
  }

  /** Changes the peer URLs of member `id`. */
  update(id: MemberId, peerUrls: string | readonly string[], options?: CallOptions): Observable<MemberList> {
    return defer(() => {
      const body = { ID: encodeMemberId(id), peerURLs: checkPeerUrls(peerUrls) };
      return this.caller.call('/v3/cluster/member/update', body, NON_REPEATABLE, decodeMemberList, options);
    });
  }

  /** Makes the learner `id` a voting member (refused by etcd until it has caught up with the leader). */
  promote(id: MemberId, options?: CallOptions): Observable<MemberList> {
    return defer(() => this.caller.call('/v3/cluster/member/promote', { ID: encodeMemberId(id) }, NON_REPEATABLE, decodeMemberList, options));
  }
}

/**
 * Refuses a member id that is not an unsigned 64-bit integer (decimal string or bigint).
 * @example encodeMemberId(12345678901234567890n) // '12345678901234567890'
 */
export function encodeMemberId(id: unknown): string {
  // etcdctl prints member ids in hexadecimal: `0x` + that (or `member.idHex`) is taken too.
  const hex = typeof id === 'string' && /^0x[0-9a-f]{1,16}$/i.test(id) ? BigInt(id).toString() : undefined;
  const text = hex ?? (typeof id === 'bigint' ? id.toString() : typeof id === 'string' ? id : undefined);
  if (text === undefined || !/^\d{1,20}$/.test(text) || BigInt(text) === 0n || BigInt(text) >= 2n ** 64n) {
    throw new EtcdInvalidArgumentError(`member id must be a non-zero unsigned 64-bit integer (decimal string, 0x hexadecimal or bigint), got ${describe(id)}`);
  }
  return text;
}

function checkPeerUrls(urls: unknown): string[] {
  const list = typeof urls === 'string' ? urls.split(',').map((u) => u.trim()) : urls;
  if (!Array.isArray(list) || list.length === 0)
    throw new EtcdInvalidArgumentError(`peer URLs must be a URL or a non-empty array of URLs, got ${describe(urls)}`);
  for (const url of list as unknown[]) {
    // etcd checks the rest (a URL some member already has, a port in use) and says so.
    if (typeof url !== 'string' || !/^https?:\/\/[^/\s]+$/.test(url))
      throw new EtcdInvalidArgumentError(`a peer URL must look like http://10.0.0.4:2380, got ${describe(url)}`);
  }
  return list as string[];
}
