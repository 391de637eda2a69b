/**
 * One timed phase of a closed-loop load: `concurrency` workers each run one operation after
 * another until the phase's time is up. Measures throughput, latency and this process's CPU per
 * operation (and, when given its pid, the etcd server's), so client cost is seen apart from the
 * server's.
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';

/** What one phase measured. */
export interface PhaseResult {
  readonly ops: number;
  /** Operations per wall-clock second, counted until the last in-flight operation finished. */
  readonly opsPerSecond: number;
  /** This process's user + system CPU per operation, in microseconds. */
  readonly cpuUsPerOp: number;
  /** The etcd server's user + system CPU per operation, in microseconds (NaN when unknown). */
  readonly serverCpuUsPerOp: number;
  /** Latency of one operation, median and 99th percentile, in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One operation; `i` is a sequence number the operation may use to pick its key. */
export type Operation = (i: number) => Promise<unknown>;

/**
 * Runs `operation` from `concurrency` workers for `durationMs`.
 * @example const r = await runPhase((i) => bare.post('/v3/kv/range', body(i)), 16, 2000)
 */
export async function runPhase(operation: Operation, concurrency: number, durationMs: number, serverPid?: number): Promise<PhaseResult> {
  let ops = 0;
  const latencies: number[] = [];
  const server0 = serverCpuUs(serverPid);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (first: number): Promise<void> => {
    for (let i = first, t = performance.now(); t < deadline; i += concurrency) {
      await operation(i);
      const now = performance.now();
      latencies.push(now - t);
      t = now;
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const server = serverCpuUs(serverPid) - server0;
  latencies.sort((a, b) => a - b);
  return {
    ops,
    opsPerSecond: (ops * 1000) / wallMs,
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    serverCpuUsPerOp: server / ops,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

// utime and stime of /proc/<pid>/stat are in clock ticks, 100 per second on Linux.
const US_PER_TICK = 10_000;

/**
 * A process's user + system CPU so far, in microseconds (NaN when unknown).
 * @example serverCpuUs(cluster.members[0].pid)
 */
export function serverCpuUs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
  } catch {
    return NaN;
  }
}

/**
 * The value below which a fraction `q` of sorted values lie (nearest rank).
 * @example percentile([1, 2, 3, 4], 0.5) // 2
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * The median of some numbers (the mean of the middle two for an even count).
 * @example median([3, 1, 2]) // 2
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
