/**
 * What users hold of locks and elections: interfaces only, so that the machinery behind them
 * (leases, waiting calls, the campaign's resignation) stays out of the public surface.
 */
import { CallOptions } from '../call-options';
import { Observable } from 'rxjs';
import { Option, Result } from 'ts-results';
import { Comparison, TxnRequest, TxnResult } from '../kv/txn';
import { Bytes } from '../transport/codec';
import { ResponseHeader } from '../transport/response-header';

/** Options of `lock()`. */
export interface LockOptions {
  /**
   * TTL in seconds of the lease behind the lock (default 10): how long the lock outlives a
   * holder that died or was cut off, and the longest a holder may be frozen unawares.
   */
  readonly ttl?: number;
}

/** Options of `campaign()`: the TTL (seconds, default 10) of the lease behind the leadership. */
export type CampaignOptions = LockOptions;

/** A conditional transaction found that the lock (or leadership) is no longer held. */
export interface NotHeld {
  /** The header of the answer that said so, when it carried one. */
  readonly header?: ResponseHeader;
}

/**
 * Ownership of a key created under a lease: a lock, or a leadership.
 * @example lock.txn({ success: [Op.put('counter', '42')] }).subscribe((r) => console.log(r.ok ? 'written' : 'lost the lock'))
 */
export interface Ownership {
  /** The key that stands for the ownership (`<name>/<lease id in hex>`), as bytes. */
  readonly keyBuffer: Buffer;
  /** The key as UTF-8 text. */
  readonly key: string;
  /**
   * The revision that created the key. Each new owner's token is greater than every earlier
   * owner's, so a resource that remembers the greatest token it has seen can refuse a
   * request from an owner that has since been replaced.
   */
  readonly fencingToken: number;
  /** The lease the key is attached to; the ownership ends with it. */
  readonly leaseId: string;

  /**
   * The compare that holds only while this ownership does (the key exists and was created at
   * the fencing token's revision), to put into a transaction of your own.
   * @example etcd.txn({ compare: [lock.ifHeld(), Compare.value('x', '==', '1')], success: [Op.put('x', '2')] })
   */
  ifHeld(): Comparison;

  /**
   * Runs `request` only if the ownership still holds, atomically: `Ok` with the result of
   * `request` (whose own compares chose its branch), or `Err(NotHeld)` when it was lost.
   * @example lock.txn({ success: [Op.put('config', 'v2')] })
   */
  txn(request: TxnRequest, options?: CallOptions): Observable<Result<TxnResult, NotHeld>>;
}

/**
 * A held lock. Its `fencingToken` grows with every new holder; `txn` and `ifHeld` make writes
 * conditional on still holding it.
 * @example etcd.lock('jobs').subscribe((lock) => console.log('holding', lock.key, lock.fencingToken))
 */
export type Lock = Ownership;

/**
 * Held leadership of an election. Its `fencingToken` (the revision of the leader key) grows with
 * every new leader; `txn` and `ifHeld` make writes conditional on still leading.
 * @example leadership.proclaim('http://10.0.0.7:8080').subscribe()
 */
export interface Leadership extends Ownership {
  /**
   * Announces a new value while still leader: `Ok(header)`, or `Err(NotHeld)` when the
   * leadership was lost meanwhile.
   * @example leadership.proclaim('maintenance').subscribe((r) => r.ok || console.log('not leader any more'))
   */
  proclaim(value: Bytes, options?: CallOptions): Observable<Result<ResponseHeader, NotHeld>>;

  /**
   * Gives up the leadership now (the next candidate is elected at once); the campaign stream
   * then emits `resigned` and completes, revoking its lease.
   * @example leadership.resign().subscribe()
   */
  resign(options?: CallOptions): Observable<ResponseHeader>;
}

/** Who leads an election. */
export interface Leader {
  /** What the leader proclaimed (its campaign value, or its latest `proclaim`). */
  readonly value: string;
  readonly valueBuffer: Buffer;
  /** The leader's key, `<election name>/<lease id in hex>`. */
  readonly key: string;
  /** The revision that created the leader's key: it identifies this leadership and grows with each new leader. */
  readonly revision: number;
  /** The revision of the leader's latest proclaim (its campaign, if none since). */
  readonly modRevision: number;
  /** The lease of the leader's key. */
  readonly leaseId: string;
}

/** What a campaign emits: `elected` once it wins; `resigned` when it resigned through its leadership. */
export type CampaignEvent = { readonly type: 'elected'; readonly leadership: Leadership } | { readonly type: 'resigned' };

/**
 * One election, named.
 * @example const election = etcd.election('scheduler')
 */
export interface Election {
  /**
   * Campaigns with `value`: waits until elected, emits `elected` with the leadership, and leads
   * (keeping the lease alive) until unsubscribed, which resigns; before winning, unsubscribing
   * leaves no key behind. Fails with LeaseLostError when the leadership is lost.
   * @example election.campaign('node-1').subscribe((e) => e.type === 'elected' && startLeading(e.leadership))
   */
  campaign(value: Bytes, options?: CampaignOptions): Observable<CampaignEvent>;

  /**
   * The current leader, or None when nobody leads.
   * @example election.leader().subscribe((l) => console.log(l.some ? l.val.value : 'no leader'))
   */
  leader(options?: CallOptions): Observable<Option<Leader>>;

  /**
   * Who leads, now and at every change (a new leader, or a proclaim), in order, for ever: the
   * stream is re-opened when etcd ends it and moved to another member when its member fails.
   * It says nothing while nobody leads, and completes when the client is closed.
   * @example election.observe().subscribe((l) => console.log(`${l.value} leads since revision ${l.revision}`))
   */
  observe(): Observable<Leader>;
}
