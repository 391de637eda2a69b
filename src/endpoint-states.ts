/**
 * What `etcd.endpointStates()` tells: each endpoint's state as the client sees it, and every time a call
 * or a stream left an endpoint for another. For logs, metrics, or a connection indicator.
 */

/**
 * What the client knows of one endpoint: `healthy` (it answered, or has not failed yet),
 * `suspect` (a call has waited on it for a while and its liveness is being checked) or `demoted`
 * (it failed; calls avoid it until it answers again).
 */
export type EndpointState = 'healthy' | 'suspect' | 'demoted';

/**
 * What the member last said of itself when the client's member monitor asked: its version (told
 * by every liveness probe), its raft term and whether it knows a leader (told by its status,
 * asked while a watch streams from it or calls keep failing; etcd 3.5 tells it to root only).
 * Each field is absent until the member told it once.
 */
export interface MemberLearned {
  /** Its etcd version, such as `3.5.17`. */
  readonly version?: string;
  /** Its raft term: it grows with each election the member saw. */
  readonly raftTerm?: number;
  /** Whether it follows (or is) a leader; false for a member cut off from its quorum. */
  readonly leaderKnown?: boolean;
}

/**
 * One endpoint entering a state, with what its member last said of itself.
 * @example etcd.endpointStates().subscribe((e) => e.type === 'endpoint' && console.log(e.endpoint, e.state, e.reason, e.version))
 */
export interface EndpointStateChange extends MemberLearned {
  readonly type: 'endpoint';
  /** The endpoint's URL, as normalised by the client (`http://host:port`). */
  readonly endpoint: string;
  readonly state: EndpointState;
  /** Why it is in this state: what it answered, or how it failed. */
  readonly reason: string;
  /** When it entered this state. */
  readonly since: Date;
}

/**
 * A call or a stream that failed on `from` and goes on with another endpoint (or gives up, when
 * its retry policy says so).
 * @example etcd.endpointStates().subscribe((e) => e.type === 'failover' && metrics.increment('etcd.failover'))
 */
export interface FailoverEvent {
  readonly type: 'failover';
  /** The endpoint that failed. */
  readonly from: string;
  /** The failure, as one line. */
  readonly reason: string;
  readonly at: Date;
}

/** What `etcd.endpointStates()` emits. */
export type EndpointEvent = EndpointStateChange | FailoverEvent;
