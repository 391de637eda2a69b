/** When a batch of coalesced calls is sent: the event loop's turn, or a test's virtual time. */

/**
 * Runs `work` after `delayMs` (0: once the current turn of the event loop is done); the
 * returned function cancels it. Injected so that tests can run batches in virtual time.
 */
export type Schedule = (work: () => void, delayMs: number) => () => void;

/**
 * The event loop's schedule: `setImmediate` for a window of 0 (every call made while handling
 * the current I/O joins), `setTimeout` for a longer one.
 * @example const cancel = eventLoop(() => console.log('later'), 0)
 */
export const eventLoop: Schedule = (work, delayMs) => {
  if (delayMs <= 0) {
    const immediate = setImmediate(work);
    return () => clearImmediate(immediate);
  }
  const timer = setTimeout(work, delayMs);
  return () => clearTimeout(timer);
};
