/**
 * Leader election as streams, on etcd's Election service: campaigning is subscribing (events:
 * elected, then resigned; losing is a LeaseLostError), resigning is unsubscribing, and `observe`
 * is an endless stream of who leads, including changes between other nodes.
 */
import { catchError, defer, filter, map, merge, mergeMap, Observable, of, Subject, take, takeUntil, tap, throwError } from 'rxjs';
import { None, Option, Some } from 'ts-results';
import { CallOptions } from '../call-options';
import { EtcdServerError, LeaseLostError } from '../errors';
import { checkKey, checkValue, Key } from '../kv/key-selector';
import { optionsOf } from '../validate';
import { WireKeyValue } from '../kv/wire-key-value';
import { checkTtl } from '../lease/lease-calls';
import { Lifecycle } from '../resilience/lifecycle';
import { printsAs, textOrBytes } from '../prints-as';
import { LINEARIZABLE_READ } from '../resilience/retry-policy';
import { WaitingCalls } from '../resilience/waiting-caller';
import { asObject, asString, Bytes, decodeBytes, decodeId, decodeInt, encodeBytes } from '../transport/codec';
import { DEFAULT_HOLD_TTL, HoldDeps, holdUnderLease, readOwnedKey } from './hold';
import { HeldLeadership, LeadershipDeps, Resignation } from './leadership';
import { CampaignEvent, CampaignOptions, Election, Leader } from './types';

/** What the election services need from the client. */
export interface ElectionDeps extends HoldDeps, LeadershipDeps {
  readonly waiting: WaitingCalls;
  readonly lifecycle: Lifecycle;
}

/**
 * One election, named, on etcd's Election service.
 * @example new NamedElection('scheduler', deps).observe()
 */
export class NamedElection implements Election {
  // Not private: printsAs below reads it.
  readonly wireName: string;

  constructor(
    name: Key,
    private readonly deps: ElectionDeps,
  ) {
    this.wireName = encodeBytes(checkKey(name, 'election name'));
  }

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
                return new HeldLeadership(wireLeader, owned.val.keyBuffer, owned.val.createRevision, leaseId, this.deps, resignation);
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

  leader(options?: CallOptions): Observable<Option<Leader>> {
    return defer(() =>
      this.deps.caller
        .call('/v3/election/leader', { name: this.wireName }, LINEARIZABLE_READ, (json): Option<Leader> => Some(decodeLeader(json)), options)
        .pipe(catchError((error: unknown) => (isNoLeader(error) ? of(None) : throwError(() => error)))),
    );
  }

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

printsAs(NamedElection, 'Election', (election) => ({ name: textOrBytes(decodeBytes(election.wireName)) }));

function decodeLeader(json: unknown): Leader {
  const kv = WireKeyValue.fromWire(asObject(json, 'leader response').kv);
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
