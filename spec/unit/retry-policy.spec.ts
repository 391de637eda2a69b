import { EtcdConnectionError, EtcdInvalidArgumentError, EtcdOutcomeUnknownError, EtcdTimeoutError, EtcdUnavailableError } from '../../src';
import { backoffDelay, classifyFailure, isRetryable } from '../../src/resilience/retry-policy';

describe('retry rules', () => {
  const refused = new EtcdConnectionError('refused', false);
  const reset = new EtcdConnectionError('reset', true);
  const timedOut = new EtcdTimeoutError(100, true);
  const probeTimedOut = new EtcdTimeoutError(100, false);
  const noLeader = new EtcdUnavailableError('etcdserver: no leader', true);
  const serverTimeout = new EtcdUnavailableError('etcdserver: request timed out', false);
  const invalid = new EtcdInvalidArgumentError('bad');

  it('retries repeatable calls on every transient failure and never on a caller error', () => {
    for (const e of [refused, reset, timedOut, noLeader, serverTimeout]) expect(isRetryable(e, 'repeatable')).toBe(true);
    expect(isRetryable(invalid, 'repeatable')).toBe(false);
  });

  it('retries non-repeatable calls only when they provably were not applied', () => {
    expect(isRetryable(refused, 'non-repeatable')).toBe(true);
    expect(isRetryable(probeTimedOut, 'non-repeatable')).toBe(true);
    expect(isRetryable(noLeader, 'non-repeatable')).toBe(true);
    for (const e of [reset, timedOut, serverTimeout, invalid]) expect(isRetryable(e, 'non-repeatable')).toBe(false);
  });

  it('turns an ambiguous non-repeatable failure into EtcdOutcomeUnknownError keeping the cause', () => {
    const unknown = classifyFailure(timedOut, 'non-repeatable');
    expect(unknown).toBeInstanceOf(EtcdOutcomeUnknownError);
    expect((unknown as Error).cause).toBe(timedOut);
    expect(classifyFailure(refused, 'non-repeatable')).toBe(refused);
    expect(classifyFailure(timedOut, 'repeatable')).toBe(timedOut);
  });

  it('doubles the backoff per sweep up to the cap, with bounded jitter', () => {
    const policy = { attempts: 5, backoffBaseMs: 100, backoffCapMs: 1000, jitter: 0.5 };
    expect([0, 1, 2, 3, 4].map((s) => backoffDelay(s, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
  });
});
