/**
 * The one record of member health: every call, stream and probe reports what it saw of an
 * endpoint here, and what they report is one state per endpoint. Calls that may leave a member
 * listen to it while in flight, so one caller's proof that a member is gone moves every
 * repeatable call and stream off it at once. Its stream of changes is `etcd.health()`.
 */
import { concat, defer, filter, from, Observable, SchedulerLike, Subject } from 'rxjs';
import { EndpointState, EndpointStateChange, HealthEvent } from '../health';

/**
 * The health of a client's endpoints.
 * @example const health = new MemberHealth(['http://127.0.0.1:2379'], asyncScheduler); health.set('http://127.0.0.1:2379', 'demoted', 'refused')
 */
export class MemberHealth {
  private readonly states = new Map<string, EndpointStateChange>();
  private readonly changes = new Subject<HealthEvent>();

  /** @param clock what the events' times are read on */
  constructor(
    endpoints: readonly string[],
    private readonly clock: SchedulerLike,
  ) {
    const since = this.date();
    for (const endpoint of endpoints) this.states.set(endpoint, { type: 'endpoint', endpoint, state: 'healthy', reason: 'no failure seen yet', since });
  }

  /** The state of `endpoint` now. */
  stateOf(endpoint: string): EndpointState {
    return this.states.get(endpoint)?.state ?? 'healthy';
  }

  /** Records that `endpoint` is in `state`; a change is told to every listener. */
  set(endpoint: string, state: EndpointState, reason: string): void {
    if (this.stateOf(endpoint) === state) return;
    const change: EndpointStateChange = { type: 'endpoint', endpoint, state, reason, since: this.date() };
    this.states.set(endpoint, change);
    this.changes.next(change);
  }

  /** Records that a call or stream left `from` after `error`. */
  failedOver(from: string, error: unknown): void {
    this.changes.next({ type: 'failover', from, reason: error instanceof Error ? error.message : String(error), at: this.date() });
  }

  /**
   * Every endpoint's current state at once, then every change and failover, until close().
   * @example health.events().subscribe(console.log)
   */
  events(): Observable<HealthEvent> {
    return defer(() => concat(from([...this.states.values()]), this.changes));
  }

  /** Emits when `endpoint` is demoted from now on. */
  demotions(endpoint: string): Observable<EndpointStateChange> {
    return this.changes.pipe(filter((e): e is EndpointStateChange => e.type === 'endpoint' && e.endpoint === endpoint && e.state === 'demoted'));
  }

  private date(): Date {
    return new Date(this.clock.now());
  }

  /** Completes every listener. */
  close(): void {
    this.changes.complete();
  }
}
