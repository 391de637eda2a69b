/**
 * The one record of member health: every call, stream and probe reports what it saw of an
 * endpoint here, and what they report is one state per endpoint. Calls that may leave a member
 * listen to it while in flight, so one caller's proof that a member is gone moves every
 * repeatable call and stream off it at once. Its stream of changes is `etcd.health()`.
 */
import { concat, defer, from, Observable, Subject } from 'rxjs';
import { EndpointState, EndpointStateChange, HealthEvent } from '../health';

/**
 * The health of a client's endpoints.
 * @example const health = new MemberHealth(['http://127.0.0.1:2379']); health.set('http://127.0.0.1:2379', 'demoted', 'refused')
 */
export class MemberHealth {
  private readonly states = new Map<string, EndpointStateChange>();
  private readonly changes = new Subject<HealthEvent>();
  // Plain callbacks, not subscribers of `changes`: every call and watch in flight listens, and a
  // client may hold thousands of watches.
  private readonly demotionListeners = new Map<string, Set<(change: EndpointStateChange) => void>>();

  constructor(endpoints: readonly string[], now = new Date()) {
    for (const endpoint of endpoints) this.states.set(endpoint, { type: 'endpoint', endpoint, state: 'healthy', reason: 'no failure seen yet', since: now });
  }

  /** The state of `endpoint` now. */
  stateOf(endpoint: string): EndpointState {
    return this.states.get(endpoint)?.state ?? 'healthy';
  }

  /** Records that `endpoint` is in `state`; a change is told to every listener. */
  set(endpoint: string, state: EndpointState, reason: string): void {
    if (this.stateOf(endpoint) === state) return;
    const change: EndpointStateChange = { type: 'endpoint', endpoint, state, reason, since: new Date() };
    this.states.set(endpoint, change);
    this.changes.next(change);
    if (state === 'demoted') for (const listener of [...(this.demotionListeners.get(endpoint) ?? [])]) listener(change);
  }

  /** Records that a call or stream left `from` after `error`. */
  failedOver(from: string, error: unknown): void {
    this.changes.next({ type: 'failover', from, reason: error instanceof Error ? error.message : String(error), at: new Date() });
  }

  /**
   * Every endpoint's current state at once, then every change and failover, until close().
   * @example health.events().subscribe(console.log)
   */
  events(): Observable<HealthEvent> {
    return defer(() => concat(from([...this.states.values()]), this.changes));
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

  /** Completes every listener. */
  close(): void {
    this.changes.complete();
  }
}
