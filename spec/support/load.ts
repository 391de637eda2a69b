/**
 * A steady stream of writes and reads through one client, recording what was acknowledged, so a
 * failover test can prove that no acknowledged write was lost.
 */
import { firstValueFrom } from 'rxjs';
import { Etcd, EtcdOutcomeUnknownError } from '../../src';

/** What a load run saw. */
export interface LoadReport {
  /** Keys whose put was acknowledged, with the value written. */
  readonly acknowledged: Map<string, string>;
  /** Keys whose put failed with EtcdOutcomeUnknownError (may or may not exist). */
  readonly unknown: Set<string>;
  /** Every other failure: there should be none. */
  readonly errors: Error[];
  /** Reads of an acknowledged key that did not return its value. */
  readonly staleReads: string[];
  /** The slowest single operation, in ms. */
  slowestMs: number;
  /** When each operation started and ended (ms since epoch), in the order they ended. */
  readonly timings: OperationTiming[];
}

/** One operation of a load run. */
export interface OperationTiming {
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * Runs `workers` loops that each put a fresh key, then read back an earlier acknowledged key,
 * until `stop()` is called.
 * @example const load = startLoad(etcd, 'load/', 8); await waitFor(...); const report = await load.stop()
 */
export function startLoad(etcd: Etcd, prefix: string, workers: number) {
  const report: LoadReport = { acknowledged: new Map(), unknown: new Set(), errors: [], staleReads: [], slowestMs: 0, timings: [] };
  let stopped = false;
  let next = 0;
  const timed = async <T>(op: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await op();
    } finally {
      const ended = Date.now();
      report.slowestMs = Math.max(report.slowestMs, ended - started);
      report.timings.push({ startedAt: started, endedAt: ended });
    }
  };
  const worker = async () => {
    while (!stopped) {
      const key = `${prefix}${String(next++).padStart(6, '0')}`;
      try {
        await timed(() => firstValueFrom(etcd.put(key, `v-${key}`)));
        report.acknowledged.set(key, `v-${key}`);
        const kv = await timed(() => firstValueFrom(etcd.get(key)));
        if (!kv.some || kv.val.value !== `v-${key}`) report.staleReads.push(key);
      } catch (error) {
        if (error instanceof EtcdOutcomeUnknownError) report.unknown.add(key);
        else report.errors.push(error as Error);
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    report,
    /** How many puts were acknowledged so far. */
    get acknowledgedCount(): number {
      return report.acknowledged.size;
    },
    async stop(): Promise<LoadReport> {
      stopped = true;
      await running;
      return report;
    },
  };
}
