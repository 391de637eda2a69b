/**
 * The member monitor: one reading of a status answer, and the last report of each member
 * (reachable, leader known, raft term, version), timed on the clock it is given.
 */
import { NEVER } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EtcdConnectionError, EtcdTimeoutError } from '../../src';
import { Send } from '../../src/pipeline/attempt';
import { MemberMonitor, readStatus } from '../../src/resilience/member-monitor';

const endpoint = { url: 'http://a:1', agent: undefined as never };
const status = (leader?: string) => ({ header: { revision: '5' }, version: '3.4.33', raftTerm: '7', ...(leader === undefined ? {} : { leader }) });

describe('the member monitor', () => {
  it('reads whether a status names a leader, its term and version; anything else is no status', () => {
    expect(readStatus(status('42'))).toEqual({ leaderKnown: true, raftTerm: 7, version: '3.4.33' });
    expect(readStatus(status())).toEqual({ leaderKnown: false, raftTerm: 7, version: '3.4.33' });
    expect(readStatus(status('0'))?.leaderKnown).toBe(false);
    expect(readStatus({ leader: '42' })).toBeUndefined();
    expect(readStatus('Not Found')).toBeUndefined();
  });

  it("keeps each member's last answer, and its silence, with the time it was asked, in virtual time", () => {
    const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    test.run(({ cold, expectObservable, flush }) => {
      const monitor = new MemberMonitor(['http://a:1'], test);
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: true, at: 0 });
      const answering: Send = () => cold('5ms (a|)', { a: status('42') }) as never;
      expectObservable(monitor.ask(answering, endpoint, 100)).toBe('5ms (a|)', { a: { leaderKnown: true, raftTerm: 7, version: '3.4.33' } });
      flush();
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: true, leaderKnown: true, raftTerm: 7, version: '3.4.33', at: 5 });
      const refusing: Send = () => cold('2ms #', undefined, new EtcdConnectionError('refused', false)) as never;
      // Asked at 5 ms, once the first answer was in.
      expectObservable(monitor.ask(refusing, endpoint, 100)).toBe('7ms #', undefined, new EtcdConnectionError('refused', false));
      flush();
      // A silent member may come back upgraded: its version is asked again then.
      expect(monitor.report('http://a:1')).toEqual({ endpoint: 'http://a:1', reachable: false, leaderKnown: true, raftTerm: 7, at: 7 });
    });
  });

  it('gives up on a silent member after the time limit, in virtual time', () => {
    const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    test.run(({ expectObservable }) => {
      const monitor = new MemberMonitor(['http://a:1'], test);
      const silent: Send = () => NEVER;
      expectObservable(monitor.ask(silent, endpoint, 100)).toBe(
        '100ms #',
        undefined,
        new EtcdTimeoutError(100, true, { endpoint: 'http://a:1', what: 'status' }),
      );
    });
  });
});
