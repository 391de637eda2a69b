/** The unary calls of etcd's Lease service: grant, revoke, time-to-live, list. */
import { defer, Observable } from 'rxjs';
import { EtcdInvalidArgumentError, EtcdNotFoundError, LeaseLostError } from '../errors';
import { encodeLeaseId } from './lease-id';
import { optionsOf } from '../validate';
import { CallOptions } from '../call-options';
import { UnaryCaller } from '../resilience/unary-caller';
import { REPEATABLE } from '../resilience/retry-policy';
import { asArray, asObject, decodeBytes, decodeId, decodeInt } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { hexLeaseId } from '../ids';
import { unwrapStreamMessage } from '../transport/server-error';
import { LeaseGrant, LeaseId, LeaseTimeToLive } from './types';

/** The answer to one keep-alive. */
export interface LeaseKeepAlive {
  readonly header: ResponseHeader;
  readonly id: string;
  /** The TTL in seconds the lease was renewed to; 0 when the lease no longer exists. */
  readonly ttl: number;
}

/**
 * Lease calls with failover. Grant and revoke are retried like reads: a repeated grant leaves at
 * worst an unused lease that expires by itself, and revoking twice changes nothing.
 * @example new LeaseCalls(caller).grant(10).subscribe((l) => console.log(l.id))
 */
export class LeaseCalls {
  constructor(private readonly caller: UnaryCaller) {}

  /** Grants a lease of `ttl` seconds (optionally with a chosen id). */
  grant(ttl: number, id?: LeaseId, options?: CallOptions): Observable<LeaseGrant> {
    return defer(() => {
      const body: Record<string, unknown> = { TTL: checkTtl(ttl) };
      if (id !== undefined) body.ID = encodeLeaseId(id);
      return this.caller.call('/v3/lease/grant', body, REPEATABLE, decodeGrant, options);
    });
  }

  /** Revokes a lease; every key attached to it is deleted. Errors with EtcdNotFoundError when it is gone. */
  revoke(id: LeaseId, options?: CallOptions): Observable<ResponseHeader> {
    return defer(() =>
      this.caller.call('/v3/lease/revoke', { ID: encodeLeaseId(id) }, REPEATABLE, (json) => decodeHeader(asObject(json, 'revoke response').header), options),
    );
  }

  /** Asks how long a lease has left (and, with `keys`, which keys it holds). */
  timeToLive(id: LeaseId, options?: { keys?: boolean } & CallOptions): Observable<LeaseTimeToLive> {
    return defer(() => {
      const body = { ID: encodeLeaseId(id), keys: optionsOf(options, 'timeToLive').keys === true };
      return this.caller.call('/v3/lease/timetolive', body, REPEATABLE, decodeTimeToLive, options);
    });
  }

  /**
   * Renews a lease once: a one-message keep-alive stream, which etcd answers at once. Retried
   * like a read (renewing twice is harmless). A lease that no longer exists answers `ttl` 0.
   * @example calls.keepAliveOnce(lease.id).subscribe((k) => console.log(k.ttl > 0 ? 'renewed' : 'gone'))
   */
  keepAliveOnce(id: LeaseId): Observable<LeaseKeepAlive> {
    return defer(() => this.caller.call('/v3/lease/keepalive', { ID: encodeLeaseId(id) }, REPEATABLE, decodeKeepAlive));
  }

  /**
   * Renews a lease once, hedged: sent to the next member every `hedgeMs` until one answers, so a
   * hung member or a leader election costs one hedge interval, not a request timeout per member.
   * It never gives up by itself: the lease's deadline bounds it. `sentAt` is when the attempt
   * that answered was sent: the lease was renewed no earlier.
   * @example calls.keepAliveHedged(lease.id, 400).pipe(takeUntil(deadline$))
   */
  keepAliveHedged(id: LeaseId, hedgeMs: number): Observable<LeaseKeepAlive & { readonly sentAt: number }> {
    // TTL 0 is a verdict, which hedging has a second member confirm.
    return defer(() =>
      this.caller.hedged('/v3/lease/keepalive', { ID: encodeLeaseId(id) }, hedgeMs, (json, endpoint, sentAt) => {
        const answer = decodeKeepAlive(json, endpoint);
        if (answer.ttl === 0) throw leaseGone(String(id), endpoint);
        return { ...answer, sentAt };
      }),
    );
  }

  /** Lists the ids of every live lease. */
  leases(options?: CallOptions): Observable<string[]> {
    return this.caller.call('/v3/lease/leases', {}, REPEATABLE, decodeLeases, options);
  }
}

/**
 * The loss of a lease the server says it does not know (a keep-alive answered with TTL 0).
 * @example if (answer.ttl === 0) throw leaseGone(id)
 */
export function leaseGone(id: string, endpoint?: string): LeaseLostError {
  return new LeaseLostError(id, 'gone', 'the server no longer knows it (expired, or revoked elsewhere)', { endpoint });
}

/** Refuses a TTL that is not a whole number of seconds ≥ 1. */
export function checkTtl(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl < 1) {
    throw new EtcdInvalidArgumentError(`ttl must be a whole number of seconds ≥ 1, got ${String(ttl)}`);
  }
  return ttl;
}

/** Decodes a LeaseGrantResponse; a grant etcd refused carries an `error` text. */
export function decodeGrant(json: unknown): LeaseGrant {
  const response = asObject(json, 'grant response');
  if (typeof response.error === 'string' && response.error !== '') {
    throw new EtcdNotFoundError(`lease grant failed: ${response.error}`);
  }
  const id = decodeId(response.ID, 'ID');
  return { header: decodeHeader(response.header), id, idHex: hexLeaseId(id), ttl: decodeInt(response.TTL, 'TTL') };
}

/** Decodes a LeaseTimeToLiveResponse. */
export function decodeTimeToLive(json: unknown): LeaseTimeToLive {
  const response = asObject(json, 'timetolive response');
  const id = decodeId(response.ID, 'ID');
  return {
    header: decodeHeader(response.header),
    id,
    idHex: hexLeaseId(id),
    // proto3 leaves out 0, so a missing TTL means "0 seconds left", and -1 arrives as "-1".
    ttl: decodeInt(response.TTL, 'TTL'),
    grantedTtl: decodeInt(response.grantedTTL, 'grantedTTL'),
    keys: asArray(response.keys, 'keys').map((k) => decodeBytes(k as string)),
  };
}

/** Decodes one message of a keep-alive stream. */
export function decodeKeepAlive(json: unknown, endpoint: string): LeaseKeepAlive {
  // The answer is one message of a stream: `{"result": …}` or `{"error": …}`.
  const result = unwrapStreamMessage(json, endpoint);
  // proto3 leaves out a TTL of 0, which is how etcd says the lease is gone.
  return { header: decodeHeader(result.header), id: decodeId(result.ID, 'ID'), ttl: Math.max(0, decodeInt(result.TTL, 'TTL')) };
}

/** Decodes a LeaseLeasesResponse into the ids of the live leases. */
export function decodeLeases(json: unknown): string[] {
  return asArray(asObject(json, 'leases response').leases, 'leases').map((l) => decodeId(asObject(l, 'lease').ID, 'lease.ID'));
}
