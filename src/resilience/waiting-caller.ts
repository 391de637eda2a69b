/**
 * Calls that wait on the server for as long as it takes (taking a lock, campaigning) or stream
 * for ever (observing an election). No request timeout fits them, and a frozen member would make
 * them hang for ever: it still accepts connections and simply never answers. So while such a call
 * is outstanding the member monitor asks its member every so often; when a probe goes unanswered
 * the call fails like a timed-out one and the member is demoted, so the next call goes elsewhere.
 */
import { catchError, defer, map, Observable, repeat, tap, throwError, timer } from 'rxjs';
import { EtcdTimeoutError } from '../errors';
import { Call, Decoder, methodOf } from '../pipeline/call';
import { SeenRevision } from './seen-revision';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { probe } from './liveness-probe';
import { attemptOn, retryAcrossEndpoints } from './retry-loop';
import { RetryPolicy } from '../options';
import { backoffDelay } from './retry-policy';

/** Timing of waiting calls. */
export interface WaitingSettings {
  /** How often the member of an outstanding call is probed. */
  readonly probeEveryMs: number;
  /** How long a probe may take before the member counts as gone. */
  readonly probeTimeoutMs: number;
  readonly retry: RetryPolicy;
}

/**
 * The settings a client uses: a probe every `waitProbeEveryMs` (1 s), given up after
 * `waitProbeTimeoutMs` (1.5 s) or the request timeout, if shorter. A live member answers
 * `/version` in about a millisecond.
 * @example routeCalls(pool, { ...options, waiting: waitingSettings(options) }, seen)
 */
export function waitingSettings(options: {
  readonly requestTimeoutMs: number;
  readonly waitProbeEveryMs: number;
  readonly waitProbeTimeoutMs: number;
  readonly retry: RetryPolicy;
}): WaitingSettings {
  return { probeEveryMs: options.waitProbeEveryMs, probeTimeoutMs: Math.min(options.requestTimeoutMs, options.waitProbeTimeoutMs), retry: options.retry };
}

/**
 * Calls that wait on the server (`waitOn`) or stream from it for ever (`follow`).
 * @example waiting.waitOn('/v3/lock/lock', { name, lease }, decodeLock)
 */
export interface WaitingCalls {
  waitOn<T>(path: string, body: unknown, decode: Decoder<T>): Observable<T>;
  follow(path: string, body: unknown): Observable<Record<string, unknown>>;
}

/**
 * One call to one endpoint (the pool's current choice), answered whenever the server is done
 * waiting (a lock, a campaign). It is not retried here: whether a retry is safe depends on the
 * call (see concurrency/hold). Fails with a transient error when the member stops answering
 * probes. Every answer's revision is recorded in `seen`: a lock or a leadership is granted at the
 * cluster's current revision, and what follows reads at least that.
 * @example waitOnOneEndpoint(pool, settings, seen, { path: '/v3/lock/lock', body, decode: decodeLock, ... })
 */
export function waitOnOneEndpoint<T>(pool: EndpointPool, settings: WaitingSettings, seen: SeenRevision, call: Call<T>): Observable<T> {
  return pool.ifOpen(() => {
    const endpoint = pool.pick(new Set());
    const answered = pool.send({ method: methodOf(call.path), endpoint, attempt: 1, exchange: { kind: 'post', path: call.path, body: call.body } }).pipe(
      map((json) => {
        seen.record(json, endpoint.url);
        return call.decode(json, endpoint.url);
      }),
    );
    return attemptOn(pool, endpoint, watched(pool, settings, endpoint, answered));
  });
}

/**
 * A streaming call followed for ever, emitting each message's decoded `result`: opened again
 * when the server ends it, on another endpoint when it fails. Errors at once on a failure no
 * retry can fix, and with EtcdAllEndpointsFailedError after `retry.attempts` failures in a row
 * with nothing received in between.
 * @example followForever(pool, settings, { path: '/v3/election/observe', body: { name }, ... })
 */
export function followForever<T>(pool: EndpointPool, settings: WaitingSettings, call: Call<T>): Observable<T> {
  return defer(() => {
    const policy = settings.retry;
    const attempts = Math.max(policy.attempts, pool.size);
    const method = methodOf(call.path);
    let quietEnds = 0;
    return retryAcrossEndpoints(pool, { retry: 'repeatable', policy, giveUp: (failures) => failures.count >= attempts, method }, (endpoint, attempt) =>
      watched(
        pool,
        settings,
        endpoint,
        pool
          .send({ method, endpoint, attempt, exchange: { kind: 'lines', path: call.path, body: call.body } })
          .pipe(map((result) => call.decode(result, endpoint.url))),
      ),
    ).pipe(
      tap(() => (quietEnds = 0)),
      // A stream that ends right after opening, again and again, must not become a busy loop.
      repeat({
        delay: () => {
          const ends = quietEnds++;
          return timer(ends === 0 ? 0 : backoffDelay(ends - 1, policy), pool.clock);
        },
      }),
    );
  });
}

/** Mirrors `call`, failing it when `endpoint` stops answering the member monitor's probes. */
function watched<T>(pool: EndpointPool, settings: WaitingSettings, endpoint: Endpoint, call: Observable<T>): Observable<T> {
  const { probeEveryMs, probeTimeoutMs } = settings;
  const stalled = pool.monitor
    .watch(endpoint, probeEveryMs, () => probe(pool, endpoint, probeTimeoutMs))
    .pipe(
      catchError(() => throwError(() => new EtcdTimeoutError(probeTimeoutMs, true, { endpoint: endpoint.url, what: 'liveness probe during a waiting call' }))),
    );
  return new Observable<T>((subscriber) => {
    subscriber.add(stalled.subscribe({ error: (error: unknown) => subscriber.error(error) }));
    subscriber.add(call.subscribe(subscriber));
  });
}
