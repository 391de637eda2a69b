/**
 * The callers of a namespaced view: the client's own, with every request's keys moved under the
 * view's prefix and every answer's keys taken back out. The services above them (KV, leases,
 * locks, elections) run unchanged and never learn that a namespace exists.
 */
import { map, Observable } from 'rxjs';
import { CallOptions } from '../call-options';
import { CallSafety } from '../resilience/retry-policy';
import { Decoder, HedgedDecoder, UnaryCaller } from '../resilience/unary-caller';
import { WaitingCalls } from '../resilience/waiting-caller';
import { KeySpace } from './key-space';

/**
 * A UnaryCaller inside a key space.
 * @example new NamespacedCaller(caller, KeySpace.of('app/')).call('/v3/kv/range', body, LINEARIZABLE_READ, decodeRange)
 */
export class NamespacedCaller implements UnaryCaller {
  constructor(
    private readonly inner: UnaryCaller,
    private readonly space: KeySpace,
  ) {}

  get endpoints(): readonly string[] {
    return this.inner.endpoints;
  }

  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>, options?: CallOptions): Observable<T> {
    return this.inner.call(path, this.space.request(path, body), safety, this.decoder(path, decode), options);
  }

  hedged<T>(path: string, body: unknown, hedgeMs: number, decode: HedgedDecoder<T>): Observable<T> {
    return this.inner.hedged(path, this.space.request(path, body), hedgeMs, (json, endpoint, sentAt) =>
      decode(this.space.response(path, json), endpoint, sentAt),
    );
  }

  callOn<T>(endpoint: string, path: string, body: unknown, decode: Decoder<T>): Observable<T> {
    return this.inner.callOn(endpoint, path, this.space.request(path, body), this.decoder(path, decode));
  }

  private decoder<T>(path: string, decode: Decoder<T>): Decoder<T> {
    return (json, endpoint) => decode(this.space.response(path, json), endpoint);
  }
}

/**
 * Waiting and streaming calls (locks, campaigns, observations) inside a key space.
 * @example new NamespacedWaitingCalls(waiting, KeySpace.of('app/')).waitOn('/v3/lock/lock', body, decodeLockKey)
 */
export class NamespacedWaitingCalls implements WaitingCalls {
  constructor(
    private readonly inner: WaitingCalls,
    private readonly space: KeySpace,
  ) {}

  waitOn<T>(path: string, body: unknown, decode: Decoder<T>): Observable<T> {
    return this.inner.waitOn(path, this.space.request(path, body), (json, endpoint) => decode(this.space.response(path, json), endpoint));
  }

  follow(path: string, body: unknown): Observable<Record<string, unknown>> {
    return this.inner.follow(path, this.space.request(path, body)).pipe(map((result) => this.space.response(path, result) as Record<string, unknown>));
  }
}
