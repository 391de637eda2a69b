/**
 * Does any member know a leader? Asked of every endpoint at once, through the member monitor,
 * while a call keeps failing, so that when it gives up it can say "the cluster has no leader"
 * (quorum lost, or an election that never ends) instead of a generic "all endpoints failed". A
 * member cut off from its quorum drops its leader after an election timeout, so the question has
 * a clear answer by the time a call's retries run out. The monitor remembers what each member
 * said; the lookout only asks it and reads its reports.
 */
import { Subscription } from 'rxjs';
import { EtcdAllEndpointsFailedError, EtcdQuorumLostError, EtcdTimeoutError, EtcdUnavailableError } from '../errors';
import { EndpointPool } from './endpoint-pool';
import { FRESH_ANSWER_MS, MemberReport, stillStands } from './member-monitor';

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

/**
 * What the members' reports say about their leader since `since`: a member counts by its last
 * status answer if it came at most FRESH_ANSWER_MS before then (an answer the monitor still gives
 * as new) and it has not fallen silent since; it is silent otherwise.
 * @example sightingSince(pool.endpoints.map((e) => pool.monitor.report(e.url)), startedAt)
 */
export function sightingSince(reports: readonly MemberReport[], since: number): LeaderSighting {
  const told = (knows: boolean) => (report: MemberReport) =>
    stillStands(report, report.statusAt) && report.statusAt >= since - FRESH_ANSWER_MS && report.leaderKnown === knows;
  const urls = (which: (report: MemberReport) => boolean) => reports.filter(which).map((report) => report.endpoint);
  const withLeader = told(true);
  const leaderless = told(false);
  return { withLeader: urls(withLeader), leaderless: urls(leaderless), silent: urls((report) => !withLeader(report) && !leaderless(report)) };
}

/**
 * Watches one operation for a lost quorum: each failed attempt asks the member monitor, in the
 * background, for every member's status (the monitor joins a question already in flight and
 * gives an answer heard a moment ago again, so a burst of failing calls costs one request per
 * member), so that giving up costs no extra time and can say why.
 * @example const lookout = new LeaderLookout(pool, 500, pool.now()); lookout.failed(error); ...; lookout.explain(error)
 */
export class LeaderLookout {
  // Made at the first question: most operations never ask one.
  private asking: Subscription | undefined;
  private failures = 0;

  constructor(
    private readonly pool: EndpointPool,
    private readonly timeoutMs: number,
    private readonly startedAt: number,
  ) {}

  /**
   * An attempt failed. From the second failure of a timeout or an unavailable member on (one
   * alone is an ordinary failover), ask every member's status again.
   */
  failed(error: unknown): void {
    if (!(error instanceof EtcdTimeoutError || error instanceof EtcdUnavailableError) || ++this.failures < 2) return;
    // Silence is the monitor's to record: the report says so, and the member counts as silent.
    const asking = (this.asking ??= new Subscription());
    for (const endpoint of this.pool.endpoints) asking.add(this.pool.monitor.status(endpoint, this.timeoutMs).subscribe({ error: () => undefined }));
  }

  /**
   * EtcdQuorumLostError when the operation gave up on every endpoint and, of what the members
   * said since the operation began, some answered and none knows a leader; `error` itself otherwise.
   */
  explain(error: unknown): unknown {
    if (!(error instanceof EtcdAllEndpointsFailedError)) return error;
    const sighting = sightingSince(
      this.pool.endpoints.map((endpoint) => this.pool.monitor.report(endpoint.url)),
      this.startedAt,
    );
    return noLeader(sighting) ? new EtcdQuorumLostError(sighting.leaderless, sighting.silent, error.failures) : error;
  }

  /** Stops this operation's questions (the monitor abandons a request nobody else awaits). */
  stop(): void {
    this.asking?.unsubscribe();
  }
}
