/**
 * A watchdog process that SIGKILLs a cluster's members and deletes its directory once its parent
 * is gone, whatever the way: killed by a signal, crashed, or exited from inside jest, where
 * `process.on('exit')` handlers never run. It learns the member pids over its stdin; the end of
 * stdin (the parent's end of the pipe closing) is its signal to act.
 */
import { ChildProcess, spawn } from 'child_process';

// Plain JavaScript run by `node -e`: one JSON [op, arg] per line on stdin.
const REAPER_SOURCE = `
const fs = require('fs');
const pids = new Set(), dirs = new Set();
let pending = '';
process.on('SIGINT', () => {}); process.on('SIGTERM', () => {}); process.on('SIGHUP', () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (data) => {
  pending += data;
  let end;
  while ((end = pending.indexOf('\\n')) >= 0) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    try {
      const [op, arg] = JSON.parse(line);
      if (op === '+pid') pids.add(arg); else if (op === '-pid') pids.delete(arg);
      else if (op === '+dir') dirs.add(arg); else if (op === 'release') { pids.clear(); dirs.clear(); }
    } catch {}
  }
});
const reap = () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  for (const dir of dirs) { try { fs.rmSync(dir, { recursive: true, force: true }); } catch {} }
  process.exit(0);
};
process.stdin.on('end', reap); process.stdin.on('close', reap); process.stdin.on('error', reap);
`;

/**
 * One watchdog per cluster. Every method is best effort: if the watchdog could not start, the
 * cluster still works and the exit handler remains.
 * @example
 * const reaper = Reaper.spawn(); reaper.watchDir(root); reaper.watchPid(child.pid)
 * // ... after a clean stop:
 * reaper.release()
 */
export class Reaper {
  private constructor(private readonly child: ChildProcess | undefined) {}

  /** Starts the watchdog; it keeps no event loop alive. */
  static spawn(): Reaper {
    let child: ChildProcess | undefined;
    try {
      // Its own process group: a Ctrl-C meant for the test run must not kill the watchdog first.
      child = spawn(process.execPath, ['-e', REAPER_SOURCE], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
      child.on('error', () => undefined);
      child.stdin?.on('error', () => undefined);
      child.unref();
      // The pipe is a handle of its own; unreferenced, it lets the parent exit (which closes it).
      (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    } catch {
      child = undefined;
    }
    return new Reaper(child);
  }

  /** SIGKILL `pid` if the parent goes away before {@link forgetPid}. */
  watchPid(pid: number): void {
    this.send('+pid', pid);
  }

  /** `pid` has exited; never signal it (the number may be reused). */
  forgetPid(pid: number): void {
    this.send('-pid', pid);
  }

  /** Delete `dir` (recursively) if the parent goes away before {@link release}. */
  watchDir(dir: string): void {
    this.send('+dir', dir);
  }

  /** Everything is cleaned up: let the watchdog exit without doing anything. */
  release(): void {
    this.send('release', 0);
    this.child?.stdin?.end();
  }

  private send(op: string, arg: string | number): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || stdin.writableEnded) return;
    stdin.write(`${JSON.stringify([op, arg])}\n`);
  }
}
