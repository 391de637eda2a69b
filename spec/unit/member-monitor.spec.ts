/**
 * The member monitor in virtual time: one reading of a status answer, the last report of each
 * member (reachable, leader known, raft term, version), one question in flight per member, a
 * probe loop that runs only while watched, and the liveness probe of a stalled call asking it.
 */
import { ignoreElements, NEVER, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EtcdConnectionError, EtcdPermissionDeniedError, EtcdTimeoutError, EndpointEvent } from '../../src';
import { Attempt, Send } from '../../src/pipeline/attempt';
import { EndpointPool } from '../../src/resilience/endpoint-pool';
import { withFailover } from '../../src/resilience/failover';
import { MemberMonitor, readStatus } from '../../src/resilience/member-monitor';
import { nowhere, recordedAttempt, runVirtual } from '../support/virtual-time';

const endpoint = { url: 'http://a:1', agent: undefined as never };
const status = (leader?: string) => ({ header: { revision: '5' }, version: '3.4.33', raftTerm: '7', ...(leader === undefined ? {} : { leader }) });
const VERSION = { etcdserver: '3.4.33', etcdcluster: '3.4.0' };
const seen = { leaderKnown: true, raftTerm: 7, version: '3.4.33' };
const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** An answer after `ms`, in virtual time. */
const after = (test: TestScheduler, ms: number, value: unknown) => test.createColdObservable(`${'-'.repeat(ms)}(a|)`, { a: value });

/**
 * A Send that answers each question as `answer(method, url)` plays, recording in `asked` when,
 * what and where it was asked; by default a member answering both questions after 1 ms.
 */
function door(test: TestScheduler, asked: string[], answer?: (method: string, url: string) => Observable<unknown>): Send {
  const answers = answer ?? ((method: string) => after(test, 1, method === 'version' ? VERSION : status('42')));
  return ((attempt: Attempt) => {
    asked.push(`${test.now()} ${attempt.method} ${attempt.endpoint.url}`);
    return answers(attempt.method, attempt.endpoint.url);
  }) as Send;
}

/** What a question did, as `time what`. */
function record(test: TestScheduler, heard: string[], question: Observable<unknown>): void {
  question.subscribe({
    next: (value) => heard.push(`${test.now()} term ${(value as { raftTerm?: number } | undefined)?.raftTerm}`),
    error: (error: Error) => heard.push(`${test.now()} ${error.message}`),
    complete: () => heard.push(`${test.now()} done`),
  });
}

describe('the member monitor', () => {
  it('reads whether a status names a leader, its term and version; anything else is no status', () => {
    expect(readStatus(status('42'))).toEqual(seen);
    expect(readStatus(status())).toEqual({ ...seen, leaderKnown: false });
    expect(readStatus(status('0'))?.leaderKnown).toBe(false);
    expect(readStatus({ leader: '42' })).toBeUndefined();
    expect(readStatus('Not Found')).toBeUndefined();
  });

  it("keeps each member's last status, its version and its silence, with the time it was heard", () => {
    const test = scheduler();
    test.run(({ cold, expectObservable, flush }) => {
      let answer: Observable<unknown> = cold('5ms (a|)', { a: status('42') });
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        door(test, [], () => answer),
      );
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: true, at: 0 });
      expectObservable(monitor.status(endpoint, 100)).toBe('5ms (a|)', { a: seen });
      flush();
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: true, ...seen, at: 5, answeredAt: 5, statusAt: 5, versionAt: 5 });
      answer = cold('2ms #', undefined, new EtcdConnectionError('refused', false));
      // Asked again once the first answer is no longer fresh.
      test.schedule(() => monitor.status(endpoint, 100).subscribe({ error: () => undefined }), 200);
      flush();
      // What it said stays told, with when; its silence too.
      expect(monitor.report('http://a:1')).toEqual({
        endpoint: 'http://a:1',
        reachable: false,
        ...seen,
        at: 207,
        answeredAt: 5,
        statusAt: 5,
        versionAt: 5,
        silentAt: 207,
      });
      // A silent member may come back upgraded: its version is asked again.
      answer = cold('1ms (a|)', { a: { etcdserver: '3.4.34', etcdcluster: '3.4.0' } });
      const told: unknown[] = [];
      monitor.version(endpoint, 100).subscribe((version) => told.push(version));
      flush();
      expect(told).toEqual([{ major: 3, minor: 4, patch: 34 }]);
      // The leader and term are those of its last status, at 5; the version was told at 208.
      expect(monitor.report('http://a:1')).toEqual({
        endpoint: 'http://a:1',
        reachable: true,
        ...seen,
        version: '3.4.34',
        at: 208,
        versionAt: 208,
        silentAt: 207,
        answeredAt: 208,
        statusAt: 5,
      });
    });
  });

  it('gives up on a silent member after the time limit, and counts a refusal of its status as an answer', () => {
    const test = scheduler();
    const heard: string[] = [];
    test.run(({ cold, flush }) => {
      let answer: Observable<unknown> = NEVER;
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        door(test, [], () => answer),
      );
      record(test, heard, monitor.status(endpoint, 100));
      flush();
      expect(monitor.report('http://a:1').reachable).toBe(false);
      answer = cold('1ms #', undefined, new EtcdPermissionDeniedError('etcdserver: permission denied'));
      record(test, heard, monitor.status(endpoint, 100));
      // Joins the status question in flight: refused, the member answered all the same.
      record(test, heard, monitor.check(endpoint, 100));
      flush();
      expect(monitor.report('http://a:1')).toMatchObject({ reachable: true, at: 101, answeredAt: 101 });
      expect(monitor.report('http://a:1').statusAt).toBeUndefined();
    });
    expect(heard).toEqual(['100 status to http://a:1 got no answer within 100 ms', '101 etcdserver: permission denied', '101 done']);
  });

  it('shares the question in flight to a member, and counts an answer heard a moment ago without asking', () => {
    const test = scheduler();
    const asked: string[] = [];
    const heard: string[] = [];
    test.run(() => {
      const monitor = new MemberMonitor(
        ['http://a:1'],
        test,
        door(test, asked, (method) => after(test, 10, method === 'version' ? VERSION : status('42'))),
      );
      record(test, heard, monitor.status(endpoint, 100));
      // Joins the question sent at 0, with a time limit of its own; a liveness check joins it too.
      test.schedule(() => record(test, heard, monitor.status(endpoint, 5)), 4);
      test.schedule(() => record(test, heard, monitor.check(endpoint, 100)), 6);
      test.schedule(() => record(test, heard, monitor.status(endpoint, 100)), 50);
      test.schedule(() => record(test, heard, monitor.check(endpoint, 100)), 60);
      // No longer fresh: a liveness check asks /version, a status question cannot join it.
      test.schedule(() => record(test, heard, monitor.check(endpoint, 100)), 200);
      test.schedule(() => record(test, heard, monitor.status(endpoint, 100)), 205);
    });
    expect(asked).toEqual(['0 maintenance/status http://a:1', '200 version http://a:1', '205 maintenance/status http://a:1']);
    // A status question emits what it heard and completes; a liveness check only completes.
    expect(heard).toEqual([
      '9 status to http://a:1 got no answer within 5 ms',
      '10 term 7',
      '10 done',
      '10 done',
      '50 term 7',
      '50 done',
      '60 done',
      '210 done',
      '215 term 7',
      '215 done',
    ]);
  });

  it('times every watcher of a member on one probe loop, each at its own pace, only while it is watched', () => {
    const test = scheduler();
    const asked: string[] = [];
    test.run(() => {
      const monitor = new MemberMonitor(['http://a:1'], test, door(test, asked));
      const slow = monitor.watch(endpoint, 300, () => monitor.status(endpoint, 300)).subscribe();
      test.schedule(() => {
        const fast = monitor.watch(endpoint, 200, () => monitor.check(endpoint, 300)).subscribe();
        test.schedule(() => fast.unsubscribe(), 450);
      }, 250);
      test.schedule(() => slow.unsubscribe(), 1200);
    });
    // The status every 300 ms; the liveness check at 450, then at 600 with the status (due at 650,
    // close enough to share its question); nothing once each has left (at 700, at 1200).
    expect(asked).toEqual([
      '300 maintenance/status http://a:1',
      '450 version http://a:1',
      '600 maintenance/status http://a:1',
      '900 maintenance/status http://a:1',
    ]);
  });

  it('ends a watch when its member stops answering', () => {
    const test = scheduler();
    const asked: string[] = [];
    const monitor = new MemberMonitor(
      ['http://a:1'],
      test,
      door(test, asked, () => (test.now() < 250 ? after(test, 1, VERSION) : NEVER)),
    );
    const result = runVirtual(
      test,
      monitor.watch(endpoint, 150, () => monitor.check(endpoint, 30)),
      10_000,
    );
    expect(asked).toEqual(['150 version http://a:1', '300 version http://a:1']);
    expect(result.at).toBe(330);
    expect(result.error).toBeInstanceOf(EtcdTimeoutError);
  });

  it('stops every probe loop on close(): the watches end, and nothing is asked after', () => {
    const test = scheduler();
    const asked: string[] = [];
    const monitor = new MemberMonitor(['http://a:1'], test, door(test, asked));
    const watch = () => monitor.watch(endpoint, 100, () => monitor.check(endpoint, 100).pipe(ignoreElements()));
    test.schedule(() => monitor.close(), 150);
    expect(runVirtual(test, watch(), 10_000)).toEqual({ values: [], at: 150 });
    // A watch that comes later ends at once.
    expect(runVirtual(test, watch(), 20_000)).toEqual({ values: [], at: 10_000 });
    expect(asked).toEqual(['100 version http://a:1']);
  });

  it("tells each endpoint's state in etcd.endpointStates() with what its member last said of itself", () => {
    const test = scheduler();
    const pool = new EndpointPool(['http://a:1', 'http://b:2'], { demoteMs: 60_000, door: { ...nowhere, send: door(test, []) }, clock: test });
    const told: EndpointEvent[] = [];
    test.run(({ flush }) => {
      pool.monitor.status(pool.endpoints[0], 100).subscribe();
      flush();
      pool.health.events().subscribe((event) => told.push(event));
      pool.demote(pool.endpoints[0], 'refused');
    });
    const healthy = { type: 'endpoint', state: 'healthy', reason: 'no failure seen yet', since: new Date(0) };
    expect(told).toEqual([
      { ...healthy, endpoint: 'http://a:1', ...seen },
      { ...healthy, endpoint: 'http://b:2' },
      { type: 'endpoint', endpoint: 'http://a:1', state: 'demoted', reason: 'refused', since: new Date(1), ...seen },
    ]);
    pool.close();
  });

  it("moves a stalled read on once its member fails the monitor's liveness probe, in virtual time", () => {
    const test = scheduler();
    const asked: string[] = [];
    const tried: string[] = [];
    // a: the read hangs and so does the liveness probe; b answers both.
    const answers = (_method: string, url: string) => (url === 'http://a:1' ? NEVER : after(test, 1, VERSION));
    const pool = new EndpointPool(['http://a:1', 'http://b:2'], { demoteMs: 60_000, door: { ...nowhere, send: door(test, asked, answers) }, clock: test });
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
    // The probe at 1000 goes unanswered for 200 ms: the read leaves a at 1200, not at 5000.
    expect(asked).toEqual(['1000 version http://a:1']);
    expect(tried).toEqual(['0 http://a:1', '1200 http://b:2']);
    expect(result).toEqual({ values: ['answer'], at: 1203 });
    expect(pool.monitor.report('http://a:1').reachable).toBe(false);
    pool.close();
  });
});
