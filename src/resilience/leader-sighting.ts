/**
 * Does any member know a leader? Asked of every endpoint at once (`/v3/maintenance/status`) while
 * a call keeps failing, so that when it gives up it can say "the cluster has no leader" (quorum
 * lost, or an election that never ends) instead of a generic "all endpoints failed". A member
 * cut off from its quorum drops its leader after an election timeout, so the question has a
 * clear answer by the time a call's retries run out.
 */
import { catchError, EMPTY, filter, finalize, map, merge, Observable, scan, Subscription } from 'rxjs';
import { EtcdAllEndpointsFailedError, EtcdQuorumLostError, EtcdTimeoutError, EtcdUnavailableError } from '../errors';
import { StatusSeen } from './member-monitor';
import { Endpoint, EndpointPool } from './endpoint-pool';

/** What the members said about their leader. */
export interface LeaderSighting {
  /** Endpoints that answered and follow (or are) a leader. */
  readonly withLeader: readonly string[];
  /** Endpoints that answered and know no leader. */
  readonly leaderless: readonly string[];
  /** Endpoints that did not answer in time. */
  readonly silent: readonly string[];
}

/**
 * Whether the sighting proves there is no leader: some member answered, and none of those that
 * answered knows one.
 * @example if (noLeader(sighting)) throw new EtcdQuorumLostError(...)
 */
export function noLeader(sighting: LeaderSighting): boolean {
  return sighting.leaderless.length > 0 && sighting.withLeader.length === 0;
}

/** How the members of `pool` are asked whether they know a leader. */
export type SightLeader = (endpoints: readonly Endpoint[], timeoutMs: number, pool: EndpointPool) => Observable<LeaderSighting>;

/**
 * Asks every endpoint's status within `timeoutMs` and sorts the endpoints by what they said,
 * emitting the picture again as each answer comes: one member that answers at once should not
 * wait for the silent ones to time out. An endpoint not heard from yet counts as silent.
 * @example lookForLeader(pool.endpoints, 500, pool).subscribe((s) => console.log(noLeader(s)))
 */
export const lookForLeader: SightLeader = (endpoints, timeoutMs, pool) => {
  const asked = endpoints.map((endpoint) =>
    pool.monitor.status(endpoint, timeoutMs).pipe(
      filter((seen): seen is StatusSeen => seen !== undefined),
      map((seen) => ({ url: endpoint.url, knowsLeader: seen.leaderKnown })),
      catchError(() => EMPTY),
    ),
  );
  const urls = endpoints.map((endpoint) => endpoint.url);
  return merge(...asked).pipe(
    scan(
      (sighting, answer) => ({
        withLeader: answer.knowsLeader ? [...sighting.withLeader, answer.url] : sighting.withLeader,
        leaderless: answer.knowsLeader ? sighting.leaderless : [...sighting.leaderless, answer.url],
        silent: sighting.silent.filter((url) => url !== answer.url),
      }),
      { withLeader: [], leaderless: [], silent: urls } as LeaderSighting,
    ),
  );
};

/**
 * One client's latest sighting, shared by all its failing calls: a question in flight serves
 * every call that fails meanwhile, so a burst of failures costs one status request per member.
 */
class SharedSighting {
  latest: { readonly sighting: LeaderSighting; readonly askedAt: number } | undefined;
  private asking = false;

  constructor(
    private readonly pool: EndpointPool,
    private readonly sight: SightLeader,
  ) {}

  ask(timeoutMs: number, now: number): Subscription | undefined {
    if (this.asking) return undefined;
    this.asking = true;
    // The operation that asked may end (and unsubscribe) first: whatever ends it, others may ask again.
    return this.sight(this.pool.endpoints, timeoutMs, this.pool)
      .pipe(finalize(() => (this.asking = false)))
      .subscribe({ next: (sighting) => (this.latest = { sighting, askedAt: now }), error: () => undefined });
  }
}

/**
 * Watches one operation for a lost quorum: each failed attempt asks, in the background, whether
 * any member knows a leader (one question at a time for the whole client), so that giving up
 * costs no extra time and can say why.
 * @example const lookout = new LeaderLookout(pool, 1000, pool.now()); lookout.failed(error, pool.now()); ...; lookout.explain(error)
 */
export class LeaderLookout {
  private readonly sightings: SharedSighting;
  private readonly asking = new Subscription();
  private failures = 0;

  constructor(
    pool: EndpointPool,
    private readonly timeoutMs: number,
    private readonly startedAt: number,
    sight: SightLeader = lookForLeader,
  ) {
    this.sightings = pool.shared(sight, () => new SharedSighting(pool, sight));
  }

  /**
   * An attempt failed. From the second failure of a timeout or an unavailable member on (one
   * alone is an ordinary failover), ask again, unless a question is already in flight.
   */
  failed(error: unknown, now: number): void {
    if (!(error instanceof EtcdTimeoutError || error instanceof EtcdUnavailableError) || ++this.failures < 2) return;
    const asked = this.sightings.ask(this.timeoutMs, now);
    if (asked !== undefined) this.asking.add(asked);
  }

  /**
   * EtcdQuorumLostError when the operation gave up on every endpoint and the latest sighting,
   * asked since the operation began, found no leader; `error` itself otherwise.
   */
  explain(error: unknown): unknown {
    const latest = this.sightings.latest;
    if (!(error instanceof EtcdAllEndpointsFailedError) || latest === undefined || latest.askedAt < this.startedAt || !noLeader(latest.sighting)) return error;
    return new EtcdQuorumLostError(latest.sighting.leaderless, latest.sighting.silent, error.failures);
  }

  /** Stops this operation's question (another operation may ask again). */
  stop(): void {
    this.asking.unsubscribe();
  }
}
