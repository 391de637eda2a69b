/**
 * Running resilience operators in virtual time (RxJS TestScheduler): what a source emitted, how
 * it ended and when, and attempts that record where and when they ran.
 */
import { Observable, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EtcdConnectionError } from '../../src/errors';
import { Door, Send } from '../../src/pipeline/attempt';
import { Endpoint, EndpointPool } from '../../src/resilience/endpoint-pool';

/**
 * The way down of a pool with no members behind it: every attempt the code under test sends by
 * itself (a liveness probe, a status question) fails as an unreachable member's would.
 * @example new EndpointPool(urls, { demoteMs: 60_000, door: nowhere, clock: asyncScheduler })
 */
export const nowhere: Door = {
  send: (attempt) =>
    throwError(() => new EtcdConnectionError(`${attempt.endpoint.url} is not reachable from a unit spec`, false, { endpoint: attempt.endpoint.url })),
  socket: (endpoint) => {
    throw new EtcdConnectionError(`${endpoint.url} is not reachable from a unit spec`, false, { endpoint: endpoint.url });
  },
};

/**
 * A fresh pool of `urls` (failures remembered for a minute) whose clock is a scheduler whose
 * assertions are jest's, and an empty record of attempts: what each virtual-time test starts from.
 * What the pool sends by itself goes to `send` (by default, `nowhere`).
 * @example beforeEach(() => ({ pool, test, tried } = virtualEndpoints(urls)))
 */
export function virtualEndpoints(urls: readonly string[], send: Send = nowhere.send): { pool: EndpointPool; test: TestScheduler; tried: string[] } {
  const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  return { pool: new EndpointPool(urls, { demoteMs: 60_000, door: { ...nowhere, send }, clock: test }), test, tried: [] };
}

/** What a source did: its values, its error, and the virtual time it ended at (-1: never). */
export interface VirtualRun<T> {
  values: T[];
  error?: unknown;
  at: number;
}

/**
 * Runs `source` in virtual time, unsubscribing at `until` if it has not ended.
 * @example const result = runVirtual(test, withFailover(pool, settings, 'repeatable', attempt))
 */
export function runVirtual<T>(test: TestScheduler, source: Observable<T>, until = 1000): VirtualRun<T> {
  const result: VirtualRun<T> = { values: [], at: -1 };
  test.run(() => {
    const subscription = source.subscribe({
      next: (value) => result.values.push(value),
      error: (error: unknown) => {
        result.error = error;
        result.at = test.now();
      },
      complete: () => (result.at = test.now()),
    });
    test.schedule(() => subscription.unsubscribe(), until);
  });
  return result;
}

/**
 * An attempt that records in `tried` where and when it ran, then plays `marbles` there (`a` is
 * the answer, `#` the endpoint's `error`).
 * @example withFailover(pool, settings, 'repeatable', recordedAttempt(test, tried, () => '-a|', refused))
 */
export function recordedAttempt(test: TestScheduler, tried: string[], marbles: (endpoint: Endpoint) => string, error: (endpoint: Endpoint) => Error) {
  return (endpoint: Endpoint): Observable<string> => {
    tried.push(`${test.now()} ${endpoint.url}`);
    return test.createColdObservable(marbles(endpoint), { a: 'answer' }, error(endpoint));
  };
}
