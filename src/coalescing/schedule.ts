/**
 * When a batch of coalesced calls is sent, on the client's clock: the event loop's turn on rxjs'
 * async scheduler, the clock's own time on any other (a TestScheduler).
 */
import { asyncScheduler, SchedulerLike } from 'rxjs';

/**
 * When a batch is sent: `'soon'` once the code running now and the promise callbacks it set off
 * are done (no turn of the event loop is waited for), 0 once the current turn of the event loop
 * is done, more than 0 after that many milliseconds.
 */
export type Wait = 'soon' | number;

/** Runs `work` after `wait`; the returned function cancels it. */
export type Schedule = (work: () => void, wait: Wait) => () => void;

/**
 * The event loop's schedule: `process.nextTick` for `'soon'` (it runs after every pending promise
 * callback, so all calls made while handling one answer still join), `setImmediate` for 0 (every
 * call made while handling the current I/O joins), `setTimeout` for a longer wait.
 */
const eventLoop: Schedule = (work, wait) => {
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

/**
 * The schedule of batches on `clock`. A turn of the event loop is not a time, so only rxjs' async
 * scheduler (the client's clock) waits for one; on any other clock `'soon'` and 0 both mean once
 * what runs at this instant is done, and a window is that clock's milliseconds.
 * @example const cancel = scheduleOn(asyncScheduler)(() => console.log('after this turn'), 0)
 */
export function scheduleOn(clock: SchedulerLike): Schedule {
  if (clock === asyncScheduler) return eventLoop;
  return (work, wait) => {
    const action = clock.schedule(work, wait === 'soon' ? 0 : wait);
    return () => action.unsubscribe();
  };
}
