/**
 * What a client keeps open beyond single calls: streams that hold something (a lease, a lock, a
 * leadership) or follow something (a watch, an observation), and the clean-up calls their
 * teardown starts (revoking a lease). `close()` ends the streams and waits for the clean-ups, so
 * that a closed client leaves no lease behind on the server, and no timer or socket in the process.
 */
import { finalize, Observable, SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { after } from './time-limit';
import { EtcdClientClosedError } from '../errors';

/**
 * How close() ends a stream: a holder errors (whoever holds must stop acting on what it held),
 * a follower completes (the usual way to stop following, so shutting down is not a failure).
 */
export type OnClose = 'error' | 'complete';

interface CleanUp {
  readonly finished: Promise<void>;
  subscription?: Subscription;
}

/**
 * The open streams and pending clean-ups of one client.
 * @example
 * const lifecycle = new Lifecycle(asyncScheduler)
 * lifecycle.track(keepAlive$).subscribe()
 * await lifecycle.close(5000)
 */
export class Lifecycle {
  private readonly streams = new Map<Subscriber<unknown>, OnClose>();
  private readonly cleanUps = new Map<string, CleanUp>();
  private isClosed = false;

  /** @param clock what close() times its wait for the clean-ups on */
  constructor(private readonly clock: SchedulerLike) {}

  /**
   * Runs `source` until it ends by itself, or until close() ends it: with EtcdClientClosedError,
   * or by completing it when `onClose` is 'complete'. Subscribing after close() is an error.
   * @example lifecycle.track(observe$, 'complete').subscribe(console.log)
   */
  track<T>(source: Observable<T>, onClose: OnClose = 'error'): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.isClosed) {
        subscriber.error(new EtcdClientClosedError());
        return undefined;
      }
      this.streams.set(subscriber, onClose);
      const inner = source.subscribe(subscriber);
      return () => {
        this.streams.delete(subscriber);
        inner.unsubscribe();
      };
    });
  }

  /**
   * Runs a clean-up call that must outlive the unsubscribe that caused it (revoking a lease).
   * Its failure is ignored: a clean-up is best effort (an unrevoked lease still expires).
   * @example finalize(() => lifecycle.cleanUp(lease.id, leaseCalls.revoke(lease.id)))
   */
  cleanUp(key: string, call: Observable<unknown>): void {
    let done!: () => void;
    const entry: CleanUp = { finished: new Promise<void>((resolve) => (done = resolve)) };
    this.cleanUps.set(key, entry);
    const subscription = call
      .pipe(
        finalize(() => {
          if (this.cleanUps.get(key) === entry) this.cleanUps.delete(key);
          done();
        }),
      )
      .subscribe({ error: () => undefined });
    if (!subscription.closed) entry.subscription = subscription;
  }

  /**
   * Completes once the clean-up started under `key` has ended (at once when there is none).
   * @example concat(work$, lifecycle.cleanedUp(leaseId))
   */
  cleanedUp(key: string): Observable<never> {
    return new Observable<never>((subscriber) => {
      const entry = this.cleanUps.get(key);
      if (entry === undefined) subscriber.complete();
      else void entry.finished.then(() => subscriber.complete());
    });
  }

  /**
   * Ends every tracked stream (as its `onClose` says), then waits up to `waitMs` for the
   * clean-ups that starts; those still running then are abandoned.
   * @example await lifecycle.close(options.requestTimeoutMs)
   */
  async close(waitMs: number): Promise<void> {
    this.isClosed = true;
    for (const [stream, onClose] of [...this.streams]) {
      if (onClose === 'complete') stream.complete();
      else stream.error(new EtcdClientClosedError());
    }
    const pending = [...this.cleanUps.values()];
    if (pending.length > 0) {
      let cancel: (() => void) | undefined;
      await Promise.race([Promise.all(pending.map((entry) => entry.finished)), new Promise<void>((resolve) => (cancel = after(waitMs, resolve, this.clock)))]);
      cancel?.();
    }
    for (const entry of this.cleanUps.values()) entry.subscription?.unsubscribe();
  }
}
