/**
 * Does any member know a leader? Asked of every endpoint at once (`/v3/maintenance/status`) while
 * a call keeps failing, so that when it gives up it can say "the cluster has no leader" (quorum
 * lost, or an election that never ends) instead of a generic "all endpoints failed". A member
 * cut off from its quorum drops its leader after an election timeout, so the question has a
 * clear answer by the time a call's retries run out.
 */
import { catchError, forkJoin, map, Observable, of } from 'rxjs';
import { EtcdTimeoutError } from '../errors';
import { postJson } from '../transport/http-call';
import { Endpoint } from './endpoint-pool';
import { timeLimit } from './time-limit';

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
 * Asks every endpoint's status within `timeoutMs` and sorts the endpoints by what they said.
 * @example lookForLeader(pool.endpoints, 1000).subscribe((s) => console.log(noLeader(s)))
 */
export function lookForLeader(endpoints: readonly Endpoint[], timeoutMs: number): Observable<LeaderSighting> {
  const asked = endpoints.map((endpoint) =>
    postJson(endpoint, '/v3/maintenance/status', {}).pipe(
      timeLimit(timeoutMs, () => new EtcdTimeoutError(timeoutMs, true, { endpoint: endpoint.url, what: 'status' })),
      map((json) => (knowsLeader(json) ? ('withLeader' as const) : ('leaderless' as const))),
      catchError(() => of('silent' as const)),
      map((verdict) => ({ url: endpoint.url, verdict })),
    ),
  );
  return forkJoin(asked).pipe(
    map((answers) => ({
      withLeader: answers.filter((a) => a.verdict === 'withLeader').map((a) => a.url),
      leaderless: answers.filter((a) => a.verdict === 'leaderless').map((a) => a.url),
      silent: answers.filter((a) => a.verdict === 'silent').map((a) => a.url),
    })),
  );
}

// proto3 leaves a zero leader id out of the JSON; "0" would mean the same.
function knowsLeader(json: unknown): boolean {
  const leader = typeof json === 'object' && json !== null ? (json as { leader?: unknown }).leader : undefined;
  return leader !== undefined && leader !== '0' && leader !== 0;
}
