/** The client's options and their defaults. */
import { EtcdInvalidArgumentError } from './errors';

/** Options of `new Etcd(...)`. Every field is optional. */
export interface EtcdOptions {
  /**
   * The members' client URLs: an array, or one string separated by commas, semicolons or
   * spaces. Defaults to `ETCD_SERVERS`, then `ETCDCTL_ENDPOINTS`, then http://127.0.0.1:2379.
   */
  readonly endpoints?: string | readonly string[];
  /** How long one attempt on one endpoint may take (default 5000 ms). */
  readonly requestTimeoutMs?: number;
  /**
   * The longest a unary operation may take, every retry and backoff included (default three
   * request timeouts). Each call can set its own (`{ deadlineMs }` in its options). Streams
   * (watch, keep-alive, observe) and waits for a lock or a leadership keep their own rules.
   */
  readonly deadlineMs?: number;
  /** How long an endpoint that failed is avoided (default 5000 ms). */
  readonly demoteMs?: number;
  /**
   * A write to an endpoint silent for longer than this is preceded by a liveness probe; a read is
   * sent at once, and its member probed only when the read is not answered within 100 ms (default 3000 ms).
   */
  readonly probeAfterIdleMs?: number;
  /**
   * A repeatable call (a read, a lease renewal) still unanswered after this long makes its
   * member suspect: the member is sent a liveness probe, and the call leaves it for another
   * member when the probe goes unanswered too (default 1000 ms). So a read leaves a frozen member
   * after about `stallCheckAfterMs + probeTimeoutMs`; a member that is only slow is waited for.
   * Writes always wait for their answer, up to `requestTimeoutMs`.
   */
  readonly stallCheckAfterMs?: number;
  /** How long a liveness probe (`GET /version`) may take before its member counts as gone (default 1000 ms). */
  readonly probeTimeoutMs?: number;
  /**
   * How often the member of a call that waits on the server (taking a lock, campaigning,
   * observing) is probed while it waits (default 1000 ms).
   */
  readonly waitProbeEveryMs?: number;
  /** How long such a probe may take before the waiting call leaves its member (default 1500 ms). */
  readonly waitProbeTimeoutMs?: number;
  /** Retry policy; see RetryPolicy for each field (defaults: 8 attempts, 50 ms base, 1000 ms cap, jitter 0.3). */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * What carries watches: `'websocket'` (one multiplexed socket per endpoint), `'http'` (one
   * streaming request per watch), or `'auto'` (default: WebSocket, and HTTP for an endpoint
   * whose WebSocket upgrade is refused; with `auth`, HTTP on a member older than etcd 3.5.32 /
   * 3.6.13, whose WebSocket gateway cannot pass the token on).
   */
  readonly watchTransport?: WatchTransport;
  /**
   * How often a member serving watches is asked for progress and status (default 2000 ms). A
   * frozen member, or one cut off from its leader, is left within about twice this.
   */
  readonly watchProgressIntervalMs?: number;
  /** A watch that no member could serve for this long fails with EtcdAllEndpointsFailedError (default 60000 ms). */
  readonly watchGiveUpAfterMs?: number;
  /**
   * Send linearizable `get`/`range` calls made while others are in flight as one read-only
   * transaction (default true); a lone call goes at once. Each caller still gets exactly its own
   * answer or error; see "Coalescing" in docs/reference.md.
   */
  readonly coalesceReads?: boolean;
  /**
   * Send concurrent `put`/`delete` calls on different keys as one transaction (default true).
   * They then share one revision: a watcher sees them as one change. Off: one request per write.
   */
  readonly coalesceWrites?: boolean;
  /**
   * How long calls are gathered before their batch is sent (default 0: a call that finds none of
   * its kind in flight goes at once, the calls made while others are in flight gather for the
   * turn of the event loop).
   */
  readonly coalesceWindowMs?: number;
  /**
   * A user name and password, for a cluster with authentication enabled. The client gets a
   * token on first use, sends it with every call and stream, and gets a new one when it
   * expires. With it, watches go over HTTP streams on members whose WebSocket gateway cannot
   * carry the token (before etcd 3.5.32 / 3.6.13), so `watchTransport: 'websocket'` is refused.
   */
  readonly auth?: AuthOptions;
  /**
   * TLS for `https://` endpoints (and `host:port` ones, which then mean https://): the CA that
   * signed the members' certificates, a client certificate and key for `--client-cert-auth`,
   * `serverName` when the certificates name another host, `rejectUnauthorized: false` to accept
   * any certificate (tests only). PEM strings or Buffers. The servers' certificates and host
   * names are verified by default.
   */
  readonly tls?: TlsOptions;
}

/** How often and how patiently a failed call is tried again. */
export interface RetryPolicy {
  /** Attempts in all, across endpoints (at least one per endpoint is always made). */
  readonly attempts: number;
  /** Delay before the second sweep over the endpoints; doubles each sweep. */
  readonly backoffBaseMs: number;
  /** The longest delay between sweeps. */
  readonly backoffCapMs: number;
  /** Fraction (0..1) of each delay that is randomised, so clients do not retry in lockstep. */
  readonly jitter: number;
}

/** Which transport carries watches. */
export type WatchTransport = 'auto' | 'websocket' | 'http';

/** A user name and password of etcd's authentication (`etcdctl --user name:password`). */
export interface AuthOptions {
  readonly username: string;
  readonly password: string;
}

/** PEM text, as a string or the bytes of a file. */
export type Pem = string | Buffer;

/** The `tls` option of `new Etcd(...)`. */
export interface TlsOptions {
  /** The CA(s) that signed the servers' certificates (default: Node's trusted CAs). */
  readonly ca?: Pem | readonly Pem[];
  /** The client certificate, for a cluster run with `--client-cert-auth`. Needs `key`. */
  readonly cert?: Pem;
  /** The client certificate's private key. */
  readonly key?: Pem;
  /** The host name the servers' certificates must name, when it is not the endpoint's host. */
  readonly serverName?: string;
  /** Verify the servers' certificates (default true). false accepts any certificate: tests only. */
  readonly rejectUnauthorized?: boolean;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly requestTimeoutMs: number;
  readonly deadlineMs: number;
  readonly demoteMs: number;
  readonly probeAfterIdleMs: number;
  readonly stallCheckAfterMs: number;
  readonly probeTimeoutMs: number;
  readonly waitProbeEveryMs: number;
  readonly waitProbeTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly watchTransport: WatchTransport;
  readonly watchProgressIntervalMs: number;
  readonly watchGiveUpAfterMs: number;
  readonly coalesceReads: boolean;
  readonly coalesceWrites: boolean;
  readonly coalesceWindowMs: number;
}

// A hung member costs one request timeout; three leave room for two such failovers and backoff.
const DEADLINE_REQUEST_TIMEOUTS = 3;

/** The defaults, chosen for a cluster on a LAN: a hung member costs at most 5 s once. */
export const DEFAULTS: ResolvedOptions = {
  requestTimeoutMs: 5000,
  deadlineMs: 15_000,
  demoteMs: 5000,
  probeAfterIdleMs: 3000,
  // Far longer than a healthy read takes, even under load; short next to a request timeout.
  stallCheckAfterMs: 1000,
  // A live member answers /version in well under a millisecond; waiting longer only delays failover.
  probeTimeoutMs: 1000,
  waitProbeEveryMs: 1000,
  waitProbeTimeoutMs: 1500,
  retry: { attempts: 8, backoffBaseMs: 50, backoffCapMs: 1000, jitter: 0.3 },
  watchTransport: 'auto',
  watchProgressIntervalMs: 2000,
  watchGiveUpAfterMs: 60_000,
  coalesceReads: true,
  coalesceWrites: true,
  coalesceWindowMs: 0,
};

/**
 * Fills in defaults and refuses nonsense, naming the option.
 * @example resolveOptions({ requestTimeoutMs: 2000 }).retry.attempts // 8
 */
export function resolveOptions(options: EtcdOptions): ResolvedOptions {
  const retry = { ...DEFAULTS.retry, ...options.retry };
  const requestTimeoutMs = positive(options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs, 'requestTimeoutMs');
  const resolved: ResolvedOptions = {
    requestTimeoutMs,
    deadlineMs: positive(options.deadlineMs ?? DEADLINE_REQUEST_TIMEOUTS * requestTimeoutMs, 'deadlineMs'),
    demoteMs: positive(options.demoteMs ?? DEFAULTS.demoteMs, 'demoteMs', 0),
    probeAfterIdleMs: positive(options.probeAfterIdleMs ?? DEFAULTS.probeAfterIdleMs, 'probeAfterIdleMs', 0),
    stallCheckAfterMs: positive(options.stallCheckAfterMs ?? DEFAULTS.stallCheckAfterMs, 'stallCheckAfterMs'),
    probeTimeoutMs: positive(options.probeTimeoutMs ?? DEFAULTS.probeTimeoutMs, 'probeTimeoutMs'),
    waitProbeEveryMs: positive(options.waitProbeEveryMs ?? DEFAULTS.waitProbeEveryMs, 'waitProbeEveryMs', 10),
    waitProbeTimeoutMs: positive(options.waitProbeTimeoutMs ?? DEFAULTS.waitProbeTimeoutMs, 'waitProbeTimeoutMs'),
    retry: {
      attempts: positive(retry.attempts, 'retry.attempts', 1),
      backoffBaseMs: positive(retry.backoffBaseMs, 'retry.backoffBaseMs', 0),
      backoffCapMs: positive(retry.backoffCapMs, 'retry.backoffCapMs', 0),
      jitter: positive(retry.jitter, 'retry.jitter', 0),
    },
    watchTransport: transport(options.watchTransport ?? DEFAULTS.watchTransport, options.auth !== undefined),
    watchProgressIntervalMs: positive(options.watchProgressIntervalMs ?? DEFAULTS.watchProgressIntervalMs, 'watchProgressIntervalMs', 10),
    watchGiveUpAfterMs: positive(options.watchGiveUpAfterMs ?? DEFAULTS.watchGiveUpAfterMs, 'watchGiveUpAfterMs', 0),
    coalesceReads: flag(options.coalesceReads ?? DEFAULTS.coalesceReads, 'coalesceReads'),
    coalesceWrites: flag(options.coalesceWrites ?? DEFAULTS.coalesceWrites, 'coalesceWrites'),
    coalesceWindowMs: positive(options.coalesceWindowMs ?? DEFAULTS.coalesceWindowMs, 'coalesceWindowMs', 0),
  };
  if (resolved.retry.jitter > 1) throw new EtcdInvalidArgumentError(`retry.jitter must be between 0 and 1, got ${resolved.retry.jitter}`);
  return resolved;
}

function transport(value: unknown, authenticated: boolean): WatchTransport {
  if (authenticated && value === 'websocket') {
    throw new EtcdInvalidArgumentError(
      "option watchTransport 'websocket' cannot be used with auth: etcd's WebSocket gateway passes the token on only from 3.5.32 / 3.6.13 ('auto' chooses per member)",
    );
  }
  if (value === 'auto' || value === 'websocket' || value === 'http') return value;
  throw new EtcdInvalidArgumentError(`option watchTransport must be 'auto', 'websocket' or 'http', got ${String(value)}`);
}

function flag(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new EtcdInvalidArgumentError(`option ${name} must be true or false, got ${String(value)}`);
  return value;
}

function positive(value: unknown, name: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new EtcdInvalidArgumentError(`option ${name} must be a number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Checks the `auth` option, naming what is wrong (never showing the password).
 * @example authOption({ username: 'app', password: 'secret' })
 */
export function authOption(value: unknown): AuthOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new EtcdInvalidArgumentError(`option auth must be { username, password }, got ${typeof value}`);
  const { username, password } = value as Record<string, unknown>;
  if (typeof username !== 'string' || username === '') throw new EtcdInvalidArgumentError('option auth.username must be a non-empty string');
  if (typeof password !== 'string') throw new EtcdInvalidArgumentError(`option auth.password must be a string, got ${typeof password}`);
  return { username, password };
}
