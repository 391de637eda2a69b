/**
 * The last stage of the call chain: where a call goes, as its route says, and how each answer
 * is checked (the read floor) and decoded. Every attempt it makes goes down the attempt chain
 * (`pool.send`): diagnostics, re-authentication, the wire.
 */
import { catchError, defer, Observable, throwError } from 'rxjs';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError } from '../errors';
import { Call, Handler, methodOf } from '../pipeline/call';
import { Endpoint, EndpointPool } from './endpoint-pool';
import { FailoverSettings, withFailover } from './failover';
import { withHedging } from './hedging';
import { Deadline } from './deadline';
import { attemptOn, requestTimeLimit } from './retry-loop';
import { SeenRevision } from './seen-revision';
import { followForever, waitOnOneEndpoint, WaitingSettings } from './waiting-caller';

/** How calls are routed: failover's settings, and the liveness probes of waiting calls. */
export interface RoutingSettings extends FailoverSettings {
  readonly waiting: WaitingSettings;
}

/**
 * The handler at the bottom of a client's call chain. Every answer's revision is recorded in
 * `seen`, shared by the client's calls; a linearizable read's answer is held to it.
 * @example chain([perCall, namespaced(space)], routeCalls(pool, settings, seen))
 */
export function routeCalls(pool: EndpointPool, settings: RoutingSettings, seen: SeenRevision): Handler {
  // One subscriber per attempt (rather than a defer and a map): every attempt of every call passes here.
  const sendOn = <T>(call: Call<T>, endpoint: Endpoint, attempt: number, floor?: number): Observable<T> =>
    new Observable<T>((subscriber) => {
      const sentAt = pool.now();
      const answers = pool.send({ method: methodOf(call.path), endpoint, attempt, exchange: { kind: 'post', path: call.path, body: call.body } });
      return answers.subscribe({
        next: (json) => {
          let result: T;
          try {
            seen.record(json, endpoint.url, floor);
            result = call.decode(json, endpoint.url, sentAt);
          } catch (error: unknown) {
            subscriber.error(error);
            return;
          }
          subscriber.next(result);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
  return <T>(call: Call<T>): Observable<T> => {
    const timed = call.attemptTimeoutMs === undefined ? settings : { ...settings, requestTimeoutMs: call.attemptTimeoutMs };
    const { route } = call;
    switch (route.kind) {
      case 'failover':
        return withFailover(
          pool,
          timed,
          call.safety.retry,
          (endpoint, attempt) => sendOn(call, endpoint, attempt, call.safety.readFloor ? seen.revision : undefined),
          call.options.deadlineMs ?? settings.deadlineMs,
          methodOf(call.path),
        );
      case 'hedged':
        return withHedging(pool, route.hedgeMs, timed.requestTimeoutMs, (endpoint, attempt) => sendOn(call, endpoint, attempt));
      case 'on':
        return defer(() => {
          const endpoint = named(pool, route.endpoint);
          const deadline = new Deadline(call.options.deadlineMs ?? settings.deadlineMs, pool.clock);
          const attempt = sendOn(call, endpoint, 1).pipe(requestTimeLimit(deadline.limit(timed.requestTimeoutMs), endpoint, pool.clock));
          // An answer or a failure here is news of the member's health like any other call's.
          return attemptOn(pool, endpoint, attempt).pipe(catchError((error: unknown) => throwError(() => deadline.explainAttempt(endpoint.url, error))));
        });
      case 'wait':
        return waitOnOneEndpoint(pool, settings.waiting, seen, call);
      case 'follow':
        return followForever(pool, settings.waiting, call);
    }
  };
}

/** The endpoint `url` names, checked: it must be one of the pool's. */
function named(pool: EndpointPool, url: unknown): Endpoint {
  if (typeof url !== 'string') throw new EtcdInvalidArgumentError(`endpoint must be a string such as http://127.0.0.1:2379, got ${describe(url)}`);
  return pool.named(url);
}
