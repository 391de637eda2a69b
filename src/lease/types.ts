/** The public types of leases: ids, grants, what a lease stream emits and its options. */
import { ResponseHeader } from '../transport/response-header';

/**
 * A lease id as callers may hold it: the decimal string etcd-rx returns (`id`), the hexadecimal
 * form etcdctl prints with a `0x` prefix (`'0x' + idHex`), or a bigint.
 * @example etcd.revokeLease('0x694d77aa9e38260b')
 */
export type LeaseId = string | bigint;

/** A lease as granted by etcd. */
export interface LeaseGrant {
  readonly header: ResponseHeader;
  /** The lease id (decimal string: ids exceed 2^53). */
  readonly id: string;
  /** The same id in hexadecimal, as etcdctl prints it. */
  readonly idHex: string;
  /** The TTL in seconds the server granted (it may raise a TTL below its minimum). */
  readonly ttl: number;
}

/** What etcd knows of a live lease. */
export interface LeaseTimeToLive {
  readonly header: ResponseHeader;
  readonly id: string;
  /** The same id in hexadecimal, as etcdctl prints it. */
  readonly idHex: string;
  /** Seconds left; -1 when the lease has expired or never existed. */
  readonly ttl: number;
  readonly grantedTtl: number;
  /** Keys attached to the lease (when asked with `keys: true`). */
  readonly keys: readonly Buffer[];
}

/** Options of `lease()`. */
export interface LeaseOptions {
  /** Ask for this lease id instead of one the server chooses. */
  readonly id?: LeaseId;
  /** How often to renew, in ms (default: a third of the granted TTL). Must be below the TTL. */
  readonly keepAliveEveryMs?: number;
}

/** What a lease stream emits: the grant, then each successful keep-alive. */
export interface LeaseEvent {
  readonly type: 'granted' | 'renewed';
  /** The lease id (decimal string: ids exceed 2^53). */
  readonly id: string;
  /** The same id in hexadecimal, as etcdctl prints it. */
  readonly idHex: string;
  /** Seconds the lease has left as of this event (the full TTL just after a grant or renewal). */
  readonly ttl: number;
  /**
   * The local deadline (ms since epoch): unless a later keep-alive succeeds first, the stream
   * fails with LeaseLostError at this time.
   */
  readonly validUntil: number;
  /** The header of the answer; `memberId` says which member served it. */
  readonly header: ResponseHeader;
}
