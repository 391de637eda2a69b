/**
 * One chaos run: clients work on a few keys while the nemesis applies every fault kind in turn,
 * for some rounds; then the history is checked for linearizability.
 */
import { performance } from 'perf_hooks';
import { Etcd, EtcdOptions } from '../../src';
import { checkLinearizable, CheckResult, EtcdCluster } from '../../src/testing';
import { Fault, FAULTS, FaultSpan, Nemesis } from './nemesis';
import { OperationStat, Workload } from './workload';

/** How big a run is. */
export interface ChaosOptions {
  readonly clients: number;
  readonly keys: number;
  readonly rounds: number;
  /** Options of every client (endpoints are the cluster's, rotated so clients start on different members). */
  readonly client?: Omit<EtcdOptions, 'endpoints'>;
  /** Called as each fault begins. */
  readonly onFault?: (fault: Fault, round: number) => void;
}

/** What a run recorded and the checker's verdict on it. */
export interface ChaosRun {
  readonly stats: readonly OperationStat[];
  readonly spans: readonly FaultSpan[];
  readonly result: CheckResult;
  readonly historyLength: number;
  readonly runMs: number;
  readonly checkMs: number;
}

/**
 * Runs the workload under every fault kind, `rounds` times, and checks the history.
 * @example const run = await runChaos(cluster, { clients: 6, keys: 5, rounds: 1 })
 */
export async function runChaos(cluster: EtcdCluster, options: ChaosOptions): Promise<ChaosRun> {
  const endpoints = cluster.endpoints;
  const clients = Array.from(
    { length: options.clients },
    (_, i) => new Etcd({ ...options.client, endpoints: [...endpoints.slice(i % endpoints.length), ...endpoints.slice(0, i % endpoints.length)] }),
  );
  const keys = Array.from({ length: options.keys }, (_, i) => `chaos/${i}`);
  const nemesis = new Nemesis(cluster);
  const load = new Workload(clients, keys, () => nemesis.current);
  const started = performance.now();
  load.start();
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const fault of FAULTS) {
        options.onFault?.(fault, round);
        await nemesis.apply(fault, load);
      }
    }
  } finally {
    await load.stop();
    await Promise.all(clients.map((etcd) => etcd.close()));
  }
  const runMs = performance.now() - started;
  const checking = performance.now();
  const result = checkLinearizable(load.history);
  return { stats: load.stats, spans: nemesis.spans, result, historyLength: load.history.length, runMs, checkMs: performance.now() - checking };
}
