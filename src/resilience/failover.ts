/**
 * Failover of unary calls: each attempt is timed out, and a call to an endpoint that has been
 * silent is preceded by a liveness probe; a repeatable call still unanswered after a moment
 * probes its member and leaves it when even the probe goes unanswered. The loop over the
 * endpoints is the kernel's (retry-loop); what may be retried is decided by retry-policy.
 */
import { concat, Observable, throwError } from 'rxjs';
import { EtcdTimeoutError } from '../errors';
import { Deadline } from './deadline';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { LeaderLookout } from './leader-sighting';
import { probe } from './liveness-probe';
import { requestLimit, retryAcrossEndpoints, RetryLoop } from './retry-loop';
import { RetryPolicy } from '../options';
import { Repeatability } from './retry-policy';
import { stallCheck } from './stall-check';
import { Stall, timeWatched } from './time-limit';

/** Timing of calls. */
export interface FailoverSettings {
  /** How long one attempt on one endpoint may take. */
  readonly requestTimeoutMs: number;
  /**
   * A call to an endpoint silent for longer than this is preceded by a liveness probe: a frozen
   * member then costs a non-repeatable call nothing (it is not sent), and a repeatable one a
   * probe's second rather than a request timeout (what a fresh client, such as one CLI command,
   * meets first).
   */
  readonly probeAfterIdleMs: number;
  /**
   * A repeatable call unanswered for this long makes its member suspect: the member is probed,
   * and the call leaves it when the probe goes unanswered too.
   */
  readonly stallCheckAfterMs: number;
  /** How long a liveness probe may take (at most the request timeout). */
  readonly probeTimeoutMs: number;
  readonly retry: RetryPolicy;
  /** The longest a whole call may take, every retry and backoff included. */
  readonly deadlineMs: number;
}

/**
 * Runs `attempt` on one endpoint after another until one succeeds or the policy gives up: after
 * `retry.attempts` attempts (at least one per endpoint), with EtcdAllEndpointsFailedError naming
 * each endpoint and its last failure; when `deadlineMs` (by default the settings') has passed,
 * with EtcdDeadlineExceededError; when no member that answered knows a leader, with
 * EtcdQuorumLostError.
 * @example withFailover(pool, settings, 'repeatable', (ep, n) => pool.send({ method: 'range', endpoint: ep, attempt: n, exchange }))
 */
export function withFailover<T>(
  pool: EndpointPool,
  settings: FailoverSettings,
  retry: Repeatability,
  attempt: (endpoint: Endpoint, attempt: number) => Observable<T>,
  deadlineMs = settings.deadlineMs,
  method?: string,
): Observable<T> {
  const attempts = Math.max(settings.retry.attempts, pool.size);
  const probeCapMs = Math.min(settings.requestTimeoutMs, settings.probeTimeoutMs);
  // The loop itself explains the failure and stops the lookout (rather than a catchError and a
  // finalize, or a subscriber of its own): every unary call passes here.
  return new Observable<T>((subscriber) => {
    const deadline = new Deadline(deadlineMs, pool.clock);
    const lookout = new LeaderLookout(pool, Math.min(probeCapMs, SIGHTING_TIMEOUT_MS), pool.now());
    const loop: RetryLoop = {
      retry,
      policy: settings.retry,
      // No attempt is started that the deadline would cut before it could even be sent.
      giveUp: (failures, _now, nextDelayMs) => failures.count >= attempts || !deadline.allows(nextDelayMs),
      method,
      failed: (error) => lookout.failed(error),
      explain: (error) => lookout.explain(deadline.explain(error)),
      stop: () => lookout.stop(),
    };
    return retryAcrossEndpoints(pool, loop, (endpoint, n) => {
      if (deadline.passed)
        return throwError(() => new EtcdTimeoutError(deadline.ms, false, { endpoint: endpoint.url, what: 'call, out of time before it was sent,' }));
      return attemptOnce(pool, settings, retry, endpoint, attempt(endpoint, n), deadline);
    }).subscribe(subscriber);
  });
}

/** One attempt, with its probe and stall check, each limited by the operation's deadline. */
function attemptOnce<T>(
  pool: EndpointPool,
  settings: FailoverSettings,
  retry: Repeatability,
  endpoint: Endpoint,
  sent: Observable<T>,
  deadline: Deadline,
): Observable<T> {
  const { stallCheckAfterMs } = settings;
  const probeMs = deadline.limit(Math.min(settings.requestTimeoutMs, settings.probeTimeoutMs));
  const suspected = () => {
    pool.health.set(endpoint.url, 'suspect', `a call has been unanswered for ${stallCheckAfterMs} ms; probing it`);
    return probe(pool, endpoint, probeMs);
  };
  // Only repeatable calls: a non-repeatable one already sent is an unknown outcome either way, and waiting lets it land.
  const stall: Stall | undefined =
    retry === 'repeatable' && settings.requestTimeoutMs > stallCheckAfterMs + probeMs
      ? { afterMs: stallCheckAfterMs, check: suspected, onDead: () => stalled(endpoint, stallCheckAfterMs) }
      : undefined;
  const call = timeWatched(sent, pool.clock, requestLimit(deadline.limit(settings.requestTimeoutMs), endpoint), stall);
  // The pool's timestamps are read on the pool's clock.
  if (pool.now() - endpoint.lastAnsweredAt <= settings.probeAfterIdleMs) return call;
  // A repeatable call is sent at once rather than after a probe (it may be sent again anyway),
  // and its answer proves the member alive: a live member answers within ALONE_MS, and the call
  // is then the only request (all a CLI command sends). Only a call still unanswered by then has
  // its member probed, with what is left of the probe's time: a member that answers neither
  // ends the attempt (the call is cancelled) within probeMs of its start, as a probe alone would.
  if (retry === 'repeatable') {
    const aloneMs = Math.min(ALONE_MS, probeMs / 2);
    return call.pipe(
      stallCheck(
        aloneMs,
        () => probe(pool, endpoint, probeMs - aloneMs),
        (cause) => cause as Error,
        pool.clock,
      ),
    );
  }
  return concat(probe(pool, endpoint, probeMs), call);
}

/** How long a repeatable call to a silent member waits for its answer before its member is probed. */
const ALONE_MS = 100;

// A live member answers its status in a millisecond or two; only a leaderless answer matters.
const SIGHTING_TIMEOUT_MS = 500;
function stalled(endpoint: Endpoint, afterMs: number): EtcdTimeoutError {
  return new EtcdTimeoutError(afterMs, true, { endpoint: endpoint.url, what: 'read, whose member then failed a liveness probe,' });
}
