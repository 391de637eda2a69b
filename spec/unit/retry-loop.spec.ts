import { Observable } from 'rxjs';
import { EndpointEvent } from '../../src';
import { TestScheduler } from 'rxjs/testing';
import { EtcdAllEndpointsFailedError, EtcdConnectionError, EtcdOutcomeUnknownError, EtcdTimeoutError, EtcdUnavailableError } from '../../src';
import { Endpoint, EndpointPool } from '../../src/resilience/endpoint-pool';
import { withFailover } from '../../src/resilience/failover';
import { withHedging } from '../../src/resilience/hedging';
import { retryAcrossEndpoints } from '../../src/resilience/retry-loop';
import { followStream } from '../../src/resilience/stream-failover';
import { recordedAttempt, runVirtual, virtualEndpoints } from '../support/virtual-time';

describe('the failover kernel in virtual time', () => {
  const urls = ['http://a:1', 'http://b:2', 'http://c:3'];
  const policy = { attempts: 5, backoffBaseMs: 10, backoffCapMs: 40, jitter: 0 };
  let pool: EndpointPool;
  let test: TestScheduler;
  let tried: string[];

  beforeEach(() => ({ pool, test, tried } = virtualEndpoints(urls)));
  afterEach(() => pool.close());

  const run = <T>(source: Observable<T>, until = 1000) => runVirtual(test, source, until);
  const attempt = (marbles: (endpoint: Endpoint) => string, error: (endpoint: Endpoint) => Error) => recordedAttempt(test, tried, marbles, error);
  /** Unary failover settings with a request timeout of `requestTimeoutMs` and nothing else in the way. */
  const failoverSettings = (requestTimeoutMs: number) => ({
    requestTimeoutMs,
    deadlineMs: 10_000,
    probeAfterIdleMs: Infinity,
    stallCheckAfterMs: 1000,
    probeTimeoutMs: 1000,
    retry: policy,
  });
  const refused = (endpoint: Endpoint) => new EtcdConnectionError('refused', false, { endpoint: endpoint.url });

  it('moves to the next endpoint at once, backs off between sweeps, and names every endpoint when it gives up', () => {
    const loop = { retry: 'repeatable' as const, policy, giveUp: (f: { count: number }) => f.count >= 5 };
    const result = run(
      retryAcrossEndpoints(
        pool,
        loop,
        attempt(() => '-#', refused),
      ),
    );
    expect(tried).toEqual(['0 http://a:1', '1 http://b:2', '2 http://c:3', '13 http://a:1', '14 http://b:2']);
    expect(result.at).toBe(15);
    expect(result.error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    expect((result.error as EtcdAllEndpointsFailedError).failures.map((f) => f.endpoint)).toEqual(urls);
  });

  it('never sends a non-repeatable call again after a failure that may have reached a server', () => {
    const settings = failoverSettings(100);
    const sentThenLost = run(
      withFailover(
        pool,
        settings,
        'non-repeatable',
        attempt(
          () => '-#',
          (e) => new EtcdTimeoutError(1, true, { endpoint: e.url }),
        ),
      ),
    );
    expect(tried).toEqual(['0 http://a:1']);
    expect(sentThenLost.error).toBeInstanceOf(EtcdOutcomeUnknownError);
  });

  it('sends a non-repeatable call again on the next endpoint when it provably was not applied', () => {
    const settings = failoverSettings(100);
    const notSent = run(
      withFailover(
        pool,
        settings,
        'non-repeatable',
        attempt((e) => (e.url === 'http://c:3' ? '-a|' : '-#'), refused),
      ),
    );
    expect(tried).toEqual(['0 http://a:1', '1 http://b:2', '2 http://c:3']);
    expect(notSent).toEqual({ values: ['answer'], at: 4 });
  });

  it('cuts an attempt at the request timeout and tries the next endpoint', () => {
    const settings = failoverSettings(50);
    const result = run(
      withFailover(
        pool,
        settings,
        'repeatable',
        attempt((e) => (e.url === 'http://a:1' ? '-' : '--a|'), refused),
      ),
    );
    expect(tried).toEqual(['0 http://a:1', '50 http://b:2']);
    expect(result).toEqual({ values: ['answer'], at: 53 });
    expect(pool.pick(new Set()).url).toBe('http://b:2');
  });

  describe('a frozen leader: one member silent for good, one silent until the election, one that answers "leader changed"', () => {
    /** What etcd answers to calls that waited on a member while its cluster elected a new leader. */
    const leaderChanged = (endpoint: Endpoint) => new EtcdUnavailableError('etcdserver: leader changed', false, { endpoint: endpoint.url, grpcCode: 14 });
    /** a (the frozen leader) and b never answer; c answers "leader changed" once, then serves. */
    const electionAttempt = () => {
      let changed = false;
      return attempt((e) => {
        if (e.url !== 'http://c:3') return '-';
        if (changed) return '-a|';
        changed = true;
        return '-#';
      }, leaderChanged);
    };
    // Each silent member costs one request timeout; then one backoff and the answer.
    const bound = (silentMembers: number, settings: { requestTimeoutMs: number }) => silentMembers * settings.requestTimeoutMs + policy.backoffCapMs + 3;

    it('asks again the member that answered, never the frozen one a second time', () => {
      const settings = failoverSettings(100);
      const result = run(withFailover(pool, settings, 'repeatable', electionAttempt()));
      expect(tried).toEqual(['0 http://a:1', '100 http://b:2', '200 http://c:3', '211 http://c:3']);
      expect(result.values).toEqual(['answer']);
      expect(result.at).toBeLessThanOrEqual(bound(2, settings));
    });

    it('ends the sweep rather than send a request to a member that stayed silent before', () => {
      pool.demote(pool.endpoints[0], 'got no answer within 100 ms');
      const settings = failoverSettings(100);
      const result = run(withFailover(pool, settings, 'repeatable', electionAttempt()));
      expect(tried).toEqual(['0 http://b:2', '100 http://c:3', '111 http://c:3']);
      expect(result.values).toEqual(['answer']);
      expect(result.at).toBeLessThanOrEqual(bound(1, settings));
    });

    it('still asks the member that answered when a call waiting on it left as it answered another', () => {
      // The election has left a and b silent; two reads wait on c, which answers the first "leader changed".
      pool.demote(pool.endpoints[0], 'got no answer within 100 ms');
      pool.demote(pool.endpoints[1], 'got no answer within 100 ms');
      let onC = 0;
      const twoReads = attempt((e) => {
        if (e.url !== 'http://c:3') return '-';
        onC += 1;
        return onC === 1 ? '-#' : onC === 2 ? '-----a|' : '-a|';
      }, leaderChanged);
      const settings = failoverSettings(100);
      const ends: number[] = [];
      test.run(() => {
        for (let i = 0; i < 2; i++) withFailover(pool, settings, 'repeatable', twoReads).subscribe(() => ends.push(test.now()));
      });
      expect(tried.filter((t) => !t.endsWith('http://c:3'))).toEqual([]);
      expect(ends).toEqual([12, 12]);
    });

    it('asks the member that answered another call during its backoff, not a silent one', () => {
      pool.demote(pool.endpoints[0], 'got no answer within 100 ms');
      let onC = 0;
      const waitsOnC = attempt((e) => {
        if (e.url !== 'http://c:3') return '-';
        onC += 1;
        return onC === 1 ? '-' : '-a|';
      }, leaderChanged);
      const c = pool.endpoints[2];
      let result: unknown;
      test.run(() => {
        withFailover(pool, failoverSettings(100), 'repeatable', waitsOnC).subscribe((v) => (result = `${v} at ${test.now()}`));
        // Other calls: one that c answers "leader changed" (this call leaves c and backs off), then one it serves.
        test.schedule(() => pool.demote(c, 'etcdserver: leader changed', 'answered'), 105);
        test.schedule(() => pool.answered(c), 108);
      });
      expect(tried).toEqual(['0 http://b:2', '100 http://c:3', '115 http://c:3']);
      expect(result).toBe('answer at 116');
    });
  });

  it('a killed leader: refused at once, the followers silent until the election, then answering: the call ends with the election', () => {
    // A follower holds a linearizable read until a leader is known again, then answers it.
    const electedAt = 350;
    const settings = { ...failoverSettings(100), retry: { ...policy, attempts: 100 } };
    const result = run(
      withFailover(
        pool,
        settings,
        'repeatable',
        attempt((e) => (e.url === 'http://a:1' ? '#' : test.now() < electedAt ? `${electedAt - test.now()}ms a|` : 'a|'), refused),
      ),
    );
    // Each follower timed out once per sweep and the dead member cost nothing; the answer came
    // as the election ended, not a request timeout or a backoff later.
    expect(tried).toEqual(['0 http://a:1', '0 http://b:2', '100 http://c:3', '210 http://a:1', '210 http://b:2', '310 http://c:3']);
    // Answered at electedAt, completed a frame later.
    expect(result).toEqual({ values: ['answer'], at: electedAt + 1 });
  });

  it('follows a stream for ever while it delivers, and gives up only after failing for giveUpAfterMs', () => {
    let opened = 0;
    const open = (endpoint: Endpoint) => {
      tried.push(`${test.now()} ${endpoint.url}`);
      // The first stream delivers, then breaks; no endpoint serves it after that.
      return test.createColdObservable(opened++ === 0 ? '-a-#' : '-#', { a: 'event' }, refused(endpoint));
    };
    const result = run(followStream(pool, { retry: policy, giveUpAfterMs: 30 }, open));
    expect(result.values).toEqual(['event']);
    expect(result.error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    // Failing since 3: b at once, c at once, then a after the first sweep's backoff (10 ms).
    expect(tried.slice(0, 4)).toEqual(['0 http://a:1', '3 http://b:2', '4 http://c:3', '15 http://a:1']);
    expect(result.at).toBeGreaterThanOrEqual(33);
    expect(result.at).toBeLessThan(80);
  });

  it('hedges: a second endpoint is asked after hedgeMs without cancelling the first, and the first answer wins', () => {
    const result = run(
      withHedging(
        pool,
        5,
        100,
        attempt((e) => (e.url === 'http://a:1' ? '-' : '--a|'), refused),
      ),
    );
    expect(tried).toEqual(['0 http://a:1', '5 http://b:2']);
    expect(result).toEqual({ values: ['answer'], at: 7 });
  });

  it('tells health listeners the state of each endpoint, every demotion and failover, and the recovery', () => {
    const events: EndpointEvent[] = [];
    pool.health.events().subscribe((e) => events.push(e));
    const loop = { retry: 'repeatable' as const, policy, giveUp: () => false };
    run(
      retryAcrossEndpoints(
        pool,
        loop,
        attempt((e) => (e.url === 'http://a:1' ? '-#' : '-a|'), refused),
      ),
    );
    const told = events.map((e) => (e.type === 'endpoint' ? `${e.endpoint} ${e.state}` : `failover from ${e.from}: ${e.reason}`));
    expect(told).toEqual(['http://a:1 healthy', 'http://b:2 healthy', 'http://c:3 healthy', 'http://a:1 demoted', 'failover from http://a:1: refused']);
    pool.answered(pool.endpoints[0]);
    expect(events[events.length - 1]).toMatchObject({ type: 'endpoint', endpoint: 'http://a:1', state: 'healthy', reason: 'answered' });
  });

  it('moves a repeatable call off an endpoint demoted by another, while a non-repeatable one waits for its answer', () => {
    const settings = failoverSettings(100);
    const slowOnA = attempt((e) => (e.url === 'http://a:1' ? '------a|' : '-a|'), refused);
    const results: Record<string, unknown> = {};
    test.run(() => {
      withFailover(pool, settings, 'repeatable', slowOnA).subscribe((v) => (results.read = `${v} at ${test.now()}`));
      withFailover(pool, settings, 'non-repeatable', slowOnA).subscribe((v) => (results.write = `${v} at ${test.now()}`));
      test.schedule(() => pool.demote(pool.endpoints[0], 'a stream on it failed'), 2);
    });
    expect(results).toEqual({ read: 'answer at 3', write: 'answer at 6' });
  });

  it('fails every attempt of a closed pool with EtcdClientClosedError, sending nothing', () => {
    pool.close();
    const result = run(
      retryAcrossEndpoints(
        pool,
        { retry: 'repeatable', policy, giveUp: () => false },
        attempt(() => 'a|', refused),
      ),
    );
    expect(tried).toEqual([]);
    expect((result.error as Error).name).toBe('EtcdClientClosedError');
  });
});
