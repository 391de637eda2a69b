/**
 * Test helpers for streams that hold things (leases, locks, campaigns): a recorder of what a
 * subscription saw and when, and a client running in a child process that a test can freeze
 * (SIGSTOP) or kill (SIGKILL) like a real node, reporting over stdout as JSON lines.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Observable, Subscription } from 'rxjs';
import { waitFor } from '../support/wait';

/** Records every value, the error and the completion of one subscription, with timestamps. */
export class Recorder<T> {
  readonly values: T[] = [];
  readonly times: number[] = [];
  error: unknown;
  errorAt = 0;
  completed = false;
  private readonly subscription: Subscription;

  constructor(source: Observable<T>) {
    this.subscription = source.subscribe({
      next: (value) => {
        this.values.push(value);
        this.times.push(Date.now());
      },
      error: (error: unknown) => {
        this.error = error;
        this.errorAt = Date.now();
      },
      complete: () => (this.completed = true),
    });
  }

  /** Waits for a value matching `predicate` (among those already seen, too) and returns it. */
  async next(predicate: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    await waitFor(() => this.values.some(predicate) || this.error !== undefined, what, timeoutMs);
    const found = this.values.find(predicate);
    if (found === undefined) throw new Error(`stream failed while waiting for ${what}: ${String(this.error)}`);
    return found;
  }

  /** Waits for the stream to fail and returns the error. */
  async failure(what: string, timeoutMs = 30_000): Promise<unknown> {
    await waitFor(() => this.error !== undefined, what, timeoutMs);
    return this.error;
  }

  unsubscribe(): void {
    this.subscription.unsubscribe();
  }
}

/** One JSON line a fixture printed. */
export type Report = { readonly event: string; readonly at: number } & Record<string, unknown>;

/**
 * A fixture script under spec/ run in its own Node process (through tsx, in-process, so that
 * signals reach the client itself).
 * @example const child = ChildClient.start('lock/fixtures/hold-lock.ts', [endpoints, 'name', '3'])
 */
export class ChildClient {
  readonly reports: Report[] = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim() !== '') this.reports.push({ ...JSON.parse(line), at: Date.now() } as Report);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  static start(fixture: string, args: readonly string[]): ChildClient {
    const script = path.join(__dirname, '..', fixture);
    return new ChildClient(
      spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Waits for a report of `event` (matching `predicate`) and returns it. */
  async report(event: string, what: string, timeoutMs = 30_000, predicate: (r: Report) => boolean = () => true): Promise<Report> {
    const find = () => this.reports.find((r) => r.event === event && predicate(r));
    await waitFor(() => find() !== undefined || this.child.exitCode !== null, what, timeoutMs);
    const found = find();
    if (found === undefined) throw new Error(`the child exited (${this.child.exitCode}) before ${what}; stderr: ${this.stderr}`);
    return found;
  }

  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** SIGKILLs the child and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Prints one report line (used by fixtures). */
export function report(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}
