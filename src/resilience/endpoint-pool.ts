/**
 * The endpoints of a client and what is known of their health. Calls stick to the endpoint that
 * answered last; one that fails is demoted (avoided) for a while, and tried again only once its
 * demotion ends or every other endpoint failed too.
 */
import type { Agent as HttpAgent } from 'http';
import { defer, Observable, SchedulerLike, throwError } from 'rxjs';
import * as tls from 'tls';
import { parseEndpoints } from '../endpoints';
import { EtcdClientClosedError, EtcdInvalidArgumentError } from '../errors';
import { MemberHealth } from './member-health';
import { MemberMonitor } from './member-monitor';
import { AnswerOf, Attempt, Door, Exchange } from '../pipeline/attempt';
import { createAgent, HttpEndpoint, TokenSource } from '../transport/http-endpoint';
import type { WsChannel } from '../transport/ws-channel';

/** One member's client URL, its connection pool and its health. */
export class Endpoint implements HttpEndpoint {
  readonly agent: HttpAgent;
  /** Until this time (ms since epoch) the endpoint is avoided. */
  demotedUntil = 0;
  /** When the endpoint last answered anything (ms since epoch); 0 when never. */
  lastAnsweredAt = 0;
  /**
   * Whether its last failure was silence (no answer in time, no connection) rather than an error
   * the member answered: a silent member may be frozen, one that answered is up.
   */
  failedSilently = false;

  constructor(
    readonly url: string,
    readonly index: number,
    readonly tokens?: TokenSource,
    readonly tls?: tls.ConnectionOptions,
  ) {
    this.agent = createAgent(url, tls);
  }
}

/** How long failures are remembered. */
export interface PoolSettings {
  /** How long an endpoint that failed is avoided. */
  readonly demoteMs: number;
  /** The client's auth token, when it authenticates. */
  readonly tokens?: TokenSource;
  /** The client's TLS settings, for `https://` endpoints. */
  readonly tls?: tls.ConnectionOptions;
  /** The way down to the members: the attempt chain and its sockets (built by the composition root). */
  readonly door: Door;
  /**
   * The client's one clock: every timer and timestamp of its calls, probes and streams is read on
   * it (rxjs' async scheduler in a client, a TestScheduler in a unit spec).
   */
  readonly clock: SchedulerLike;
}

/**
 * The endpoint list of one client.
 * @example
 * const pool = new EndpointPool(['http://127.0.0.1:2379'], { demoteMs: 5000, door, clock: asyncScheduler })
 * const endpoint = pool.pick(new Set())
 */
export class EndpointPool {
  readonly endpoints: readonly Endpoint[];
  /** What every call, stream and probe saw of each endpoint (see `etcd.endpointStates()`). */
  readonly health: MemberHealth;
  /** The one place that asks members about themselves, and what each last said: leader, term, version. */
  readonly monitor: MemberMonitor;
  /** The client's one clock (see PoolSettings.clock). */
  readonly clock: SchedulerLike;
  private preferred = 0;
  private isClosed = false;

  constructor(
    urls: readonly string[],
    private readonly settings: PoolSettings,
  ) {
    this.endpoints = urls.map((url, index) => new Endpoint(url, index, settings.tokens, settings.tls));
    this.clock = settings.clock;
    this.monitor = new MemberMonitor(urls, this.clock, (attempt) => this.send(attempt));
    this.health = new MemberHealth(urls, this.clock, (url) => this.monitor.report(url));
  }

  /** The time now on the client's clock (ms): every timestamp the pool keeps is read on it. */
  now(): number {
    return this.clock.now();
  }

  get size(): number {
    return this.endpoints.length;
  }

  /**
   * The endpoint to try next, skipping those already tried by this call: the preferred one if
   * healthy, else the next healthy one in list order, else a demoted one: one that answered its
   * last failure before one that stayed silent, then the one whose demotion ends first.
   */
  pick(tried: ReadonlySet<Endpoint>, now = this.now()): Endpoint {
    const n = this.endpoints.length;
    let fallback: Endpoint | undefined;
    for (let i = 0; i < n; i++) {
      const endpoint = this.endpoints[(this.preferred + i) % n];
      if (tried.has(endpoint)) continue;
      if (endpoint.demotedUntil <= now) return endpoint;
      if (fallback === undefined || ranksBefore(endpoint, fallback)) fallback = endpoint;
    }
    return fallback ?? this.endpoints[this.preferred];
  }

  /**
   * The endpoint that `endpoint` names: a URL, or `host:port` in the scheme of the pool's endpoints.
   * @throws EtcdInvalidArgumentError when it names none of them, or more than one
   * @example pool.named('127.0.0.1:2379').url // 'http://127.0.0.1:2379'
   */
  named(endpoint: string): Endpoint {
    const named = parseEndpoints(endpoint, this.endpoints[0].url.startsWith('https:') ? 'https' : 'http');
    if (named.length !== 1) throw new EtcdInvalidArgumentError(`name one endpoint, not ${named.length}: ${endpoint}`);
    const found = this.endpoints.find((e) => e.url === named[0]);
    if (found === undefined)
      throw new EtcdInvalidArgumentError(`${endpoint} is not one of this client's endpoints (${this.endpoints.map((e) => e.url).join(', ')})`);
    return found;
  }

  /** Records an answer: the endpoint is healthy and becomes the preferred one. */
  answered(endpoint: Endpoint): void {
    endpoint.lastAnsweredAt = this.now();
    endpoint.demotedUntil = 0;
    endpoint.failedSilently = false;
    this.preferred = endpoint.index;
    this.health.set(endpoint.url, 'healthy', 'answered');
  }

  /**
   * Records a failure, `reason`: the endpoint is avoided for `demoteMs`. `how` says whether the
   * member stayed silent or answered with an error (by default silent, the less trusted).
   */
  demote(endpoint: Endpoint, reason: string, how: 'silent' | 'answered' = 'silent'): void {
    endpoint.demotedUntil = this.now() + this.settings.demoteMs;
    endpoint.failedSilently = how === 'silent';
    if (this.preferred === endpoint.index) this.preferred = (endpoint.index + 1) % this.endpoints.length;
    this.health.set(endpoint.url, 'demoted', reason);
  }

  /**
   * Runs `use` when subscribed, unless the pool is closed by then: every attempt on an endpoint
   * starts here, so a closed client fails its calls with EtcdClientClosedError and sends nothing.
   * @example pool.ifOpen(() => postJson(pool.pick(new Set()), path, body))
   */
  ifOpen<T>(use: () => Observable<T>): Observable<T> {
    return defer(() => (this.isClosed ? throwError(() => new EtcdClientClosedError()) : use()));
  }

  /** Whether close() was called: nothing is sent any more. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Sends one attempt down the client's attempt chain, unless the pool is closed.
   * @example pool.send({ method: 'maintenance/status', endpoint, attempt: 1, exchange: { kind: 'post', path: '/v3/maintenance/status', body: {} } })
   */
  send<E extends Exchange>(attempt: Attempt<E>): Observable<AnswerOf<E>> {
    // Attempts are made as they are sent (inside the loops' own ifOpen): checked once, here, not again on subscribe.
    return this.isClosed ? throwError(() => new EtcdClientClosedError()) : this.settings.door.send(attempt);
  }

  /**
   * Opens a WebSocket to `path` on `endpoint`, carrying `token` when one is given.
   * @example const channel = pool.openSocket(endpoint, '/v3/watch', 5000)
   */
  openSocket(endpoint: Endpoint, path: string, openTimeoutMs: number, token?: string): WsChannel {
    return this.settings.door.socket(endpoint, path, openTimeoutMs, token);
  }

  /** Closes every idle connection, stops the member monitor's probe loops, and refuses further calls. */
  close(): void {
    this.isClosed = true;
    this.monitor.close();
    this.health.close();
    for (const endpoint of this.endpoints) endpoint.agent.destroy();
  }
}

/** Between two demoted endpoints: one that answered its last failure first, then the one whose demotion ends first. */
function ranksBefore(a: Endpoint, b: Endpoint): boolean {
  if (a.failedSilently !== b.failedSilently) return !a.failedSilently;
  return a.demotedUntil < b.demotedUntil;
}

/** Whether `endpoint` is demoted after a failure it did not answer: it may be frozen. */
function isSilent(endpoint: Endpoint, now: number): boolean {
  return endpoint.demotedUntil > now && endpoint.failedSilently;
}

/**
 * One call's walk over the endpoints: each endpoint once per sweep, the best first (see
 * `EndpointPool.pick`), then a new sweep.
 * @example const sweep = new Sweep(pool); const endpoint = sweep.next()
 */
export class Sweep {
  private tried = new Set<Endpoint>();

  constructor(private readonly pool: EndpointPool) {}

  /** The next endpoint to try, starting a new sweep once every endpoint was tried. */
  next(): Endpoint {
    if (this.ended) this.tried = new Set();
    const endpoint = this.pool.pick(this.tried);
    this.tried.add(endpoint);
    return endpoint;
  }

  /**
   * Whether this sweep is over: it has tried every endpoint, or only demoted, silent ones are left
   * while one it tried is no longer such: it answered its failure (with an error), or answered
   * another call since. A silent member may be frozen: asking it again would cost a request
   * timeout, while the one that answered is up, and after a leader election ("leader changed") it
   * is the one to ask. Asked again after a backoff, during which another call may have had an answer.
   */
  get ended(): boolean {
    if (this.tried.size >= this.pool.size) return true;
    const now = this.pool.now();
    const next = this.pool.pick(this.tried, now);
    return isSilent(next, now) && [...this.tried].some((endpoint) => !isSilent(endpoint, now));
  }

  /** How many endpoints this sweep has tried. */
  get triedCount(): number {
    return this.tried.size;
  }

  /** Starts over from `endpoint`, which just proved good. */
  restartFrom(endpoint: Endpoint): void {
    this.tried = new Set([endpoint]);
  }
}
