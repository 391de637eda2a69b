/**
 * The member monitor in virtual time: one reading of a status answer, the last report of each
 * member (reachable, leader known, raft term, version), one question in flight per member, a
 * probe loop that runs only while watched, and the liveness probe of a stalled call asking it.
 */
import { ignoreElements, NEVER, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EtcdConnectionError, EtcdPermissionDeniedError, EtcdTimeoutError, HealthEvent } from '../../src';
import { Attempt, Send } from '../../src/pipeline/attempt';
import { EndpointPool } from '../../src/resilience/endpoint-pool';
import { withFailover } from '../../src/resilience/failover';
import { MemberMonitor, readStatus } from '../../src/resilience/member-monitor';
import { nowhere, recordedAttempt, runVirtual } from '../support/virtual-time';

const endpoint = { url: 'http://a:1', agent: undefined as never };
const status = (leader?: string) => ({ header: { revision: '5' }, version: '3.4.33', raftTerm: '7', ...(leader === undefined ? {} : { leader }) });
const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** A Send whose every status question is answered as `answer(url)` plays, recording when and where it was asked. */
function statusDoor(test: TestScheduler, asked: string[], answer: (url: string) => Observable<unknown>): Send {
  return ((attempt: Attempt) => {
    asked.push(`${test.now()} ${attempt.endpoint.url}`);
    return answer(attempt.endpoint.url);
  }) as Send;
}

describe('the member monitor', () => {
  it('reads whether a status names a leader, its term and version; anything else is no status', () => {
    expect(readStatus(status('42'))).toEqual({ leaderKnown: true, raftTerm: 7, version: '3.4.33' });
    expect(readStatus(status())).toEqual({ leaderKnown: false, raftTerm: 7, version: '3.4.33' });
    expect(readStatus(status('0'))?.leaderKnown).toBe(false);
    expect(readStatus({ leader: '42' })).toBeUndefined();
    expect(readStatus('Not Found')).toBeUndefined();
  });

  it("keeps each member's last answer, and its silence, with the time it was asked", () => {
    const test = scheduler();
    test.run(({ cold, expectObservable, flush }) => {
      let answer: Observable<unknown> = cold('5ms (a|)', { a: status('42') });
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        statusDoor(test, [], () => answer),
      );
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: true, at: 0 });
      expectObservable(monitor.check(endpoint, 100)).toBe('5ms (a|)', { a: { leaderKnown: true, raftTerm: 7, version: '3.4.33' } });
      flush();
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: true, leaderKnown: true, raftTerm: 7, version: '3.4.33', at: 5 });
      answer = cold('2ms #', undefined, new EtcdConnectionError('refused', false));
      // Asked again once the first answer is no longer fresh.
      test.schedule(() => monitor.check(endpoint, 100).subscribe({ error: () => undefined }), 200);
      flush();
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: false, leaderKnown: true, raftTerm: 7, version: '3.4.33', at: 207 });
    });
  });

  it('gives up on a silent member after the time limit, and counts a refusal for the role as an answer', () => {
    const test = scheduler();
    test.run(({ cold, expectObservable, flush }) => {
      let answer: Observable<unknown> = NEVER;
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        statusDoor(test, [], () => answer),
      );
      expectObservable(monitor.check(endpoint, 100)).toBe('100ms #', undefined, new EtcdTimeoutError(100, true, { endpoint: 'http://a:1', what: 'status' }));
      flush();
      expect(monitor.report('http://a:1').reachable).toBe(false);
      answer = cold('1ms #', undefined, new EtcdPermissionDeniedError('etcdserver: permission denied'));
      monitor.check(endpoint, 100).subscribe({ error: () => undefined });
      flush();
      expect(monitor.report('http://a:1')).toMatchObject({ reachable: true, at: 101 });
    });
  });

  it('shares the question in flight to a member, and gives an answer heard a moment ago without asking', () => {
    const test = scheduler();
    const asked: string[] = [];
    const heard: string[] = [];
    test.run(({ cold }) => {
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        statusDoor(test, asked, () => cold('10ms (a|)', { a: status('42') })),
      );
      const ask = (timeoutMs: number) =>
        monitor.check(endpoint, timeoutMs).subscribe({
          next: (seen) => heard.push(`${test.now()} term ${seen?.raftTerm}`),
          error: (error: Error) => heard.push(`${test.now()} ${error.message}`),
        });
      ask(100);
      // Joins the question sent at 0, with a time limit of its own.
      test.schedule(() => ask(5), 4);
      test.schedule(() => ask(100), 50);
      test.schedule(() => ask(100), 200);
    });
    expect(asked).toEqual(['0 http://a:1', '200 http://a:1']);
    expect(heard).toEqual(['9 status to http://a:1 got no answer within 5 ms', '10 term 7', '50 term 7', '210 term 7']);
  });

  it("runs a member's probe loop at the shortest period asked of it, only while it is watched", () => {
    const test = scheduler();
    const asked: string[] = [];
    test.run(({ cold }) => {
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        statusDoor(test, asked, () => cold('1ms (a|)', { a: status('42') })),
      );
      const slow = monitor.watch(endpoint, 300, 300, ignoreElements()).subscribe();
      test.schedule(() => {
        const fast = monitor.watch(endpoint, 200, 300, ignoreElements()).subscribe();
        test.schedule(() => fast.unsubscribe(), 450);
      }, 250);
      test.schedule(() => slow.unsubscribe(), 1200);
    });
    // Every 300 ms for the first watcher, every 200 ms while the second watches too (250 to 700), nothing after 1200.
    expect(asked).toEqual(['300 http://a:1', '500 http://a:1', '700 http://a:1', '1000 http://a:1']);
  });

  it('stops every probe loop on close(): the watches end, and nothing is asked after', () => {
    const test = scheduler();
    const asked: string[] = [];
    const monitor = new MemberMonitor(
      ['http://a:1'],
      test,
      statusDoor(test, asked, () => test.createColdObservable('1ms (a|)', { a: status('42') })),
    );
    test.schedule(() => monitor.close(), 150);
    const result = runVirtual(test, monitor.watch(endpoint, 100, 100, ignoreElements()), 10_000);
    expect(asked).toEqual(['100 http://a:1']);
    expect(result).toEqual({ values: [], at: 150 });
    // A watch that comes later ends at once.
    const later = runVirtual(test, monitor.watch(endpoint, 100, 100, ignoreElements()), 20_000);
    expect(later).toEqual({ values: [], at: 10_000 });
    expect(asked).toEqual(['100 http://a:1']);
  });

  it('ends a watch when its member stops answering, and sends nothing once nobody watches', () => {
    const test = scheduler();
    const asked: string[] = [];
    const result = runVirtual(
      test,
      new MemberMonitor(
        ['http://a:1'],
        test,
        statusDoor(test, asked, () => (test.now() < 250 ? test.createColdObservable('1ms (a|)', { a: status('42') }) : NEVER)),
      ).watch(endpoint, 150, 30, ignoreElements()),
      10_000,
    );
    expect(asked).toEqual(['150 http://a:1', '300 http://a:1']);
    expect(result.at).toBe(330);
    expect(result.error).toBeInstanceOf(EtcdTimeoutError);
  });

  it("tells each endpoint's state in etcd.health() with what its member last said of itself", () => {
    const test = scheduler();
    const door = { ...nowhere, send: statusDoor(test, [], () => test.createColdObservable('1ms (a|)', { a: status('42') })) };
    const pool = new EndpointPool(['http://a:1', 'http://b:2'], { demoteMs: 60_000, door, clock: test });
    const told: HealthEvent[] = [];
    test.run(({ flush }) => {
      pool.monitor.check(pool.endpoints[0], 100).subscribe();
      flush();
      pool.health.events().subscribe((event) => told.push(event));
      pool.demote(pool.endpoints[0], 'refused');
    });
    expect(told).toEqual([
      {
        type: 'endpoint',
        endpoint: 'http://a:1',
        state: 'healthy',
        reason: 'no failure seen yet',
        since: new Date(0),
        version: '3.4.33',
        raftTerm: 7,
        leaderKnown: true,
      },
      { type: 'endpoint', endpoint: 'http://b:2', state: 'healthy', reason: 'no failure seen yet', since: new Date(0) },
      { type: 'endpoint', endpoint: 'http://a:1', state: 'demoted', reason: 'refused', since: new Date(1), version: '3.4.33', raftTerm: 7, leaderKnown: true },
    ]);
    pool.close();
  });

  it("moves a stalled read on once its member fails the monitor's liveness probe, in virtual time", () => {
    const test = scheduler();
    const asked: string[] = [];
    const tried: string[] = [];
    // a: the read hangs and so does its status question; b answers both.
    const answers = (url: string) => (url === 'http://a:1' ? NEVER : test.createColdObservable('1ms (a|)', { a: status('42') }));
    const pool = new EndpointPool(['http://a:1', 'http://b:2'], {
      demoteMs: 60_000,
      door: { ...nowhere, send: statusDoor(test, asked, answers) },
      clock: test,
    });
    const settings = {
      requestTimeoutMs: 5000,
      deadlineMs: 15_000,
      probeAfterIdleMs: Infinity,
      stallCheckAfterMs: 1000,
      probeTimeoutMs: 200,
      retry: { attempts: 8, backoffBaseMs: 10, backoffCapMs: 40, jitter: 0 },
    };
    const read = recordedAttempt(
      test,
      tried,
      (e) => (e.url === 'http://a:1' ? '-' : '--a|'),
      () => new Error('not here'),
    );
    const result = runVirtual(test, withFailover(pool, settings, 'repeatable', read), 10_000);
    // The status question at 1000 goes unanswered for 200 ms: the read leaves a at 1200, not at 5000.
    expect(asked).toEqual(['1000 http://a:1']);
    expect(tried).toEqual(['0 http://a:1', '1200 http://b:2']);
    expect(result).toEqual({ values: ['answer'], at: 1203 });
    expect(pool.monitor.report('http://a:1').reachable).toBe(false);
    pool.close();
  });
});
