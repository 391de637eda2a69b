/**
 * The failover kernel: what every call and stream does on the endpoints, whatever it is. One
 * attempt runs on one endpoint; an answer makes that endpoint the preferred one, a transient
 * failure demotes it. A failed attempt is tried again on the next endpoint at once, and after a
 * sweep over every endpoint with backoff, as long as the call's repeatability allows it (see
 * retry-policy) and until the loop gives up, reporting every endpoint's last failure. Unary
 * calls and streams differ only in what one attempt is and when to give up, as in etcd's
 * clientv3 retry interceptor. A deadline over a whole operation wraps this loop from outside:
 * unsubscribing ends the attempt in flight and any backoff.
 */
import { MonoTypeOperatorFunction, Observable, Observer, SchedulerLike, Subscription } from 'rxjs';
import { diagnostics } from '../diagnostics/channels';
import { EtcdClientClosedError, EtcdTimeoutError, EtcdUnavailableError } from '../errors';
import { Endpoint, EndpointPool, Sweep } from './endpoint-pool';
import { FailureRecord } from './failure-record';
import { RetryPolicy } from '../options';
import { backoffDelay, classifyFailure, isRetryable, isTransient, memberAnswered, Repeatability } from './retry-policy';
import { after, Limit, timeWatched } from './time-limit';

/** What differs between the loops over the endpoints. */
export interface RetryLoop {
  /** Whether a failure that may have reached a server is retried (see Repeatability). */
  readonly retry: Repeatability;
  /** The backoff between sweeps (and `attempts`, when `giveUp` uses it). */
  readonly policy: RetryPolicy;
  /**
   * Whether to stop after another failure, given the failures since the last answer and the
   * backoff the next attempt would wait for.
   */
  readonly giveUp: (failures: FailureRecord, now: number, nextDelayMs: number) => boolean;
  /** The operation, as `etcd-rx:failover` names it (see methodOf). */
  readonly method?: string;
  /** Called with every answer (a stream's first answer proves its endpoint serves it). */
  readonly answered?: () => void;
  /** Called with every failure of an attempt, before it is classified. */
  readonly failed?: (error: unknown) => void;
  /** The error the loop ends with, for the one it would end with (a deadline says it ran out). */
  readonly explain?: (error: unknown) => unknown;
  /** Called when the loop ends, however it ends. */
  readonly stop?: () => void;
  /**
   * Whether an attempt errors by itself once its endpoint is demoted (a stream's guard does, once
   * per socket rather than once per stream); otherwise a repeatable attempt is made to.
   */
  readonly leavesWhenDemoted?: boolean;
}

/**
 * Runs `attempt` on one endpoint after another until one succeeds, the error may not be
 * retried, or `loop.giveUp` says so (then EtcdAllEndpointsFailedError). A value emitted proves
 * the endpoint good: the failures are forgotten and the next failure starts a new sweep from it,
 * so a stream that breaks later resumes with a full retry budget. A repeatable attempt also
 * leaves its endpoint as soon as anything else demotes it (see MemberHealth); every transient
 * failure is told to `etcd.endpointStates()` as a failover, and to `etcd-rx:failover` once the next
 * attempt goes to another endpoint. `attempt` is given the endpoint and the attempt's number (1, 2, …).
 * @example retryAcrossEndpoints(pool, { retry: 'repeatable', policy, giveUp: (f) => f.count >= 8 }, (ep) => send(ep, path, body))
 */
export function retryAcrossEndpoints<T>(pool: EndpointPool, loop: RetryLoop, attempt: (endpoint: Endpoint, attempt: number) => Observable<T>): Observable<T> {
  // One subscriber runs the whole loop (rather than a `retry` operator over a `defer`): every
  // call and stream passes here, and rxjs' operators cost a few KB of garbage per call.
  return new Observable<T>((subscriber) => {
    const failures = new FailureRecord();
    const sweep = new Sweep(pool);
    let sweeps = 0;
    let attempts = 0;
    let lastFailure: { readonly endpoint: string; readonly reason: string } | undefined;
    let current: Endpoint | undefined;
    let inFlight: Subscription | undefined;
    let cancelWait: (() => void) | undefined;
    // A repeatable attempt leaves its endpoint once anything demotes it (see `demotion`).
    const leaves = loop.retry === 'repeatable' && loop.leavesWhenDemoted !== true;
    let stopListening: (() => void) | undefined;
    let leftOnDemotion = false;
    const hooks: AttemptHooks = {
      answered: () => {
        loop.answered?.();
        if (failures.count > 0 || sweep.triedCount > 1) {
          sweep.restartFrom(current as Endpoint);
          sweeps = 0;
          failures.clear();
        }
      },
      failed: (error: unknown) => {
        const endpoint = current as Endpoint;
        if (isTransient(error)) {
          failures.note(endpoint.url, error as Error, pool.now());
          pool.health.failedOver(endpoint.url, error);
          lastFailure = { endpoint: endpoint.url, reason: (error as Error).message };
        }
        if (!leftOnDemotion) loop.failed?.(error);
        return classifyFailure(error, loop.retry);
      },
    };
    // After a failure: the next attempt after its backoff, or the end of the loop.
    const ended = () => {
      inFlight = undefined;
      stopListening?.();
      stopListening = undefined;
    };
    const fail = (error: unknown) => subscriber.error(loop.explain === undefined ? error : loop.explain(error));
    const again = (error: unknown) => {
      ended();
      if (!isRetryable(error, loop.retry)) return fail(error);
      if (pool.closed) return fail(new EtcdClientClosedError());
      const delay = sweep.ended ? backoffDelay(sweeps++, loop.policy) : 0;
      if (loop.giveUp(failures, pool.now(), delay)) return fail(failures.allFailed());
      cancelWait = after(delay, next, pool.clock);
    };
    const observer = {
      next: (value: T) => subscriber.next(value),
      error: again,
      complete: () => {
        ended();
        subscriber.complete();
      },
    };
    const next = () => {
      cancelWait = undefined;
      if (pool.closed) return fail(new EtcdClientClosedError());
      let sent: Observable<T>;
      let endpoint: Endpoint;
      try {
        endpoint = current = sweep.next();
        if (lastFailure !== undefined && lastFailure.endpoint !== endpoint.url) {
          const { endpoint: from, reason } = lastFailure;
          diagnostics.failover.publish(() => ({ method: loop.method, from, to: endpoint.url, reason }));
        }
        lastFailure = undefined;
        sent = attempt(endpoint, ++attempts);
      } catch (error: unknown) {
        return again(error);
      }
      let observed = observing(pool, endpoint, hooks, observer);
      leftOnDemotion = false;
      if (leaves) {
        const from = endpoint;
        const own = observed;
        stopListening = pool.health.whenDemoted(from.url, (change) => {
          leftOnDemotion = true;
          inFlight?.unsubscribe();
          own.error(demotedError(from, change));
        });
        // The attempt's own failure demotes its endpoint: that is no reason to leave it twice.
        observed = {
          next: own.next,
          error: (error: unknown) => {
            ended();
            own.error(error);
          },
          complete: own.complete,
        };
      }
      const subscription = sent.subscribe(observed);
      // An attempt may end at once (its end then started the next wait or ended the loop), be
      // left at once (its endpoint demoted while it was being sent), and a caller may leave at
      // its first answer: all before the subscription is known here.
      if (subscriber.closed || (leftOnDemotion && current === endpoint)) subscription.unsubscribe();
      else if (!subscription.closed) inFlight = subscription;
    };
    next();
    return () => {
      inFlight?.unsubscribe();
      stopListening?.();
      cancelWait?.();
      loop.stop?.();
    };
  });
}

/** What the caller of one attempt does besides: after each answer, and with a failure (what it answers is passed on). */
export interface AttemptHooks {
  readonly answered?: () => void;
  readonly failed?: (error: unknown) => unknown;
}

/**
 * One attempt on one endpoint: an answer makes it the pool's preferred endpoint, a transient
 * failure demotes it; then `hooks` run. One subscriber rather than taps and a catchError: every
 * call and every watch goes through it, and a client may hold thousands of watches.
 * @example attemptOn(pool, endpoint, postJson(endpoint, path, body).pipe(requestTimeLimit(5000, endpoint, pool.clock)))
 */
export function attemptOn<T>(pool: EndpointPool, endpoint: Endpoint, call: Observable<T>, hooks: AttemptHooks = {}): Observable<T> {
  return new Observable<T>((subscriber) => call.subscribe(observing(pool, endpoint, hooks, subscriber)));
}

/** The observer of one attempt on `endpoint` (see attemptOn), telling `into` what it should hear. */
function observing<T>(pool: EndpointPool, endpoint: Endpoint, hooks: AttemptHooks, into: Observer<T>): Observer<T> {
  return {
    next: (value) => {
      pool.answered(endpoint);
      hooks.answered?.();
      into.next(value);
    },
    error: (error: unknown) => {
      // Leaving an endpoint demoted by another says nothing new of it: demoting it again here
      // would mark a member that answered as silent, and send calls on to the frozen one.
      if (isTransient(error) && !(error instanceof LeftDemotedError))
        pool.demote(endpoint, (error as Error).message, memberAnswered(error) ? 'answered' : 'silent');
      into.error(hooks.failed === undefined ? error : hooks.failed(error));
    },
    complete: () => into.complete(),
  };
}

/** The failure of an attempt that left its endpoint because something else demoted it; to users an EtcdUnavailableError. */
class LeftDemotedError extends EtcdUnavailableError {
  override name = 'EtcdUnavailableError';
}

/**
 * Never emits; errors (EtcdUnavailableError) once `endpoint` is demoted, whoever demoted it.
 * @example merge(stream$, demotion(pool, endpoint)) // leaves the endpoint with everyone else
 */
export function demotion(pool: EndpointPool, endpoint: Endpoint): Observable<never> {
  return new Observable<never>((subscriber) => pool.health.whenDemoted(endpoint.url, (change) => subscriber.error(demotedError(endpoint, change))));
}

function demotedError(endpoint: Endpoint, change: { readonly reason: string }): EtcdUnavailableError {
  return new LeftDemotedError(`${endpoint.url} was demoted while this waited on it (${change.reason})`, false, { endpoint: endpoint.url });
}

/**
 * The time limit of one request to `endpoint`: EtcdTimeoutError (request sent) after `ms`.
 * @example postJson(endpoint, path, body).pipe(requestTimeLimit(5000, endpoint, pool.clock))
 */
export function requestTimeLimit<T>(ms: number, endpoint: Endpoint, clock: SchedulerLike): MonoTypeOperatorFunction<T> {
  return (source) => timeWatched(source, clock, requestLimit(ms, endpoint));
}

/**
 * The limit of requestTimeLimit, for timeWatched.
 * @example timeWatched(call, pool.clock, requestLimit(5000, endpoint), stall)
 */
export function requestLimit(ms: number, endpoint: Endpoint): Limit {
  return { ms, onTimeout: () => new EtcdTimeoutError(ms, true, { endpoint: endpoint.url }) };
}
