/**
 * The one record of member health: every call, stream and probe reports what it saw of an
 * endpoint here, and what they report is one state per endpoint. Calls that may leave a member
 * listen to it while in flight, so one caller's proof that a member is gone moves every
 * repeatable call and stream off it at once. Its stream of changes is `etcd.endpointStates()`.
 */
import { concat, defer, from, Observable, SchedulerLike, Subject } from 'rxjs';
import { EndpointState, EndpointStateChange, EndpointEvent, MemberLearned } from '../endpoint-states';

/**
 * The health of a client's endpoints.
 * @example const health = new MemberHealth(['http://127.0.0.1:2379'], asyncScheduler); health.set('http://127.0.0.1:2379', 'demoted', 'refused')
 */
export class MemberHealth {
  private readonly states = new Map<string, EndpointStateChange>();
  private readonly changes = new Subject<EndpointEvent>();
  // Plain callbacks, not subscribers of `changes`: every call and watch in flight listens, and a
  // client may hold thousands of watches.
  private readonly demotionListeners = new Map<string, Set<(change: EndpointStateChange) => void>>();

  /**
   * @param clock what the events' times are read on
   * @param learned what the member monitor last heard from an endpoint's member, told with its state
   */
  constructor(
    endpoints: readonly string[],
    private readonly clock: SchedulerLike,
    private readonly learned: (endpoint: string) => MemberLearned = () => ({}),
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
    const told = this.told(change);
    this.changes.next(told);
    if (state === 'demoted') for (const listener of [...(this.demotionListeners.get(endpoint) ?? [])]) listener(told);
  }

  /** Records that a call or stream left `from` after `error`. */
  failedOver(from: string, error: unknown): void {
    this.changes.next({ type: 'failover', from, reason: error instanceof Error ? error.message : String(error), at: this.date() });
  }

  /**
   * Every endpoint's current state at once, then every change and failover, until close().
   * @example health.events().subscribe(console.log)
   */
  events(): Observable<EndpointEvent> {
    return defer(() => concat(from([...this.states.values()].map((state) => this.told(state))), this.changes));
  }

  /**
   * Calls `listener` whenever `endpoint` is demoted from now on, until the returned function is called.
   * @example const stop = health.whenDemoted(url, (change) => leave(change.reason)); ...; stop()
   */
  whenDemoted(endpoint: string, listener: (change: EndpointStateChange) => void): () => void {
    let listeners = this.demotionListeners.get(endpoint);
    if (listeners === undefined) this.demotionListeners.set(endpoint, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** `change` with what the member last said of itself, the fields it never said left out. */
  private told(change: EndpointStateChange): EndpointStateChange {
    const { version, raftTerm, leaderKnown } = this.learned(change.endpoint);
    return {
      ...change,
      ...(version === undefined ? {} : { version }),
      ...(raftTerm === undefined ? {} : { raftTerm }),
      ...(leaderKnown === undefined ? {} : { leaderKnown }),
    };
  }

  private date(): Date {
    return new Date(this.clock.now());
  }

  /** Completes every listener. */
  close(): void {
    this.changes.complete();
  }
}
