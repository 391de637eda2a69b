/**
 * Memory of this process, heap plus external memory (Buffers): its peak while something runs,
 * sampled every few milliseconds and once more at the end, above what was in use before it started;
 * or what is in use once collections have settled (full collections when node runs with
 * --expose-gc, as `npm run bench` does).
 */

/**
 * Runs `work` and returns its result with the peak memory it added, in MB, sampled one last time
 * while the result is still held.
 * @example const { value, peakMb } = await measurePeak(() => listEverything())
 */
export async function measurePeak<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  collectGarbage();
  const base = used();
  let peak = base;
  const sample = () => (peak = Math.max(peak, used()));
  const sampler = setInterval(sample, 5);
  try {
    const value = await work();
    sample();
    return { value, peakMb: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

/** Memory in use after a full collection, in MB. */
function usedMb(): number {
  collectGarbage();
  return used() / 2 ** 20;
}

/**
 * Memory in use once the process has settled, in MB: collected until two collections, some
 * callbacks apart, agree (what a closed client leaves, its sockets and Buffers, is freed by
 * callbacks after the collection that released it; and V8 drops unused code over several).
 * @example const before = await settledUsedMb(); ...; console.log((await settledUsedMb()) - before)
 */
export async function settledUsedMb(): Promise<number> {
  let last = usedMb();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = usedMb();
    if (Math.abs(now - last) < 0.02) return now;
    last = now;
  }
  return last;
}

function used(): number {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

/**
 * A full garbage collection, when node runs with --expose-gc (as `npm run bench` does).
 * @example collectGarbage(); const before = process.memoryUsage().heapUsed
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
