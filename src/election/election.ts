/**
 * Leader election as streams, on etcd's Election service: campaigning is subscribing (events:
 * elected, then resigned; losing is a LeaseLostError), resigning is unsubscribing, and `observe`
 * is an endless stream of who leads, including changes between other nodes.
 */
import { catchError, defer, filter, finalize, map, merge, mergeMap, Observable, of, Subject, take, takeUntil, tap, throwError } from 'rxjs';
import { Err, None, Ok, Option, Result, Some } from 'ts-results';
import { EtcdServerError } from '../errors';
import { checkKey, checkValue, Key } from '../kv/key-selector';
import { optionsOf } from '../kv/validate';
import { KeyValue } from '../kv/key-value';
import { checkTtl } from '../lease/lease-calls';
import { LeaseLostError } from '../lease/lease-lost-error';
import { HoldDeps, holdUnderLease, readOwnedKey } from '../lock/hold';
import { DEFAULT_HOLD_TTL, LockOptions } from '../lock/lock-service';
import { NotHeld, Ownership } from '../lock/ownership';
import { Lifecycle } from '../resilience/lifecycle';
import { LINEARIZABLE_READ, NON_REPEATABLE, REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { WaitingCaller } from '../resilience/waiting-caller';
import { asObject, asString, Bytes, decodeBytes, decodeId, decodeInt, encodeBytes } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';

/** Options of `campaign()`: the TTL (seconds, default 10) of the lease behind the leadership. */
export type CampaignOptions = LockOptions;

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

/** What the election services need from the client. */
export interface ElectionDeps extends HoldDeps {
  readonly caller: UnaryCaller;
  readonly waiting: WaitingCaller;
  readonly lifecycle: Lifecycle;
}

/** A campaign's resign, as it starts and as it ends (answered, failed or abandoned). */
interface Resignation {
  readonly started: Subject<void>;
  readonly ended: Subject<void>;
}

/**
 * Held leadership of an election. Its `fencingToken` (the revision of the leader key) grows with
 * every new leader; `txn` and `ifHeld` make writes conditional on still leading.
 * @example leadership.proclaim('http://10.0.0.7:8080').subscribe()
 */
export class Leadership extends Ownership {
  constructor(
    private readonly wireLeader: Record<string, string>,
    keyBuffer: Buffer,
    fencingToken: number,
    leaseId: string,
    private readonly deps: ElectionDeps,
    private readonly resignation: Resignation,
  ) {
    super(keyBuffer, fencingToken, leaseId, deps.kv);
  }

  /**
   * Announces a new value while still leader: `Ok(header)`, or `Err(NotHeld)` when the
   * leadership was lost meanwhile.
   * @example leadership.proclaim('maintenance').subscribe((r) => r.ok || console.log('not leader any more'))
   */
  proclaim(value: Bytes): Observable<Result<ResponseHeader, NotHeld>> {
    return defer(() => {
      const body = { leader: this.wireLeader, value: encodeBytes(checkValue(value)) };
      return this.deps.caller.call('/v3/election/proclaim', body, NON_REPEATABLE, (json) => decodeHeader(asObject(json, 'proclaim response').header)).pipe(
        map((header): Result<ResponseHeader, NotHeld> => Ok(header)),
        catchError((error: unknown) => (isNotLeader(error) ? of(Err({})) : throwError(() => error))),
      );
    });
  }

  /**
   * Gives up the leadership now (the next candidate is elected at once); the campaign stream
   * then emits `resigned` and completes, revoking its lease.
   * @example leadership.resign().subscribe()
   */
  resign(): Observable<ResponseHeader> {
    return defer(() => {
      // The campaign stops holding first: its next check would find the key deleted by this very
      // call and report the leadership lost instead of resigned.
      this.resignation.started.next();
      // Resigning deletes the key only if it is still ours (a compare on its revision): safe to repeat.
      return this.deps.caller
        .call('/v3/election/resign', { leader: this.wireLeader }, REPEATABLE, (json) => decodeHeader(asObject(json, 'resign response').header))
        .pipe(finalize(() => this.resignation.ended.next()));
    });
  }
}

/**
 * One election, named.
 * @example const election = etcd.election('scheduler')
 */
export class Election {
  private readonly wireName: string;

  constructor(
    name: Key,
    private readonly deps: ElectionDeps,
  ) {
    this.wireName = encodeBytes(checkKey(name, 'election name'));
  }

  /**
   * Campaigns with `value`: waits until elected, emits `elected` with the leadership, and leads
   * (keeping the lease alive) until unsubscribed, which resigns; before winning, unsubscribing
   * leaves no key behind. Fails with LeaseLostError when the leadership is lost.
   * @example election.campaign('node-1').subscribe((e) => e.type === 'elected' && startLeading(e.leadership))
   */
  campaign(value: Bytes, given?: CampaignOptions): Observable<CampaignEvent> {
    return defer(() => {
      const wireValue = encodeBytes(checkValue(value));
      const ttl = checkTtl(optionsOf(given, 'campaign').ttl ?? DEFAULT_HOLD_TTL);
      const resignation: Resignation = { started: new Subject<void>(), ended: new Subject<void>() };
      const leading = holdUnderLease(this.deps, ttl, (leaseId) =>
        this.deps.waiting.waitOn('/v3/election/campaign', { name: this.wireName, lease: leaseId, value: wireValue }, decodeCampaignLeader).pipe(
          mergeMap((wireLeader) =>
            readOwnedKey(this.deps.kv, decodeBytes(wireLeader.key), leaseId).pipe(
              map((owned) => {
                if (!owned.some || owned.val.createRevision !== Number(wireLeader.rev)) {
                  throw new LeaseLostError(leaseId, 'key-deleted', 'the election service answered, but the leader key is gone');
                }
                return new Leadership(wireLeader, owned.val.keyBuffer, owned.val.createRevision, leaseId, this.deps, resignation);
              }),
            ),
          ),
        ),
      );
      // Stopping the hold revokes the lease, which deletes the key too: once resigning has begun,
      // the leadership is gone whatever the resign call answers.
      return merge(
        leading.pipe(
          map((leadership): CampaignEvent => ({ type: 'elected', leadership })),
          takeUntil(resignation.started),
        ),
        resignation.ended.pipe(
          take(1),
          map((): CampaignEvent => ({ type: 'resigned' })),
        ),
      );
    });
  }

  /**
   * The current leader, or None when nobody leads.
   * @example election.leader().subscribe((l) => console.log(l.some ? l.val.value : 'no leader'))
   */
  leader(): Observable<Option<Leader>> {
    return defer(() =>
      this.deps.caller.call('/v3/election/leader', { name: this.wireName }, LINEARIZABLE_READ, (json): Option<Leader> => Some(decodeLeader(json))).pipe(
        catchError((error: unknown) => (isNoLeader(error) ? of(None) : throwError(() => error))),
      ),
    );
  }

  /**
   * Who leads, now and at every change (a new leader, or a proclaim), in order, for ever: the
   * stream is re-opened when etcd ends it and moved to another member when its member fails.
   * It says nothing while nobody leads, and completes when the client is closed.
   * @example election.observe().subscribe((l) => console.log(`${l.value} leads since revision ${l.revision}`))
   */
  observe(): Observable<Leader> {
    return this.deps.lifecycle.track(
      defer(() => {
        let last: Leader | undefined;
        return this.deps.waiting.follow('/v3/election/observe', { name: this.wireName }).pipe(
          map(decodeLeader),
          // A re-opened stream starts with the current leader, which may already have been seen.
          filter((leader) => last === undefined || leader.key !== last.key || leader.modRevision > last.modRevision),
          tap((leader) => (last = leader)),
        );
      }),
      'complete',
    );
  }
}

function decodeLeader(json: unknown): Leader {
  const kv = KeyValue.fromWire(asObject(json, 'leader response').kv);
  return {
    value: kv.value,
    valueBuffer: kv.valueBuffer,
    key: kv.key,
    revision: kv.createRevision,
    modRevision: kv.modRevision,
    leaseId: kv.lease,
  };
}

function decodeCampaignLeader(json: unknown): Record<string, string> {
  const leader = asObject(asObject(json, 'campaign response').leader, 'campaign leader');
  return {
    name: asString(leader.name, 'leader.name'),
    key: asString(leader.key, 'leader.key'),
    rev: String(decodeInt(leader.rev, 'leader.rev')),
    lease: decodeId(leader.lease, 'leader.lease'),
  };
}

function isNoLeader(error: unknown): boolean {
  return error instanceof EtcdServerError && error.message.includes('election: no leader');
}

function isNotLeader(error: unknown): boolean {
  return error instanceof EtcdServerError && error.message.includes('election: not leader');
}
