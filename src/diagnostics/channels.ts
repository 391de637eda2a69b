/**
 * What a client does, told on `node:diagnostics_channel`: every attempt of every call, every
 * failover, watch (re)connections, coalesced batches and re-authentications. Nothing is built or
 * sent while a channel has no subscriber, so a client nobody observes pays one property read per
 * event. APM tools (OpenTelemetry's instrumentations among them) subscribe to such channels;
 * `docs/observability.md` describes each message.
 */
import { channel, Channel } from 'node:diagnostics_channel';

/** The names of the channels a client publishes on. */
export const DIAGNOSTICS_CHANNELS = {
  callStart: 'etcd-rx:call:start',
  callEnd: 'etcd-rx:call:end',
  failover: 'etcd-rx:failover',
  watchConnect: 'etcd-rx:watch:connect',
  watchResume: 'etcd-rx:watch:resume',
  coalesceBatch: 'etcd-rx:coalesce:batch',
  authRefresh: 'etcd-rx:auth:refresh',
} as const;

/** One attempt of a call on one endpoint, as it starts (`etcd-rx:call:start`). */
export interface CallStartMessage {
  /** The operation as etcd's gateway names it: `range`, `put`, `txn`, `lease/grant`, `watch`, `version`… */
  readonly method: string;
  /** The endpoint the attempt is sent to, `http://host:port`. */
  readonly endpoint: string;
  /** 1 for the first attempt of an operation, 2 for its first retry, and so on. */
  readonly attempt: number;
  /** Whether the answer streams (a watch, a snapshot, an election observation). */
  readonly streaming: boolean;
}

/** The same attempt as it ends (`etcd-rx:call:end`). */
export interface CallEndMessage extends CallStartMessage {
  /** Milliseconds from the start of the attempt to its end. */
  readonly durationMs: number;
  /** The failure, when the attempt failed (a typed etcd-rx error, usually). */
  readonly error?: unknown;
  /**
   * True when the attempt was abandoned before it ended: its caller unsubscribed, a deadline
   * passed, a hedge won, or its request timeout or a failed liveness probe cut it
   * (`etcd-rx:failover` tells why when the call moves on).
   */
  readonly cancelled?: boolean;
}

/** An operation leaving an endpoint for another after a failure (`etcd-rx:failover`). */
export interface FailoverMessage {
  /** The operation that moved (see CallStartMessage); absent for a watch's stream, told by `etcd-rx:watch:resume`. */
  readonly method?: string;
  readonly from: string;
  readonly to: string;
  /** What went wrong on `from`. */
  readonly reason: string;
}

/** A watch stream opened for the first time (`etcd-rx:watch:connect`) or again after a break (`etcd-rx:watch:resume`). */
export interface WatchConnectMessage {
  readonly endpoint: string;
  /** The revision the stream starts from (0: from now). */
  readonly fromRevision: number;
  /** The first key of the watched range, as sent (base64), so that watches can be told apart. */
  readonly key: string;
}

/** A batch of coalesced calls sent as one (`etcd-rx:coalesce:batch`). */
export interface CoalesceBatchMessage {
  /** `reads` (linearizable ranges) or `writes` (puts and single-key deletes). */
  readonly kind: 'reads' | 'writes';
  /** How many requests the batch carries (equal reads asked once count once). */
  readonly size: number;
}

/** A call refused for its auth token, re-sent with a new one (`etcd-rx:auth:refresh`). */
export interface AuthRefreshMessage {
  readonly method: string;
  readonly endpoint: string;
}

/**
 * One channel, published on only when someone listens: `message` is built only then.
 * @example const failovers = new Publisher<FailoverMessage>(DIAGNOSTICS_CHANNELS.failover); failovers.publish(() => ({ method, from, to, reason }))
 */
export class Publisher<M extends object> {
  private readonly channel: Channel;

  constructor(name: string) {
    this.channel = channel(name);
  }

  /** Whether anyone listens now. */
  get active(): boolean {
    return this.channel.hasSubscribers;
  }

  publish(message: () => M): void {
    if (this.channel.hasSubscribers) this.channel.publish(message());
  }
}

/** The client's publishers, one per channel (channels are process-wide: every client publishes on the same ones). */
export const diagnostics = {
  callStart: new Publisher<CallStartMessage>(DIAGNOSTICS_CHANNELS.callStart),
  callEnd: new Publisher<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd),
  failover: new Publisher<FailoverMessage>(DIAGNOSTICS_CHANNELS.failover),
  watchConnect: new Publisher<WatchConnectMessage>(DIAGNOSTICS_CHANNELS.watchConnect),
  watchResume: new Publisher<WatchConnectMessage>(DIAGNOSTICS_CHANNELS.watchResume),
  coalesceBatch: new Publisher<CoalesceBatchMessage>(DIAGNOSTICS_CHANNELS.coalesceBatch),
  authRefresh: new Publisher<AuthRefreshMessage>(DIAGNOSTICS_CHANNELS.authRefresh),
};
