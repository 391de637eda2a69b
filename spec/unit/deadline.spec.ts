/**
 * An operation's deadline and the recognition of a lost quorum, in virtual time: every attempt,
 * probe and backoff stays inside the deadline, and a call that gives up says why.
 */
import { Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EtcdAllEndpointsFailedError, EtcdConnectionError, EtcdDeadlineExceededError, EtcdOutcomeUnknownError, EtcdQuorumLostError } from '../../src';
import { Endpoint, EndpointPool } from '../../src/resilience/endpoint-pool';
import { FailoverSettings, withFailover } from '../../src/resilience/failover';
import { Repeatability } from '../../src/resilience/retry-policy';
import { LeaderSighting } from '../../src/resilience/leader-sighting';
import { recordedAttempt, runVirtual, virtualEndpoints } from '../support/virtual-time';

describe('an operation deadline in virtual time', () => {
  const urls = ['http://a:1', 'http://b:2', 'http://c:3'];
  let pool: EndpointPool;
  let test: TestScheduler;
  let tried: string[];

  beforeEach(() => ({ pool, test, tried } = virtualEndpoints(urls)));
  afterEach(() => pool.close());

  function settings(overrides: Partial<FailoverSettings> = {}): FailoverSettings {
    return {
      requestTimeoutMs: 50,
      deadlineMs: 120,
      probeAfterIdleMs: Infinity,
      stallCheckAfterMs: 1000,
      probeTimeoutMs: 1000,
      retry: { attempts: 100, backoffBaseMs: 10, backoffCapMs: 40, jitter: 0 },
      sightLeader: () => of({ withLeader: urls, leaderless: [], silent: [] }),
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

  it('says the quorum is lost when the members that answer know no leader', () => {
    const asked: string[] = [];
    const sighting: LeaderSighting = { withLeader: [], leaderless: ['http://a:1'], silent: ['http://b:2', 'http://c:3'] };
    const sightLeader = (endpoints: readonly Endpoint[]) => {
      asked.push(`${test.now()} ${endpoints.length}`);
      return of(sighting);
    };
    const result = call(settings({ sightLeader, deadlineMs: 200 }), 'repeatable', () => '-');
    // Asked in the background after each failed attempt but the first; the latest answer decides.
    expect(asked).toEqual(['100 3', '150 3', '200 3']);
    expect(result.at).toBe(200);
    expect(result.error).toBeInstanceOf(EtcdQuorumLostError);
    const error = result.error as EtcdQuorumLostError;
    expect(error.leaderless).toEqual(['http://a:1']);
    expect(error.silent).toEqual(['http://b:2', 'http://c:3']);
    expect(error.notApplied).toBe(true);
    expect(error.message).toContain('no leader');
  });

  it('does not claim a lost quorum while a member knows a leader', () => {
    const sightLeader = () => of({ withLeader: ['http://b:2'], leaderless: ['http://a:1'], silent: ['http://c:3'] });
    const result = call(settings({ sightLeader, deadlineMs: 200 }), 'repeatable', () => '-');
    expect(result.error).toBeInstanceOf(EtcdDeadlineExceededError);
  });

  it('asks nobody about a leader when the call is answered, or when members refuse connections', () => {
    let asked = 0;
    const sightLeader = () => {
      asked++;
      return of({ withLeader: [], leaderless: urls, silent: [] });
    };
    const answered = call(settings({ sightLeader }), 'repeatable', () => '-a|');
    expect(answered.values).toEqual(['answer']);
    expect(asked).toBe(0);
    // Refused at once by connection errors: members that are gone say nothing about a leader.
    const refusedEverywhere = call(settings({ sightLeader, retry: { attempts: 3, backoffBaseMs: 10, backoffCapMs: 40, jitter: 0 } }), 'repeatable', () => '#');
    expect(asked).toBe(0);
    expect(refusedEverywhere.error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    expect(refusedEverywhere.error).not.toBeInstanceOf(EtcdQuorumLostError);
  });

  it('asks again for a later call when the call that asked ended before the answer came', () => {
    let asked = 0;
    const sightLeader = () => {
      asked++;
      return test.createColdObservable<LeaderSighting>('-');
    };
    call(settings({ sightLeader }), 'repeatable', () => '-');
    expect(asked).toBe(1);
    call(settings({ sightLeader }), 'repeatable', () => '-');
    expect(asked).toBe(2);
  });
});
