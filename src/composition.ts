/**
 * The composition root: the one place where a client's parts are built and wired together. The
 * `Etcd` facade only delegates to what is built here, so another facade can be laid over the
 * same parts (sharing their connections, revision floor and open streams).
 */
import { asyncScheduler, Observable } from 'rxjs';
import { AuthService } from './auth/auth-admin';
import { ClusterService } from './cluster/cluster-service';
import { Membership } from './cluster/membership';
import { coalescing } from './coalescing/coalescing-caller';
import { ElectionDeps, NamedElection } from './concurrency/election';
import { LockService } from './concurrency/lock';
import { Election } from './concurrency/types';
import { resolveConnection } from './connection';
import { EndpointEvent } from './endpoint-states';
import { Key, KeySelector } from './kv/key-selector';
import { KvService } from './kv/kv-service';
import { LeaseCalls } from './lease/lease-calls';
import { LeaseService } from './lease/lease-service';
import { Maintenance } from './maintenance/maintenance';
import { KeySpace } from './namespace/key-space';
import { namespaced } from './namespace/namespace-stage';
import { Snapshots } from './maintenance/snapshot';
import { EtcdOptions, resolveOptions, ResolvedOptions } from './options';
import { EndpointPool } from './resilience/endpoint-pool';
import { Lifecycle } from './resilience/lifecycle';
import { SeenRevision } from './resilience/seen-revision';
import { ChainCaller } from './resilience/unary-caller';
import { routeCalls } from './resilience/routing';
import { waitingSettings } from './resilience/waiting-caller';
import { attemptChain, AttemptStage, Door } from './pipeline/attempt';
import { chain, Handler, Stage } from './pipeline/call';
import { observed } from './pipeline/observed';
import { perCall } from './pipeline/per-call';
import { reauthentication } from './pipeline/reauthentication';
import { openSocket, wire } from './pipeline/wire';
import { MirrorService } from './watch/mirror-service';
import { WatchBatch } from './watch/watch-event';
import { WatchOptions } from './watch/watch-request';
import { WatchService, watchSettings } from './watch/watch-service';

/** What a client and every namespaced view of it share: connections, revision floor, open streams. */
interface SharedParts {
  readonly endpoints: readonly string[];
  readonly options: ResolvedOptions;
  readonly lifecycle: Lifecycle;
  readonly pool: EndpointPool;
  /** The bottom of the call chain: failover, hedging, waiting and following (see routing). */
  readonly routed: Handler;
  /** The KV service's way down: coalescing above `routed`. */
  readonly coalesced: Handler;
  /** The cluster's calls (membership, maintenance, auth), in no namespace. */
  readonly caller: ChainCaller;
  readonly watches: WatchService;
}

/**
 * The attempt chain, first stage outermost: every request, stream and probe to a member goes
 * down it to the wire. A stage that must see every attempt (a new header, a tracer) goes here.
 * The durations it publishes are real time to the sub-millisecond (`performance.now`), not the
 * client's clock: they are what a tracer records of real requests.
 */
// Node's global \`performance\` loads perf_hooks at its first use, which comes only when someone
// listens to the diagnostics channels; importing perf_hooks would load it in every process.
const ATTEMPT_STAGES: readonly AttemptStage[] = [observed(() => performance.now()), reauthentication];

/**
 * The call chain of a view, first stage outermost, above the client's shared coalescing and
 * routing: a stage that must see each operation once (whatever its retries) goes here.
 */
function callStages(space: KeySpace | undefined): readonly Stage[] {
  return space === undefined ? [perCall] : [perCall, namespaced(space)];
}

function openShared(given: EtcdOptions): SharedParts {
  const options = resolveOptions(given);
  const { endpoints, tokens, tls } = resolveConnection(given);
  const door: Door = { send: attemptChain(ATTEMPT_STAGES, wire), socket: openSocket };
  // The client's one clock: every timer and timestamp below reads it (a unit spec builds the parts on a TestScheduler).
  const clock = asyncScheduler;
  const pool = new EndpointPool(endpoints, { ...options, tokens, tls, door, clock });
  // One revision floor for every caller: a read must not go back behind what any answer showed.
  const seen = new SeenRevision();
  const lifecycle = new Lifecycle(clock);
  const routed = routeCalls(pool, { ...options, waiting: waitingSettings(options) }, seen);
  return {
    endpoints,
    options,
    lifecycle,
    pool,
    routed,
    // One coalescing stage for the client and all its views: their calls share batches.
    coalesced: coalescing(options, clock)(routed),
    caller: new ChainCaller(chain(callStages(undefined), routed), endpoints),
    watches: new WatchService(pool, watchSettings(options), lifecycle),
  };
}

/**
 * The services of one client over one endpoint pool, built from its options (nothing is sent
 * yet), or of a namespaced view over the connection of another core. Throws
 * EtcdInvalidArgumentError naming a malformed endpoint or option.
 * @example const core = new ClientCore({ endpoints: 'http://127.0.0.1:2379' }); core.kv.get('k')
 */
export class ClientCore {
  /** The endpoints in use, normalised (`http://host:port`). */
  readonly endpoints: readonly string[];
  /** The options in force, defaults filled in. */
  readonly options: ResolvedOptions;
  /** The open streams and pending clean-ups, ended by close(). */
  readonly lifecycle: Lifecycle;
  readonly kv: KvService;
  readonly leaseCalls: LeaseCalls;
  readonly leases: LeaseService;
  readonly locks: LockService;
  readonly watches: { watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch> };
  readonly mirrors: MirrorService;
  readonly cluster: ClusterService;
  readonly membership: Membership;
  readonly maintenance: Maintenance;
  readonly snapshots: Snapshots;
  readonly auth: AuthService;
  private readonly shared: SharedParts;
  private readonly coordination: ElectionDeps;

  constructor(given: EtcdOptions);
  /** A view of the client `given` belongs to, whose keys live under `space`. */
  constructor(given: SharedParts, space: KeySpace);
  constructor(
    given: EtcdOptions | SharedParts,
    private readonly space?: KeySpace,
  ) {
    const shared = (this.shared = space === undefined ? openShared(given as EtcdOptions) : (given as SharedParts));
    const { options, pool } = shared;
    this.endpoints = shared.endpoints;
    this.options = options;
    this.lifecycle = shared.lifecycle;
    // Inside a namespace, every call that carries keys goes through the key space.
    const stages = callStages(space);
    const callerOver = (below: Handler, attemptTimeoutMs?: number) => new ChainCaller(chain(stages, below), shared.endpoints, attemptTimeoutMs);
    const caller = callerOver(shared.routed);
    this.leaseCalls = new LeaseCalls(caller);
    const callsWithTimeout = (ms: number) => new LeaseCalls(callerOver(shared.routed, ms));
    this.leases = new LeaseService(this.leaseCalls, callsWithTimeout, this.lifecycle, options.requestTimeoutMs, pool.clock);
    // The KV service's calls (locks' and elections' included) are coalesced; lease and cluster calls are not.
    this.kv = new KvService(callerOver(shared.coalesced), this.leaseCalls, this.lifecycle);
    this.coordination = { leases: this.leases, kv: this.kv, retry: options.retry, clock: pool.clock, caller, waiting: caller, lifecycle: this.lifecycle };
    this.locks = new LockService(this.coordination, caller);
    this.watches = { watch: (selector, watchOptions) => shared.watches.watch(selector, watchOptions, space) };
    this.mirrors = new MirrorService(this.kv, this.watches, this.lifecycle);
    // Membership, maintenance and authentication are the cluster's, whatever the namespace.
    this.cluster = new ClusterService(shared.caller);
    this.membership = new Membership(shared.caller);
    this.maintenance = new Maintenance(shared.caller, pool, options.requestTimeoutMs);
    this.snapshots = new Snapshots(pool);
    this.auth = new AuthService(shared.caller);
  }

  /**
   * The core of a view whose keys live under `prefix` (inside this one's namespace, if any),
   * sharing this core's shared. Throws EtcdInvalidArgumentError for a bad prefix.
   * @example core.namespace('app/').kv.put('k', 'v') // writes app/k
   */
  namespace(prefix: unknown): ClientCore {
    return new ClientCore(this.shared, this.space === undefined ? KeySpace.of(prefix) : this.space.nested(prefix));
  }

  /**
   * The election `name` (validated at once: a bad name throws EtcdInvalidArgumentError).
   * @example core.election('scheduler').observe()
   */
  election(name: Key): Election {
    return new NamedElection(name, this.coordination);
  }

  /**
   * Each endpoint's state, then every change and failover (see `Etcd.endpointStates`).
   * @example core.endpointStates().subscribe(console.log)
   */
  endpointStates(): Observable<EndpointEvent> {
    return this.shared.pool.health.events();
  }

  /**
   * Ends the open streams (revoking the leases they held), then releases every socket and timer.
   * @example await core.close()
   */
  async close(): Promise<void> {
    await this.lifecycle.close(this.options.requestTimeoutMs);
    await this.shared.watches.close();
    this.shared.pool.close();
  }
}
