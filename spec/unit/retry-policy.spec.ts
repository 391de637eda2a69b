import {
  EtcdConnectionError,
  EtcdInvalidArgumentError,
  EtcdOutcomeUnknownError,
  EtcdTimeoutError,
  EtcdUnavailableError,
} from '../../src';
import { backoffDelay, classifyFailure, isRetryable } from '../../src/resilience/retry-policy';

describe('retry rules', () => {
  const refused = new EtcdConnectionError('refused', false);
  const reset = new EtcdConnectionError('reset', true);
  const timedOut = new EtcdTimeoutError(100, true);
  const probeTimedOut = new EtcdTimeoutError(100, false);
  const noLeader = new EtcdUnavailableError('etcdserver: no leader', true);
  const serverTimeout = new EtcdUnavailableError('etcdserver: request timed out', false);
  const invalid = new EtcdInvalidArgumentError('bad');

  it('retries reads on every transient failure and never on a caller error', () => {
    for (const e of [refused, reset, timedOut, noLeader, serverTimeout]) expect(isRetryable(e, 'read')).toBe(true);
    expect(isRetryable(invalid, 'read')).toBe(false);
  });

  it('retries writes only when they provably were not applied', () => {
    expect(isRetryable(refused, 'write')).toBe(true);
    expect(isRetryable(probeTimedOut, 'write')).toBe(true);
    expect(isRetryable(noLeader, 'write')).toBe(true);
    for (const e of [reset, timedOut, serverTimeout, invalid]) expect(isRetryable(e, 'write')).toBe(false);
  });

  it('turns an ambiguous write failure into EtcdOutcomeUnknownError keeping the cause', () => {
    const unknown = classifyFailure(timedOut, 'write');
    expect(unknown).toBeInstanceOf(EtcdOutcomeUnknownError);
    expect((unknown as Error).cause).toBe(timedOut);
    expect(classifyFailure(refused, 'write')).toBe(refused);
    expect(classifyFailure(timedOut, 'read')).toBe(timedOut);
  });

  it('doubles the backoff per sweep up to the cap, with bounded jitter', () => {
    const policy = { attempts: 5, backoffBaseMs: 100, backoffCapMs: 1000, jitter: 0.5 };
    expect([0, 1, 2, 3, 4].map((s) => backoffDelay(s, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
  });
});
