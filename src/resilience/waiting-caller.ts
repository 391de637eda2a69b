/**
 * Calls that wait on the server for as long as it takes (taking a lock, campaigning) or stream
 * for ever (observing an election). No request timeout fits them, and a frozen member would make
 * them hang for ever: it still accepts connections and simply never answers. So while such a call
 * is outstanding its member is asked `GET /version` every so often; when a probe goes unanswered
 * the call fails like a timed-out one and the member is demoted, so the next call goes elsewhere.
 */
import { catchError, defer, exhaustMap, interval, map, Observable, repeat, tap, throwError, timer } from 'rxjs';
import { EtcdTimeoutError } from '../errors';
import { postJson } from '../transport/http-call';
import { SeenRevision } from './seen-revision';
import { streamJsonLines } from '../transport/http-stream';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { probe } from './liveness-probe';
import { attemptOn, retryAcrossEndpoints } from './retry-loop';
import { reauthenticating } from './reauthentication';
import { RetryPolicy } from '../options';
import { backoffDelay } from './retry-policy';
import { Decoder } from './unary-caller';

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
 * @example new WaitingCaller(pool, waitingSettings(options))
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
 * Waiting and streaming calls, watched by liveness probes.
 * @example new WaitingCaller(pool, settings, seen).waitOn('/v3/lock/lock', { name, lease }, decodeLock)
 */
export class WaitingCaller implements WaitingCalls {
  constructor(
    private readonly pool: EndpointPool,
    private readonly settings: WaitingSettings,
    private readonly seen: SeenRevision,
  ) {}

  /**
   * One POST to one endpoint (the pool's current choice), answered whenever the server is done
   * waiting. It is not retried here: whether a retry is safe depends on the call (see concurrency/hold).
   * Fails with a transient error when the member stops answering probes.
   * @example caller.waitOn('/v3/election/campaign', body, decodeCampaign)
   */
  waitOn<T>(path: string, body: unknown, decode: Decoder<T>): Observable<T> {
    // A lock or a leadership is granted at the cluster's current revision: what follows reads at least that.
    return this.onOneEndpoint((endpoint) =>
      reauthenticating(endpoint, postJson(endpoint, path, body)).pipe(
        map((json) => {
          this.seen.record(json, endpoint.url);
          return decode(json, endpoint.url);
        }),
      ),
    );
  }

  /**
   * A streaming call followed for ever, emitting the `result` of every message: opened again
   * when the server ends it, on another endpoint when it fails. Errors at once on a failure no
   * retry can fix, and with EtcdAllEndpointsFailedError after `retry.attempts` failures in a row
   * with nothing received in between.
   * @example caller.follow('/v3/election/observe', { name })
   */
  follow(path: string, body: unknown): Observable<Record<string, unknown>> {
    return defer(() => {
      const policy = this.settings.retry;
      const attempts = Math.max(policy.attempts, this.pool.size);
      let quietEnds = 0;
      return retryAcrossEndpoints(this.pool, { retry: 'repeatable', policy, giveUp: (failures) => failures.count >= attempts }, (endpoint) =>
        this.watched(endpoint, reauthenticating(endpoint, streamJsonLines(endpoint, path, body))),
      ).pipe(
        tap(() => (quietEnds = 0)),
        // A stream that ends right after opening, again and again, must not become a busy loop.
        repeat({
          delay: () => {
            const ends = quietEnds++;
            return timer(ends === 0 ? 0 : backoffDelay(ends - 1, policy));
          },
        }),
      );
    });
  }

  private onOneEndpoint<T>(call: (endpoint: Endpoint) => Observable<T>): Observable<T> {
    return this.pool.ifOpen(() => {
      const endpoint = this.pool.pick(new Set());
      return attemptOn(this.pool, endpoint, this.watched(endpoint, call(endpoint)));
    });
  }

  /** Mirrors `call`, failing it when `endpoint` stops answering liveness probes. */
  private watched<T>(endpoint: Endpoint, call: Observable<T>): Observable<T> {
    const { probeEveryMs, probeTimeoutMs } = this.settings;
    const stalled = interval(probeEveryMs).pipe(
      exhaustMap(() => probe(this.pool, endpoint, probeTimeoutMs)),
      catchError(() => throwError(() => new EtcdTimeoutError(probeTimeoutMs, true, { endpoint: endpoint.url, what: 'liveness probe during a waiting call' }))),
    );
    return new Observable<T>((subscriber) => {
      subscriber.add(stalled.subscribe({ error: (error: unknown) => subscriber.error(error) }));
      subscriber.add(call.subscribe(subscriber));
    });
  }
}
