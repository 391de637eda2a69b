import { asObject, decodeId, decodeInt } from './codec';

/** The header etcd puts on every response: which cluster and member answered, at which revision. */
export interface ResponseHeader {
  readonly clusterId: string;
  readonly memberId: string;
  /** The store's revision when the request was served. */
  readonly revision: number;
  readonly raftTerm: number;
}

/** Decodes a response's `header` field. */
export function decodeHeader(field: unknown): ResponseHeader {
  const h = field === undefined ? {} : asObject(field, 'header');
  return {
    clusterId: decodeId(h.cluster_id, 'header.cluster_id'),
    memberId: decodeId(h.member_id, 'header.member_id'),
    revision: decodeInt(h.revision, 'header.revision'),
    raftTerm: decodeInt(h.raft_term, 'header.raft_term'),
  };
}
