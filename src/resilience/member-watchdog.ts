/**
 * Keeps long-lived streams honest. A stream can go silent without any error: a frozen member
 * still accepts TCP connections (the kernel does) and simply never answers, and a member cut off
 * from its leader keeps its streams open but receives no new revisions. So while streams run on
 * a member, the member monitor asks it its status every so often: no answer in time, or an answer
 * without a leader (measured on 3.4: `leader` then disappears and `errors` says "no leader"
 * within about two seconds), fails every stream on it, which then resume elsewhere. From etcd
 * 3.5.x `maintenance/status` is for admins only: a user without the root role is answered
 * "permission denied" (measured on 3.5.30), which proves the member alive but cannot say whether
 * it knows a leader; its streams' `hasleader` header still ends them when it loses its leader.
 */
import { catchError, ignoreElements, map, merge, Observable, of, OperatorFunction, throwError } from 'rxjs';
import { EtcdPermissionDeniedError, EtcdProtocolError, EtcdUnavailableError } from '../errors';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { StatusSeen } from './member-monitor';
import { demotion } from './retry-loop';

/**
 * The streams' watch over their members, on the member monitor's probe loops.
 * @example merge(stream$, watchdog.guard(endpoint)) // fails when the member hangs or loses its leader
 */
export class MemberWatchdog {
  /** @param everyMs how often a member is asked; a question unanswered after as long fails it. */
  constructor(
    private readonly pool: EndpointPool,
    private readonly everyMs: number,
  ) {}

  /**
   * Never emits; errors (EtcdTimeoutError, EtcdUnavailableError) when the member stops answering
   * or knows no leader, or once anything demotes it (a call that failed on it, another stream).
   * One question runs per member and tick however many streams guard it, and only while one does.
   */
  guard(endpoint: Endpoint): Observable<never> {
    const unfit = this.pool.monitor
      .watch(endpoint, this.everyMs, () => this.pool.monitor.status(endpoint, this.everyMs).pipe(fitness(endpoint)))
      .pipe(ignoreElements());
    return merge(unfit, demotion(this.pool, endpoint));
  }
}

/** A status question as a verdict on the member: fine, or an error saying why not. */
function fitness(endpoint: Endpoint): OperatorFunction<StatusSeen | undefined, void> {
  return (question) =>
    question.pipe(
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
