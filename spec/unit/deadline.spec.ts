/**
 * An operation's deadline and the recognition of a lost quorum, in virtual time: every attempt,
 * probe and backoff stays inside the deadline, and a call that gives up says why.
 */
import { merge, Observable, Subscription, switchMap, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  EtcdAllEndpointsFailedError,
  EtcdConnectionError,
  EtcdDeadlineExceededError,
  EtcdOutcomeUnknownError,
  EtcdPermissionDeniedError,
  EtcdQuorumLostError,
  EtcdTimeoutError,
} from '../../src';
import { Deadline } from '../../src/resilience/deadline';
import { Endpoint, EndpointPool } from '../../src/resilience/endpoint-pool';
import { FailoverSettings, withFailover } from '../../src/resilience/failover';
import { Repeatability } from '../../src/resilience/retry-policy';
import { Attempt, Send } from '../../src/pipeline/attempt';
import { recordedAttempt, runVirtual, virtualEndpoints } from '../support/virtual-time';

describe('an operation deadline in virtual time', () => {
  const urls = ['http://a:1', 'http://b:2', 'http://c:3'];
  let pool: EndpointPool;
  let test: TestScheduler;
  let tried: string[];

  /** How each member answers its status question, and where and when one was asked. */
  let statusOf: (url: string) => Observable<unknown>;
  let asked: string[];
  const send = ((question: Attempt) => {
    asked.push(`${test.now()} ${question.endpoint.url}`);
    return statusOf(question.endpoint.url);
  }) as Send;

  beforeEach(() => {
    asked = [];
    statusOf = (url) => throwError(() => new EtcdConnectionError('refused', false, { endpoint: url }));
    ({ pool, test, tried } = virtualEndpoints(urls, send));
  });
  afterEach(() => pool.close());

  function settings(overrides: Partial<FailoverSettings> = {}): FailoverSettings {
    return {
      requestTimeoutMs: 50,
      deadlineMs: 120,
      probeAfterIdleMs: Infinity,
      stallCheckAfterMs: 1000,
      probeTimeoutMs: 1000,
      retry: { attempts: 100, backoffBaseMs: 10, backoffCapMs: 40, jitter: 0 },
      ...overrides,
    };
  }

  const run = <T>(source: Observable<T>) => runVirtual(test, source, 10_000);
  const refused = (endpoint: Endpoint) => new EtcdConnectionError('refused', false, { endpoint: endpoint.url });
  const attempt = (marbles: (endpoint: Endpoint) => string) => recordedAttempt(test, tried, marbles, refused);
  /** One call through withFailover, each endpoint playing `marbles`. */
  const call = (given: FailoverSettings, retry: Repeatability, marbles: (endpoint: Endpoint) => string, deadlineMs?: number) =>
    run(withFailover(pool, given, retry, attempt(marbles), deadlineMs));

  it('cuts the last attempt at the deadline and names every endpoint it tried', () => {
    const result = call(settings(), 'repeatable', () => '-');
    expect(tried).toEqual(['0 http://a:1', '50 http://b:2', '100 http://c:3']);
    expect(result.at).toBe(120);
    expect(result.error).toBeInstanceOf(EtcdDeadlineExceededError);
    const error = result.error as EtcdDeadlineExceededError;
    expect(error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    expect(error.deadlineMs).toBe(120);
    expect(error.failures.map((f) => f.endpoint)).toEqual(urls);
    expect(error.message).toContain('no answer within the deadline of 120 ms');
  });

  it('gives up rather than back off into the deadline', () => {
    const result = call(settings({ deadlineMs: 25 }), 'repeatable', () => '#');
    // A sweep at 0, one more after 10 ms; the next backoff (20 ms) would end past the deadline.
    expect(tried).toEqual(['0 http://a:1', '0 http://b:2', '0 http://c:3', '10 http://a:1', '10 http://b:2', '10 http://c:3']);
    expect(result.at).toBe(10);
    expect(result.error).toBeInstanceOf(EtcdDeadlineExceededError);
  });

  it('leaves a call that answers in time alone', () => {
    const result = call(settings(), 'repeatable', (e) => (e.url === 'http://a:1' ? '-' : '--a|'));
    expect(result).toEqual({ values: ['answer'], at: 53 });
  });

  it('reports a non-repeatable call cut by the deadline after sending as an unknown outcome', () => {
    const result = call(settings({ deadlineMs: 30 }), 'non-repeatable', () => '-');
    expect(tried).toEqual(['0 http://a:1']);
    expect(result.at).toBe(30);
    expect(result.error).toBeInstanceOf(EtcdOutcomeUnknownError);
  });

  it('takes a per-call deadline over the settings', () => {
    const result = call(settings(), 'repeatable', () => '-', 70);
    expect(tried).toEqual(['0 http://a:1', '50 http://b:2']);
    expect(result.at).toBe(70);
    expect((result.error as EtcdDeadlineExceededError).deadlineMs).toBe(70);
  });

  /** A status answer after 1 ms, naming `leader` or none. */
  const status = (leader?: string) =>
    test.createColdObservable('-(a|)', { a: { header: {}, version: '3.4.33', raftTerm: '3', ...(leader === undefined ? {} : { leader }) } });
  const silent = () => test.createColdObservable('-');

  it('says the quorum is lost when the members that answer know no leader', () => {
    statusOf = (url) => (url === 'http://a:1' ? status() : silent());
    const result = call(settings({ deadlineMs: 200 }), 'repeatable', () => '-');
    // Asked in the background after each failed attempt but the first: b and c again once their
    // questions went unanswered; a's answer, a moment old, is given again without asking.
    expect(asked).toEqual(['100 http://a:1', '100 http://b:2', '100 http://c:3', '150 http://b:2', '150 http://c:3', '200 http://b:2', '200 http://c:3']);
    expect(result.at).toBe(200);
    expect(result.error).toBeInstanceOf(EtcdQuorumLostError);
    const error = result.error as EtcdQuorumLostError;
    expect(error.leaderless).toEqual(['http://a:1']);
    expect(error.silent).toEqual(['http://b:2', 'http://c:3']);
    expect(error.notApplied).toBe(true);
    expect(error.message).toContain('no leader');
    expect(pool.monitor.report('http://a:1')).toMatchObject({ reachable: true, leaderKnown: false, statusAt: 101 });
  });

  it('does not claim a lost quorum while a member knows a leader', () => {
    statusOf = (url) => (url === 'http://a:1' ? status() : url === 'http://b:2' ? status('42') : silent());
    const result = call(settings({ deadlineMs: 200 }), 'repeatable', () => '-');
    expect(result.error).toBeInstanceOf(EtcdDeadlineExceededError);
    expect(result.error).not.toBeInstanceOf(EtcdQuorumLostError);
  });

  it('counts only what the members said since the operation began', () => {
    statusOf = () => status();
    runVirtual(test, pool.monitor.status(pool.endpoints[0], 50));
    // a said "no leader" at 1; the call begins a second later: since, a refuses its status (as
    // etcd 3.5 does to a user who is not root) and the others are silent.
    statusOf = (url) => (url === 'http://a:1' ? throwError(() => new EtcdPermissionDeniedError('etcdserver: permission denied')) : silent());
    const result = runVirtual(
      test,
      timer(1000).pipe(
        switchMap(() =>
          withFailover(
            pool,
            settings({ deadlineMs: 200 }),
            'repeatable',
            attempt(() => '-'),
          ),
        ),
      ),
      10_000,
    );
    expect(result.error).toBeInstanceOf(EtcdDeadlineExceededError);
    expect(result.error).not.toBeInstanceOf(EtcdQuorumLostError);
  });

  it('asks nobody about a leader when the call is answered, or when members refuse connections', () => {
    statusOf = () => status();
    const answered = call(settings(), 'repeatable', () => '-a|');
    expect(answered.values).toEqual(['answer']);
    // Refused at once by connection errors: members that are gone say nothing about a leader.
    const refusedEverywhere = call(settings({ retry: { attempts: 3, backoffBaseMs: 10, backoffCapMs: 40, jitter: 0 } }), 'repeatable', () => '#');
    expect(asked).toEqual([]);
    expect(refusedEverywhere.error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    expect(refusedEverywhere.error).not.toBeInstanceOf(EtcdQuorumLostError);
  });

  it('shares one status question per member among calls failing together', () => {
    statusOf = () => silent();
    const calls = merge(
      ...[1, 2, 3].map(() =>
        withFailover(
          pool,
          settings({ deadlineMs: 300 }),
          'repeatable',
          attempt(() => '-'),
        ),
      ),
    );
    runVirtual(test, calls, 10_000);
    // Three calls fail together at 210 and again at 260: each time, one question per member.
    expect(asked).toEqual([210, 260].flatMap((at) => urls.map((url) => `${at} ${url}`)));
  });

  it('asks again for a later call when the call that asked ended before the answer came', () => {
    statusOf = () => silent();
    call(settings(), 'repeatable', () => '-');
    expect(asked).toHaveLength(3);
    call(settings(), 'repeatable', () => '-');
    expect(asked).toHaveLength(6);
  });
});

describe('the deadline of one attempt', () => {
  const clockAt = (at: { ms: number }) => ({ now: () => at.ms, schedule: () => new Subscription() });
  const timedOut = new EtcdTimeoutError(700, true, { endpoint: 'http://a:1' });

  it('names the deadline when its own limit ended the attempt, even if the timer fired a little before the clock reached it', () => {
    const at = { ms: 0 };
    const deadline = new Deadline(700, clockAt(at));
    expect(deadline.limit(20_000)).toBe(700);
    // The event loop's cached time ran ahead of the clock: the limit's timer fired at 695.
    at.ms = 695;
    const error = deadline.explainAttempt('http://a:1', timedOut);
    expect(error).toBeInstanceOf(EtcdDeadlineExceededError);
    expect((error as EtcdDeadlineExceededError).deadlineMs).toBe(700);
  });

  it("leaves a timeout of the attempt's own, shorter limit as it is", () => {
    const at = { ms: 0 };
    const deadline = new Deadline(700, clockAt(at));
    expect(deadline.limit(500)).toBe(500);
    at.ms = 500;
    expect(deadline.explainAttempt('http://a:1', timedOut)).toBe(timedOut);
  });
});
