/**
 * etcd's Watch service as cold, endless Observables: a server-side watch is created on
 * subscribe, cancelled on unsubscribe, and resumed on another member whenever its stream breaks.
 */
import { defer, map, Observable } from 'rxjs';
import { KeySelector, WireRange } from '../kv/key-selector';
import { ResolvedOptions, WatchTransport } from '../options';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { Lifecycle } from '../resilience/lifecycle';
import { MemberWatchdog } from '../resilience/member-watchdog';
import { StreamFailoverSettings } from '../resilience/stream-failover';
import { HttpWatchConnector } from './http-watch-connector';
import { resumableWatch } from './resumable-watch';
import { SharedWatch, SharedWatches } from './shared-watches';
import { MemberVersionConnector, WatchConnector } from './watch-connector';
import { WatchBatch } from './watch-event';
import { WatchMultiplexer } from './watch-multiplexer';
import { WatchRequest, watchRequest, WatchOptions } from './watch-request';

/**
 * Where a watch lives when it is not the whole key space (a namespace): how its range is written
 * on the wire, and how what it sees is shown back. Defined here so that watch/ needs no namespace.
 */
export interface WatchScope {
  range<R extends { key?: unknown; range_end?: unknown }>(wire: R): Omit<R, 'key' | 'range_end'> & WireRange;
  watchBatch(batch: WatchBatch): WatchBatch;
}

/** What the watch service needs of the client's options. */
export interface WatchSettings extends StreamFailoverSettings {
  readonly watchTransport: WatchTransport;
  readonly watchProgressIntervalMs: number;
  /** How long opening a stream may take. */
  readonly requestTimeoutMs: number;
}

/**
 * The watch settings from the client's resolved options.
 * @example new WatchService(pool, watchSettings(options), lifecycle)
 */
export function watchSettings(options: ResolvedOptions): WatchSettings {
  return { ...options, giveUpAfterMs: options.watchGiveUpAfterMs };
}

/**
 * Watches of one client, sharing its transports. Without credentials, the WebSocket watches share
 * one socket and one failover loop (SharedWatches); the others (HTTP streams, and WebSockets that
 * carry a token, which a new token moves to a new socket) each fail over on their own.
 * @example new WatchService(pool, settings, lifecycle).watch({ prefix: 'a/' }).subscribe(console.log)
 */
export class WatchService {
  private readonly connector: WatchConnector;
  private readonly shared?: SharedWatches;

  constructor(
    private readonly pool: EndpointPool,
    private readonly settings: WatchSettings,
    private readonly lifecycle: Lifecycle,
  ) {
    const watchdog = new MemberWatchdog(pool, settings.watchProgressIntervalMs);
    const http = new HttpWatchConnector(pool, watchdog);
    const sessions = { openTimeoutMs: settings.requestTimeoutMs, progressIntervalMs: settings.watchProgressIntervalMs };
    // WebSocket first (one socket per endpoint); HTTP streams where the upgrade is refused.
    const multiplexer = new WatchMultiplexer(pool, sessions, watchdog, settings.watchTransport === 'auto' ? http : undefined);
    const transports: Record<WatchTransport, () => WatchConnector> = {
      http: () => http,
      websocket: () => multiplexer,
      auto: () => new MemberVersionConnector(pool, multiplexer, http, settings.requestTimeoutMs),
    };
    this.connector = transports[settings.watchTransport]();
    if (settings.watchTransport !== 'http' && pool.endpoints[0].tokens === undefined) {
      // A member that refuses the upgrade sends every watch on by itself, as a watch made then would go.
      const handOff = (endpoint: Endpoint, watches: readonly SharedWatch[]) => {
        multiplexer.refuse(endpoint);
        for (const watch of watches) this.resumable(watch.request, watch).subscribe(watch.subscriber);
      };
      this.shared = new SharedWatches(pool, { ...settings, sessions }, watchdog, settings.watchTransport === 'auto' ? handOff : undefined);
    }
  }

  /**
   * Watches a key, prefix or range (see `Etcd.watch`); inside `space` when given, so that
   * namespaced views share this client's watch transports.
   */
  watch(selector: KeySelector, options?: WatchOptions, space?: WatchScope): Observable<WatchBatch> {
    return this.lifecycle.track(
      defer(() => {
        const request = watchRequest(selector, options);
        if (space === undefined) return this.resumable(request);
        return this.resumable({ ...request, range: space.range(request.range) }).pipe(map((batch) => space.watchBatch(batch)));
      }),
      'complete',
    );
  }

  /** Resolves once every watch socket is closed (the watches themselves end with the client's lifecycle). */
  async close(): Promise<void> {
    await Promise.all([this.connector.close(), this.shared?.close()]);
  }

  private resumable(request: WatchRequest, from?: SharedWatch): Observable<WatchBatch> {
    const shared = this.shared;
    if (shared !== undefined && !shared.handedOff) return shared.watch(request);
    return resumableWatch(request, this.connector, this.pool, this.settings, from);
  }
}
