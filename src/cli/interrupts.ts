/**
 * Ctrl-C (SIGINT) and SIGTERM as a clean way out: the first signal unsubscribes what is running,
 * so that locks are released, campaigns resigned and leases revoked before the process ends; a
 * second signal ends the process at once (after the `onForcedExit` actions).
 */
import { Observable, Subscription } from 'rxjs';
import { signalExitCode } from './exit-codes';

/** How a run ended. */
export type Ending =
  { readonly type: 'completed' } | { readonly type: 'failed'; readonly error: unknown } | { readonly type: 'interrupted'; readonly signal: NodeJS.Signals };

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * The signals of one CLI run.
 * @example
 * const interrupts = new Interrupts()
 * const uninstall = interrupts.install()
 * const ending = await interrupts.run(etcd.watch('k'), print)
 */
export class Interrupts {
  private received: NodeJS.Signals | undefined;
  private readonly listeners = new Set<(signal: NodeJS.Signals) => void>();
  private readonly forcedExitActions = new Set<() => void>();

  constructor(private readonly exitNow: (code: number) => void = (code) => process.exit(code)) {}

  /** Handles SIGINT and SIGTERM from now on; returns the function that stops handling them. */
  install(): () => void {
    for (const signal of SIGNALS) process.on(signal, this.handle);
    return () => {
      for (const signal of SIGNALS) process.off(signal, this.handle);
    };
  }

  /** The first signal received, if any. */
  get signal(): NodeJS.Signals | undefined {
    return this.received;
  }

  /**
   * Calls `listener` at the first signal (at once if it came already); returns a remover.
   * @example const stop = interrupts.onSignal((s) => child.kill(s))
   */
  onSignal(listener: (signal: NodeJS.Signals) => void): () => void {
    if (this.received !== undefined) {
      listener(this.received);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `action` (synchronously) just before a second signal ends the process; returns a remover.
   * @example const stop = interrupts.onForcedExit(() => child.kill('SIGKILL'))
   */
  onForcedExit(action: () => void): () => void {
    this.forcedExitActions.add(action);
    return () => this.forcedExitActions.delete(action);
  }

  /**
   * Runs `source`, handing each value to `next`, until it completes, fails (also when `next`
   * throws) or a signal arrives, which unsubscribes it, unless `keepRunning(signal)` says that
   * the source will end by itself (a command that received the signal too).
   * @example const ending = await interrupts.run(etcd.get('k'), print)
   */
  run<T>(source: Observable<T>, next: (value: T) => void, keepRunning: (signal: NodeJS.Signals) => boolean = () => false): Promise<Ending> {
    return new Promise<Ending>((resolve) => {
      let ended = false;
      let subscription: Subscription | undefined;
      let stopListening = (): void => undefined;
      const end = (ending: Ending) => {
        if (ended) return;
        ended = true;
        stopListening();
        subscription?.unsubscribe();
        resolve(ending);
      };
      subscription = source.subscribe({
        next: (value) => {
          if (ended) return;
          try {
            next(value);
          } catch (error) {
            end({ type: 'failed', error });
          }
        },
        error: (error: unknown) => end({ type: 'failed', error }),
        complete: () => end({ type: 'completed' }),
      });
      if (ended) subscription.unsubscribe();
      else stopListening = this.onSignal((signal) => keepRunning(signal) || end({ type: 'interrupted', signal }));
    });
  }

  /**
   * Acts as if `signal` had arrived (a closed output pipe is reported as SIGPIPE).
   * @example process.stdout.on('error', () => interrupts.interrupt('SIGPIPE'))
   */
  interrupt(signal: NodeJS.Signals): void {
    this.handle(signal);
  }

  private readonly handle = (signal: NodeJS.Signals): void => {
    if (this.received !== undefined) {
      for (const action of [...this.forcedExitActions]) action();
      this.exitNow(signalExitCode(signal));
      return;
    }
    this.received = signal;
    for (const listener of [...this.listeners]) listener(signal);
  };
}
