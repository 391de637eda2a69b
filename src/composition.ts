/**
 * The composition root: the one place where a client's parts are built and wired together. The
 * `Etcd` facade only delegates to what is built here, so another facade can be laid over the
 * same parts (sharing their connections, revision floor and open streams).
 */
import { Observable } from 'rxjs';
import { AuthService } from './auth/auth-admin';
import { ClusterService } from './cluster/cluster-service';
import { Membership } from './cluster/membership';
import { CoalescingCaller } from './coalescing/coalescing-caller';
import { ElectionDeps, NamedElection } from './concurrency/election';
import { LockService } from './concurrency/lock';
import { Election } from './concurrency/types';
import { endpointsFromEnvironment, parseEndpoints } from './endpoints';
import { HealthEvent } from './health';
import { Key } from './kv/key-selector';
import { KvService } from './kv/kv-service';
import { LeaseCalls } from './lease/lease-calls';
import { LeaseService } from './lease/lease-service';
import { Maintenance } from './maintenance/maintenance';
import { Snapshots } from './maintenance/snapshot';
import { authOption, EtcdOptions, resolveOptions, ResolvedOptions } from './options';
import { EndpointPool } from './resilience/endpoint-pool';
import { Lifecycle } from './resilience/lifecycle';
import { SeenRevision } from './resilience/seen-revision';
import { ResilientCaller } from './resilience/unary-caller';
import { WaitingCaller, waitingSettings } from './resilience/waiting-caller';
import { AuthSession } from './transport/auth-session';
import { MirrorService } from './watch/mirror-service';
import { WatchService, watchSettings } from './watch/watch-service';

/**
 * The services of one client over one endpoint pool, built from its options (nothing is sent
 * yet). Throws EtcdInvalidArgumentError naming a malformed endpoint or option.
 * @example const core = new ClientCore({ endpoints: 'http://127.0.0.1:2379' }); core.kv.get('k')
 */
export class ClientCore {
  /** The endpoints in use, normalised (`http://host:port`). */
  readonly endpoints: readonly string[];
  /** The options in force, defaults filled in. */
  readonly options: ResolvedOptions;
  /** The open streams and pending clean-ups, ended by close(). */
  readonly lifecycle = new Lifecycle();
  readonly kv: KvService;
  readonly leaseCalls: LeaseCalls;
  readonly leases: LeaseService;
  readonly locks: LockService;
  readonly watches: WatchService;
  readonly mirrors: MirrorService;
  readonly cluster: ClusterService;
  readonly membership: Membership;
  readonly maintenance: Maintenance;
  readonly snapshots: Snapshots;
  readonly auth: AuthService;
  private readonly pool: EndpointPool;
  private readonly coordination: ElectionDeps;

  constructor(given: EtcdOptions) {
    this.options = resolveOptions(given);
    this.endpoints = given.endpoints === undefined ? endpointsFromEnvironment() : parseEndpoints(given.endpoints);
    const options = this.options;
    const auth = authOption(given.auth);
    const pool = (this.pool = new EndpointPool(this.endpoints, { ...options, tokens: auth === undefined ? undefined : new AuthSession(auth) }));
    // One revision floor for every caller: a read must not go back behind what any answer showed.
    const seen = new SeenRevision();
    const caller = new ResilientCaller(pool, options, seen);
    const waiting = new WaitingCaller(pool, waitingSettings(options), seen);
    this.leaseCalls = new LeaseCalls(caller);
    const callsWithTimeout = (ms: number) => new LeaseCalls(new ResilientCaller(pool, { ...options, requestTimeoutMs: ms }, seen));
    this.leases = new LeaseService(this.leaseCalls, callsWithTimeout, this.lifecycle, options.requestTimeoutMs);
    // The KV service's calls (locks' and elections' included) are coalesced; lease and cluster calls are not.
    this.kv = new KvService(new CoalescingCaller(caller, options), this.leaseCalls, this.lifecycle);
    this.coordination = { leases: this.leases, kv: this.kv, retry: options.retry, caller, waiting, lifecycle: this.lifecycle };
    this.locks = new LockService(this.coordination, waiting);
    this.watches = new WatchService(pool, watchSettings(options), this.lifecycle);
    this.mirrors = new MirrorService(this.kv, this.watches, this.lifecycle);
    this.cluster = new ClusterService(caller);
    this.membership = new Membership(caller);
    this.maintenance = new Maintenance(caller);
    this.snapshots = new Snapshots(pool);
    this.auth = new AuthService(caller);
  }

  /**
   * The election `name` (validated at once: a bad name throws EtcdInvalidArgumentError).
   * @example core.election('scheduler').observe()
   */
  election(name: Key): Election {
    return new NamedElection(name, this.coordination);
  }

  /**
   * Each endpoint's state, then every change and failover (see `Etcd.health`).
   * @example core.health().subscribe(console.log)
   */
  health(): Observable<HealthEvent> {
    return this.pool.health.events();
  }

  /**
   * Ends the open streams (revoking the leases they held), then releases every socket and timer.
   * @example await core.close()
   */
  async close(): Promise<void> {
    await this.lifecycle.close(this.options.requestTimeoutMs);
    await this.watches.close();
    this.pool.close();
  }
}
