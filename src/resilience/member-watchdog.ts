/**
 * Keeps long-lived streams honest. A stream can go silent without any error: a frozen member
 * still accepts TCP connections (the kernel does) and simply never answers, and a member cut off
 * from its leader keeps its streams open but receives no new revisions. So while streams run on
 * a member, it is asked `maintenance/status` every so often: no answer in time, or an answer
 * without a leader (measured on 3.4: `leader` then disappears and `errors` says "no leader"
 * within about two seconds), fails every stream on it, which then resume elsewhere. From etcd
 * 3.5.x `maintenance/status` is for admins only: a user without the root role is answered
 * "permission denied" (measured on 3.5.30), which proves the member alive but cannot say whether
 * it knows a leader; its streams' `hasleader` header still ends them when it loses its leader.
 */
import { catchError, exhaustMap, ignoreElements, interval, map, Observable, of, share, throwError } from 'rxjs';
import { EtcdPermissionDeniedError, EtcdProtocolError, EtcdUnavailableError } from '../errors';
import { Endpoint, EndpointPool } from './endpoint-pool';

/**
 * One status probe per member and interval, shared by every stream on that member.
 * @example merge(stream$, watchdog.guard(endpoint)) // fails when the member hangs or loses its leader
 */
export class MemberWatchdog {
  private readonly guards = new Map<Endpoint, Observable<never>>();

  /** @param everyMs how often a member is probed; a probe unanswered after as long fails it. */
  constructor(
    private readonly pool: EndpointPool,
    private readonly everyMs: number,
  ) {}

  /**
   * Never emits; errors (EtcdTimeoutError, EtcdUnavailableError) when the member stops answering
   * or knows no leader. One probe runs per member however many subscribers there are, and only
   * while there is one.
   */
  guard(endpoint: Endpoint): Observable<never> {
    let guard = this.guards.get(endpoint);
    if (guard === undefined) {
      guard = interval(this.everyMs, this.pool.clock).pipe(
        exhaustMap(() => checkMember(this.pool, endpoint, this.everyMs)),
        ignoreElements(),
        share(),
      );
      this.guards.set(endpoint, guard);
    }
    return guard;
  }
}

/**
 * Asks one member whether it is alive and knows a leader.
 * @example checkMember(pool, endpoint, 2000).subscribe({ error: (e) => console.log('unhealthy', e.message) })
 */
export function checkMember(pool: EndpointPool, endpoint: Endpoint, timeoutMs: number): Observable<void> {
  return pool.monitor
    .ask((attempt) => pool.send(attempt), endpoint, timeoutMs)
    .pipe(
      map((seen) => {
        if (seen === undefined)
          throw new EtcdProtocolError(`${endpoint.url} answered its status with something that is not a status`, { endpoint: endpoint.url });
        if (!seen.leaderKnown) {
          throw new EtcdUnavailableError(`${endpoint.url} knows no leader (it is cut off from the cluster)`, true, { endpoint: endpoint.url });
        }
      }),
      // Refused for the user's role, not for its token (re-authentication saw to that): an answer
      // all the same. etcd 3.5 refuses a status question to every user but root.
      catchError((error: unknown) => (error instanceof EtcdPermissionDeniedError ? of(undefined) : throwError(() => error))),
    );
}
