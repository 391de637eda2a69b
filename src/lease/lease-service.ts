/**
 * A lease as a stream: granted on subscribe, kept alive while subscribed, revoked on unsubscribe,
 * and lost as a typed error. Each keep-alive is one short request (etcd answers a one-message
 * keep-alive at once), hedged: when no answer came within a twelfth of the TTL, the same renewal
 * also goes to the next member, and so on, the first answer winning. Neither a frozen member nor
 * a leader election (whose forwarded keep-alives hang for about 7 s, measured) stalls renewal:
 * the first keep-alive sent after a new leader is elected renews the lease. A local deadline (last successful keep-alive + TTL) raises the
 * loss even when the client itself was frozen or cut off and the server never said a word.
 */
import { connect, defer, expand, finalize, map, merge, mergeMap, Observable, of, SchedulerLike, switchMap, throwError, timer } from 'rxjs';
import { EtcdInvalidArgumentError, LeaseLostError } from '../errors';
import { hexLeaseId } from '../ids';
import { optionsOf } from '../validate';
import { Lifecycle } from '../resilience/lifecycle';
import { checkTtl, LeaseCalls, leaseGone } from './lease-calls';
import { LeaseEvent, LeaseId, LeaseOptions } from './types';

/** Makes a LeaseCalls whose every attempt on one endpoint is timed out after `attemptTimeoutMs`. */
export type LeaseCallsFactory = (attemptTimeoutMs: number) => LeaseCalls;

// Renewal and grant attempts are cut at a quarter of the TTL, so a hung member leaves time to try others.
const ATTEMPT_SHARE_OF_TTL = 0.25;
const MIN_ATTEMPT_TIMEOUT_MS = 250;
// A renewal unanswered for a third of an attempt's time also goes to the next member: a healthy
// member answers in milliseconds, so this costs nothing until one hangs.
const HEDGES_PER_ATTEMPT = 3;
// No renewal succeeds while etcd elects a new leader: one to two election timeouts (1 to 2 s by
// default, more on a loaded machine). Renewed every TTL/3, a 3 s lease has only 2 s left for that
// at worst, and a rolling restart can outlast it; renewed every TTL/6 it has 2.5 s.
const SHORT_TTL_S = 6;

/**
 * Leases that keep themselves alive.
 * @example new LeaseService(calls, (ms) => new LeaseCalls(callerWithTimeout(ms)), lifecycle, 5000, asyncScheduler).lease(10)
 */
export class LeaseService {
  constructor(
    private readonly calls: LeaseCalls,
    private readonly callsWithTimeout: LeaseCallsFactory,
    private readonly lifecycle: Lifecycle,
    private readonly requestTimeoutMs: number,
    /** The client's clock: renewals and deadlines are timed on it. */
    private readonly clock: SchedulerLike,
  ) {}

  /**
   * Grants a lease of `ttl` seconds on subscribe, emits it, renews it every TTL/3 (TTL/6 below 6 s) (emitting each
   * renewal), and revokes it on unsubscribe. Fails with LeaseLostError when the server says it is
   * gone, or when no keep-alive succeeded for a whole TTL.
   * @example etcd.lease(10).subscribe((e) => console.log(e.type, e.id, e.ttl))
   */
  lease(ttl: number, given?: LeaseOptions): Observable<LeaseEvent> {
    return this.lifecycle.track(
      defer(() => {
        const options: LeaseOptions = optionsOf(given, 'lease');
        const requested = checkTtl(ttl);
        const everyMs = checkEvery(options.keepAliveEveryMs, requested);
        const calls = this.callsWithTimeout(this.attemptTimeoutMs(requested));
        const askedAt = this.now();
        return calls.grant(requested, options.id).pipe(
          switchMap((grant) => {
            // The server's clock starts no earlier than the request left, so this deadline is never late.
            const granted: LeaseEvent = {
              type: 'granted',
              id: grant.id,
              idHex: grant.idHex,
              ttl: grant.ttl,
              validUntil: askedAt + grant.ttl * 1000,
              header: grant.header,
            };
            return this.renewEvery(calls, granted, everyMs ?? defaultRenewalMs(grant.ttl)).pipe(
              finalize(() => this.lifecycle.cleanUp(grant.id, this.calls.revoke(grant.id))),
            );
          }),
        );
      }),
    );
  }

  /**
   * Keeps an existing lease alive (renewing it at once, then every TTL/3) and emits each renewal,
   * until unsubscribed; unlike `lease()` it neither grants nor revokes: the lease belongs to
   * whoever granted it. Fails with LeaseLostError like `lease()`.
   * @example leases.keepAlive(id).subscribe((e) => console.log('renewed to', e.ttl))
   */
  keepAlive(id: LeaseId, given?: Pick<LeaseOptions, 'keepAliveEveryMs'>): Observable<LeaseEvent> {
    return this.lifecycle.track(
      defer(() => {
        const options: Pick<LeaseOptions, 'keepAliveEveryMs'> = optionsOf(given, 'keepAlive');
        const sentAt = this.now();
        // The first renewal also tells the lease's TTL, which sets the pace and the attempt timeouts.
        return this.calls.keepAliveOnce(id).pipe(
          switchMap((answer) => {
            if (answer.ttl === 0) throw leaseGone(String(id));
            const calls = this.callsWithTimeout(this.attemptTimeoutMs(answer.ttl));
            const first: LeaseEvent = {
              type: 'renewed',
              id: answer.id,
              idHex: hexLeaseId(answer.id),
              ttl: answer.ttl,
              validUntil: sentAt + answer.ttl * 1000,
              header: answer.header,
            };
            return this.renewEvery(calls, first, checkEvery(options.keepAliveEveryMs, answer.ttl) ?? defaultRenewalMs(answer.ttl));
          }),
        );
      }),
    );
  }

  /**
   * Completes once the revocation that the end of lease `id`'s stream started has ended.
   * @example concat(work$, leases.revoked(lease.id))
   */
  revoked(id: string): Observable<never> {
    return this.lifecycle.cleanedUp(id);
  }

  private now(): number {
    return this.clock.now();
  }

  private attemptTimeoutMs(ttl: number): number {
    return Math.min(this.requestTimeoutMs, Math.max(MIN_ATTEMPT_TIMEOUT_MS, ttl * 1000 * ATTEMPT_SHARE_OF_TTL));
  }

  /** Emits `first`, then renews every `everyMs`, emitting each renewal, until unsubscribed or lost. */
  private renewEvery(calls: LeaseCalls, first: LeaseEvent, everyMs: number): Observable<LeaseEvent> {
    const id = first.id;
    const hedgeMs = this.attemptTimeoutMs(first.ttl) / HEDGES_PER_ATTEMPT;
    // Valid from when the attempt that answered was sent, not from the renewal's first attempt: a
    // renewal that hedged through a leader election for 2 s would otherwise leave the lease 2 s
    // short, and the next election (a rolling restart) would outlast it.
    const renewOnce = calls.keepAliveHedged(id, hedgeMs).pipe(
      map((answer): LeaseEvent => ({
        type: 'renewed',
        id,
        idHex: hexLeaseId(id),
        ttl: answer.ttl,
        validUntil: answer.sentAt + answer.ttl * 1000,
        header: answer.header,
      })),
    );
    // Each renewal is due `everyMs` after the attempt the last one was credited from was sent, not
    // after its answer: one that waited out an election and was answered late is followed at once,
    // so the next leader's death still finds the lease with all but `everyMs` of its TTL left.
    const sentAt = (event: LeaseEvent) => event.validUntil - event.ttl * 1000;
    const firstAndRenewals = of(first).pipe(
      expand((last) => timer(Math.max(0, sentAt(last) + everyMs - this.now()), this.clock).pipe(switchMap(() => renewOnce))),
    );
    const unreachable = () => new LeaseLostError(id, 'unreachable', `no keep-alive succeeded within its TTL of ${first.ttl} s`);
    return firstAndRenewals.pipe(
      map((event) => {
        // An answer that lands after its own deadline (the process was frozen while it was in
        // flight) proves nothing about now: the server may have dropped the lease since.
        if (this.now() >= event.validUntil) throw unreachable();
        return event;
      }),
      connect((events) =>
        merge(
          events,
          events.pipe(
            switchMap((event) => timer(event.validUntil - this.now(), this.clock)),
            mergeMap(() => throwError(unreachable)),
          ),
        ),
      ),
    );
  }
}

/** How often a lease of `ttl` seconds is renewed unless told: every TTL/3, every TTL/6 below SHORT_TTL_S. */
function defaultRenewalMs(ttl: number): number {
  return (ttl * 1000) / (ttl < SHORT_TTL_S ? 6 : 3);
}

function checkEvery(everyMs: number | undefined, ttl: number): number | undefined {
  if (everyMs !== undefined && !(everyMs > 0 && everyMs < ttl * 1000)) {
    throw new EtcdInvalidArgumentError(`keepAliveEveryMs must be between 0 and the TTL (${ttl * 1000} ms), got ${String(everyMs)}`);
  }
  return everyMs;
}
