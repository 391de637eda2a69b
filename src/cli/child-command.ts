/** Running a user's command as a child process of the CLI. */
import type { ChildProcess } from 'child_process';
import { ExitCode, signalExitCode } from './exit-codes';

/**
 * A command etcd-rx runs for the user (`lock NAME -- CMD`, `watch KEY -- CMD`), sharing its
 * terminal: its exit status as a shell reports it, and ways to stop it.
 * @example const child = new Child(['./backup.sh'], process.env); await child.exited
 */
export class Child {
  /** The exit status (128 + signal when killed by one; 126 or 127 when it could not start), once it has exited. */
  status = ExitCode.OK as number;
  /** Why it could not be started, if it could not. */
  failure: string | undefined;
  readonly exited: Promise<void>;
  private readonly process: ChildProcess;

  constructor(command: readonly string[], env: NodeJS.ProcessEnv) {
    // Loaded here, not at start-up: only lock and watch with a COMMAND run one.
    const { spawn } = require('child_process') as typeof import('child_process');
    this.process = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    this.exited = new Promise((resolve) => {
      this.process.once('error', (error: NodeJS.ErrnoException) => {
        // As a shell has it: 127 for a command that is not there, 126 for one that cannot be run.
        const notFound = error.code === 'ENOENT';
        this.failure = `cannot run ${command[0]}: ${notFound ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message}`;
        this.status = notFound ? ExitCode.NOT_FOUND : ExitCode.CANNOT_EXECUTE;
        resolve();
      });
      this.process.once('exit', (code, signal) => {
        this.status = code ?? signalExitCode(signal ?? 'SIGTERM');
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null && this.failure === undefined;
  }

  /** Asks it to stop (SIGTERM), if it still runs. */
  terminate(): void {
    if (this.running) this.process.kill('SIGTERM');
  }

  /** Ends it at once: its whole process group when it made one (taking its own children along), else it alone. */
  kill(): void {
    const pid = this.process.pid;
    if (!this.running || pid === undefined) return;
    try {
      // A group with its pid as id exists only if it leads one: it was started in etcd-rx's own.
      process.kill(-pid, 'SIGKILL');
    } catch {
      this.process.kill('SIGKILL');
    }
  }
}
