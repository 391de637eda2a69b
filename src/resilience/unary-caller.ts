/**
 * The one door the services use to reach etcd: a unary gateway call, described by its path,
 * body, safety (whether it may be repeated, whether its answer is held to the read floor) and
 * decoder, run with failover over the client's endpoints.
 */
import { defer, map, Observable, throwError } from 'rxjs';
import { EtcdInvalidArgumentError } from '../errors';
import { parseEndpoints } from '../endpoints';
import { describe } from '../describe-value';
import { postJson } from '../transport/http-call';
import { EndpointPool } from './endpoint-pool';
import { FailoverSettings, withFailover } from './failover';
import { withHedging } from './hedging';
import { attemptOn, requestTimeLimit } from './retry-loop';
import { reauthenticating } from './reauthentication';
import { CallSafety } from './retry-policy';
import { SeenRevision } from './seen-revision';
import { CallOptions, deadlineOf } from '../call-options';

/** Decodes the JSON answer of `endpoint` into a typed result; throws EtcdProtocolError on a wrong shape. */
export type Decoder<T> = (json: unknown, endpoint: string) => T;

/**
 * A Decoder of hedged calls, also told when the attempt that answered was sent (ms, on the
 * caller's clock): a lease renewed by the third hedge was renewed no earlier than that hedge left.
 */
export type HedgedDecoder<T> = (json: unknown, endpoint: string, sentAt: number) => T;

/**
 * How services make calls; they know nothing of HTTP or endpoints.
 * @example caller.call('/v3/kv/range', { key }, LINEARIZABLE_READ, decodeRange)
 */
export interface UnaryCaller {
  /** One call with failover over every endpoint, within its deadline. */
  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options?: CallOptions): Observable<T>;
  /**
   * One idempotent call sent to one endpoint after another every `hedgeMs` until one answers
   * (see withHedging); it never gives up by itself. `decode` is told when the answering attempt was sent.
   */
  hedged<T>(path: string, body: unknown, hedgeMs: number, decode: HedgedDecoder<T>): Observable<T>;
  /** One call to one named endpoint, without failover (for per-member questions like status). */
  callOn<T>(endpoint: string, path: string, body: unknown, decode: Decoder<T>): Observable<T>;
  /** The client's endpoints, in the order given. */
  readonly endpoints: readonly string[];
}

/**
 * The UnaryCaller of a client: gateway POSTs with failover. Every answer's revision is recorded
 * in `seen`, shared by the client's callers.
 * @example new ResilientCaller(pool, settings, seen).call('/v3/kv/range', body, LINEARIZABLE_READ, decode)
 */
export class ResilientCaller implements UnaryCaller {
  constructor(
    private readonly pool: EndpointPool,
    private readonly settings: FailoverSettings,
    private readonly seen: SeenRevision,
  ) {}

  get endpoints(): readonly string[] {
    return this.pool.endpoints.map((e) => e.url);
  }

  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options?: CallOptions): Observable<T> {
    return defer(() =>
      withFailover(
        this.pool,
        this.settings,
        safety.retry,
        (endpoint) => {
          const floor = safety.readFloor ? this.seen.revision : undefined;
          return reauthenticating(endpoint, postJson(endpoint, path, body)).pipe(map((json) => this.recorded(json, endpoint.url, floor, decode)));
        },
        deadlineOf(options),
      ),
    );
  }

  hedged<T>(path: string, body: unknown, hedgeMs: number, decode: HedgedDecoder<T>): Observable<T> {
    return withHedging(
      this.pool,
      hedgeMs,
      this.settings.requestTimeoutMs,
      (endpoint) =>
        defer(() => {
          const sentAt = this.settings.scheduler?.now() ?? Date.now();
          return reauthenticating(endpoint, postJson(endpoint, path, body)).pipe(
            map((json) => this.recorded(json, endpoint.url, undefined, (answer, url) => decode(answer, url, sentAt))),
          );
        }),
      this.settings.scheduler,
    );
  }

  callOn<T>(url: string, path: string, body: unknown, decode: Decoder<T>): Observable<T> {
    return defer(() => {
      if (typeof url !== 'string') throw new EtcdInvalidArgumentError(`endpoint must be a string such as http://127.0.0.1:2379, got ${describe(url)}`);
      const named = parseEndpoints(url);
      if (named.length !== 1) throw new EtcdInvalidArgumentError(`name one endpoint, not ${named.length}: ${url}`);
      const [normalised] = named;
      const endpoint = this.pool.endpoints.find((e) => e.url === normalised);
      if (endpoint === undefined) {
        return throwError(() => new EtcdInvalidArgumentError(`${url} is not one of this client's endpoints (${this.endpoints.join(', ')})`));
      }
      // An answer or a failure here is news of the member's health like any other call's.
      const asked = reauthenticating(endpoint, postJson(endpoint, path, body)).pipe(
        requestTimeLimit(this.settings.requestTimeoutMs, endpoint, this.settings.scheduler),
      );
      return attemptOn(this.pool, endpoint, asked).pipe(map((json) => decode(json, endpoint.url)));
    });
  }

  private recorded<T>(json: unknown, endpoint: string, floor: number | undefined, decode: Decoder<T>): T {
    this.seen.record(json, endpoint, floor);
    return decode(json, endpoint);
  }
}
