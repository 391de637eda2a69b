import { NEVER, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { stallCheck } from '../../src/resilience/stall-check';
import { timeLimit } from '../../src/resilience/time-limit';

describe('time limits in virtual time', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const late = new Error('late');

  it('fails a call unanswered within the limit, and unsubscribes from it', () => {
    const test = scheduler();
    test.run(({ cold, expectObservable, expectSubscriptions }) => {
      const call = cold('-----a|');
      expectObservable(call.pipe(timeLimit(3, () => late, test))).toBe('---#', undefined, late);
      expectSubscriptions(call.subscriptions).toBe('^--!');
    });
  });

  it('leaves a call answered in time alone, however long it streams on', () => {
    const test = scheduler();
    test.run(({ cold, expectObservable }) => {
      expectObservable(cold('--a------b|').pipe(timeLimit(3, () => late, test))).toBe('--a------b|');
    });
  });

  it('checks a call still unanswered after a while, and fails it when the check fails', () => {
    const test = scheduler();
    test.run(({ cold, expectObservable, expectSubscriptions }) => {
      const call = cold('----------a|');
      const check = cold<never>('--#', undefined, new Error('probe failed'));
      const dead = new Error('member gone');
      expectObservable(
        call.pipe(
          stallCheck(
            3,
            () => check,
            () => dead,
            test,
          ),
        ),
      ).toBe('-----#', undefined, dead);
      expectSubscriptions(check.subscriptions).toBe('---^-!');
    });
  });

  it('waits for a call whose member passes the check, and never checks one that answers in time', () => {
    const test = scheduler();
    let checks = 0;
    const check = () => {
      checks++;
      return NEVER;
    };
    test.run(({ cold, expectObservable }) => {
      expectObservable(cold('-------a|').pipe(stallCheck(3, check, () => late, test))).toBe('-------a|');
      expectObservable(
        cold('-a|').pipe(
          stallCheck(
            3,
            () => throwError(() => late),
            () => late,
            test,
          ),
        ),
      ).toBe('-a|');
    });
    expect(checks).toBe(1);
  });
});
