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

/** How long a live member may take to answer a call (and a liveness probe before it) on a busy machine (ms). */
export const ANSWER_MS = 300;

/**
 * The operations that ended later than `latestEnd` allows, as readable lines.
 * @example expect(lateOnes(report.timings, (t) => t.startedAt + 1000 + ANSWER_MS)).toEqual([])
 */
export function lateOnes(timings: readonly OperationTiming[], latestEnd: (t: OperationTiming) => number): string[] {
  return timings.filter((t) => t.endedAt > latestEnd(t)).map((t) => `${t.endedAt - t.startedAt} ms, ${t.endedAt - latestEnd(t)} ms late`);
}

/** How a load runs. */
export interface LoadOptions {
  /**
   * Read back the worker's last acknowledged key after every put, also one that failed (by
   * default only after an acknowledged put, that key): reads then go on while no write can
   * commit, as during an election, and a read is the call that moves from member to member.
   */
  readonly readAfterEveryPut?: boolean;
}

/**
 * Runs `workers` loops that each put a fresh key, then read back the last key they had
 * acknowledged, until `stop()` is called.
 * @example const load = startLoad(etcd, 'load/', 8); await waitFor(...); const report = await load.stop()
 */
export function startLoad(etcd: Etcd, prefix: string, workers: number, options: LoadOptions = {}) {
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
    let readBack: string | undefined;
    while (!stopped) {
      const key = `${prefix}${String(next++).padStart(6, '0')}`;
      let acknowledged = false;
      try {
        await timed(() => firstValueFrom(etcd.put(key, `v-${key}`)));
        report.acknowledged.set(key, `v-${key}`);
        readBack = key;
        acknowledged = true;
      } catch (error) {
        if (error instanceof EtcdOutcomeUnknownError) report.unknown.add(key);
        else report.errors.push(error as Error);
      }
      if (readBack === undefined || !(acknowledged || options.readAfterEveryPut === true)) continue;
      const read = readBack;
      try {
        const kv = await timed(() => firstValueFrom(etcd.get(read)));
        if (!kv.some || kv.val.value !== `v-${read}`) report.staleReads.push(read);
      } catch (error) {
        report.errors.push(error as Error);
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
