/** When a batch of coalesced calls is sent: the event loop's turn, or a test's virtual time. */

/**
 * When a batch is sent: `'soon'` once the code running now and the promise callbacks it set off
 * are done (no turn of the event loop is waited for), 0 once the current turn of the event loop
 * is done, more than 0 after that many milliseconds.
 */
export type Wait = 'soon' | number;

/**
 * Runs `work` after `wait`; the returned function cancels it. Injected so that tests can run
 * batches in virtual time.
 */
export type Schedule = (work: () => void, wait: Wait) => () => void;

/**
 * The event loop's schedule: `process.nextTick` for `'soon'` (it runs after every pending promise
 * callback, so all calls made while handling one answer still join), `setImmediate` for 0 (every
 * call made while handling the current I/O joins), `setTimeout` for a longer wait.
 * @example const cancel = eventLoop(() => console.log('later'), 0)
 */
export const eventLoop: Schedule = (work, wait) => {
  if (wait === 'soon') {
    let cancelled = false;
    process.nextTick(() => cancelled || work());
    return () => (cancelled = true);
  }
  if (wait <= 0) {
    const immediate = setImmediate(work);
    return () => clearImmediate(immediate);
  }
  const timer = setTimeout(work, wait);
  return () => clearTimeout(timer);
};
