/** Decoding the members etcd lists: in a member list, and in the answer to a membership change. */
import { hexId } from '../ids';
import { asArray, asObject, asString, decodeId } from '../transport/codec';
import { decodeHeader } from '../transport/response-header';
import { Member, MemberList } from './types';

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

/** Decodes a member list, or the answer to a membership change. */
export function decodeMemberList(json: unknown): MemberList {
  const answer = asObject(json, 'membership response');
  return { header: decodeHeader(answer.header), members: asArray(answer.members, 'members').map(decodeMember) };
}
