/**
 * What the client last heard from each member when it asked its status: whether it answered,
 * whether it knows a leader, its raft term and its etcd version. Every status question the
 * client asks by itself (a stream's watchdog, a failing call's leader sighting) is asked here and
 * decoded once, so every liveness question reads the same record.
 */
import { map, Observable, SchedulerLike, tap } from 'rxjs';
import { EtcdPermissionDeniedError, EtcdTimeoutError } from '../errors';
import { Send } from '../pipeline/attempt';
import { HttpEndpoint } from '../transport/http-endpoint';
import { timeLimit } from './time-limit';

/** What one member said of itself. */
export interface MemberReport {
  readonly endpoint: string;
  /** Whether its last status question was answered in time. */
  readonly reachable: boolean;
  /** Whether it follows (or is) a leader; undefined until it answered once. */
  readonly leaderKnown?: boolean;
  readonly raftTerm?: number;
  /** Its etcd version (`3.4.33`); undefined until it answered once. */
  readonly version?: string;
  /** When it was last asked (the monitor's clock, ms); 0 when never. */
  readonly at: number;
}

/** A status answer, decoded: what the monitor keeps of it. */
export interface StatusSeen {
  readonly leaderKnown: boolean;
  readonly raftTerm: number;
  readonly version: string;
}

/**
 * The one reading of "does this member know a leader" (and its term and version) from a status
 * answer; undefined for an answer that is not a member's status (only a real member saying "no
 * leader" may count as leaderless). proto3 leaves a zero leader id out of the JSON; "0" would
 * mean the same.
 * @example readStatus({ header: {}, version: '3.4.33', leader: '42', raftTerm: '3' }) // { leaderKnown: true, raftTerm: 3, version: '3.4.33' }
 */
export function readStatus(json: unknown): StatusSeen | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { leader, version, header, raftTerm } = json as { leader?: unknown; version?: unknown; header?: unknown; raftTerm?: unknown };
  if (typeof version !== 'string' || typeof header !== 'object' || header === null) return undefined;
  return { leaderKnown: leader !== undefined && leader !== '0' && leader !== 0, raftTerm: Number(raftTerm ?? 0), version };
}

/**
 * The members' last reports.
 * @example monitor.ask(send, endpoint, 1000).subscribe((s) => console.log(s?.version)); monitor.report(endpoint.url).version
 */
export class MemberMonitor {
  private readonly reports = new Map<string, MemberReport>();

  /** @param clock the clock of the reports and the time limits (the client's) */
  constructor(
    endpoints: readonly string[],
    private readonly clock: SchedulerLike,
  ) {
    for (const endpoint of endpoints) this.reports.set(endpoint, { endpoint, reachable: true, at: 0 });
  }

  /** The last report of `endpoint`. */
  report(endpoint: string): MemberReport {
    return this.reports.get(endpoint) ?? { endpoint, reachable: true, at: 0 };
  }

  /**
   * Asks `endpoint` its status within `timeoutMs` and records the answer (or the silence):
   * emits what it said (undefined for an answer that is not a status), errors with
   * EtcdTimeoutError when it stays silent, or with the failure of the request.
   */
  ask(send: Send, endpoint: HttpEndpoint, timeoutMs: number): Observable<StatusSeen | undefined> {
    const exchange = { kind: 'post', path: '/v3/maintenance/status', body: {} } as const;
    return send({ method: 'maintenance/status', endpoint, attempt: 1, exchange }).pipe(
      timeLimit(timeoutMs, () => new EtcdTimeoutError(timeoutMs, true, { endpoint: endpoint.url, what: 'status' }), this.clock),
      map(readStatus),
      tap({
        next: (seen) => this.reports.set(endpoint.url, { endpoint: endpoint.url, reachable: true, ...seen, at: this.clock.now() }),
        // A refusal for the user's role (etcd 3.5 answers status only to root) is an answer too.
        error: (error: unknown) =>
          this.reports.set(endpoint.url, { ...this.report(endpoint.url), reachable: error instanceof EtcdPermissionDeniedError, at: this.clock.now() }),
      }),
    );
  }
}
