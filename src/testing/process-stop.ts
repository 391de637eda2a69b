/**
 * Waiting until a SIGSTOPped process has really stopped. `kill(pid, 'SIGSTOP')` returns before
 * the stop takes effect: Linux wakes one thread to take the signal, and until that thread gets a
 * CPU the others run on. On a busy machine an etcd member "frozen" this way answered a read 7 ms
 * later, so a test that froze a member and then called it saw it answer. Linux shows each
 * thread's state in /proc; elsewhere there is nothing to read and the wait is skipped.
 */
import * as fs from 'fs';

/** How long a stop may take to reach every thread before the wait gives up. */
const STOP_TIMEOUT_MS = 5000;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
/** Thread states that run no more: stopped, traced-stopped, zombie, dead. */
const STILL = new Set(['T', 't', 'Z', 'X']);

/**
 * Blocks until every thread of `pid` is stopped (state `T` or `t` in /proc), so nothing the
 * process does can follow the caller's next step.
 * @throws when the threads have not all stopped within 5 s
 * @example child.kill('SIGSTOP'); waitUntilStopped(child.pid)
 */
export function waitUntilStopped(pid: number): void {
  if (!fs.existsSync(`/proc/${pid}/task`)) return;
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  for (;;) {
    const running = threadStates(pid).filter((state) => !STILL.has(state)).length;
    if (running === 0) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} was sent SIGSTOP but ${running} of its threads still run after ${STOP_TIMEOUT_MS} ms`);
    // A millisecond's sleep, synchronously: freeze() is synchronous, and the threads need the CPU.
    Atomics.wait(PAUSE, 0, 0, 1);
  }
}

/**
 * The state letter of each thread of `pid` as /proc shows it (`R` running, `S` sleeping, `T`
 * stopped, …); none once the process is gone.
 * @example threadStates(child.pid) // ['T', 'T', 'T']
 */
export function threadStates(pid: number): string[] {
  const tasks = `/proc/${pid}/task`;
  let tids: string[];
  try {
    tids = fs.readdirSync(tasks);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    try {
      const stat = fs.readFileSync(`${tasks}/${tid}/stat`, 'utf8');
      // The state follows the command name, which is in parentheses and may itself hold spaces.
      return [stat.charAt(stat.lastIndexOf(')') + 2)];
    } catch {
      return [];
    }
  });
}
