/**
 * Waiting for a condition by asking it again and again until a deadline. Never a fixed sleep: a
 * busy CI machine makes any fixed duration either too short or wasteful.
 */

/** How {@link pollUntil} waits. */
export interface PollOptions {
  /** Give up after this long, with an error naming `what` and the last failure. */
  timeoutMs: number;
  /** Pause between attempts; default 50 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout error: "member-1 to answer /health". */
  what: string;
  /** Asked before every attempt: an error here ends the wait at once (the process died, say). */
  abort?: () => Error | undefined;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`, and resolves with it. An
 * attempt that throws counts as "not yet"; its message is quoted if the wait times out.
 * @example
 * const id = await pollUntil(async () => (await status(url)).leaderId, { timeoutMs: 10_000, what: 'a leader' })
 */
export async function pollUntil<T>(attempt: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const intervalMs = options.intervalMs ?? 50;
  let lastProblem: string | undefined;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw aborted;
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastProblem = undefined;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    const abortedDuringAttempt = options.abort?.();
    if (abortedDuringAttempt) throw abortedDuringAttempt;
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastProblem ? ` (last: ${lastProblem})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
