/** The public types of maintenance: alarms, defragmentation, endpoint health, hashes and snapshots. */
import { ResponseHeader } from '../transport/response-header';

/** An alarm a member raised: `NOSPACE` (the backend quota is full: writes are refused) or `CORRUPT`. */
export interface Alarm {
  /** The member that raised it (decimal id). */
  readonly memberId: string;
  readonly alarm: AlarmType;
}

/** The alarms of the cluster, with the header of the answer. */
export interface AlarmList {
  readonly header: ResponseHeader;
  readonly alarms: readonly Alarm[];
}

/** The kinds of alarm etcd raises. */
export type AlarmType = 'NOSPACE' | 'CORRUPT';

/** One member defragmented. */
export interface Defragmented {
  readonly endpoint: string;
  readonly header: ResponseHeader;
}

/** An endpoint's health as etcdctl's `endpoint health` defines it. */
export interface EndpointHealth {
  readonly endpoint: string;
  /** A linearizable read answered in time (a "permission denied" answer counts: it went through consensus). */
  readonly health: boolean;
  /** How long the read took, in milliseconds (fractional). */
  readonly tookMs: number;
  /** Why it is unhealthy. */
  readonly error?: string;
}

/** What one member answered to HashKV. */
export interface HashKv {
  readonly endpoint: string;
  readonly header: ResponseHeader;
  /** The hash (CRC-32C) of the keys and values up to the revision asked for. */
  readonly hash: number;
  /** The revision the member had compacted to (-1 when it never compacted). */
  readonly compactRevision: number;
}

/** One piece of a snapshot stream. */
export interface SnapshotChunk {
  /** The endpoint that streams it. */
  readonly endpoint: string;
  readonly bytes: Buffer;
  /** Bytes still to come after this chunk, as the member counts them (not counting the SHA-256). */
  readonly remainingBytes: number;
}

/** A snapshot written to a file and checked. */
export interface SnapshotSaved {
  readonly file: string;
  readonly endpoint: string;
  /** The file's size, the 32 bytes of the SHA-256 included. */
  readonly size: number;
  /** The SHA-256 etcd sent, checked against the content (hex). */
  readonly sha256: string;
}
