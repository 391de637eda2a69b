import { EtcdUnavailableError } from '../../src';
import { SeenRevision } from '../../src/resilience/seen-revision';

describe('the read floor', () => {
  const answer = (revision: number, cluster = 'c1') => ({ header: { revision: String(revision), cluster_id: cluster } });
  const endpoint = 'http://a:1';

  it('rises with every answer, never falls, and reads keep-alive messages too', () => {
    const seen = new SeenRevision();
    expect(seen.revision).toBe(0);
    seen.record(answer(10), endpoint);
    seen.record(answer(7), endpoint);
    expect(seen.revision).toBe(10);
    seen.record({ result: answer(12) }, endpoint);
    expect(seen.revision).toBe(12);
    seen.record({ no: 'header' }, endpoint);
    expect(seen.revision).toBe(12);
  });

  it('refuses a linearizable answer older than the floor it was sent at, as a transient failure', () => {
    const seen = new SeenRevision();
    seen.record(answer(10), endpoint);
    expect(() => seen.record(answer(9), endpoint, 10)).toThrow(EtcdUnavailableError);
    expect(() => seen.record(answer(10), endpoint, 10)).not.toThrow();
    // An answer below the current floor but not below the floor at sending is honest.
    seen.record(answer(15), endpoint);
    expect(() => seen.record(answer(11), endpoint, 10)).not.toThrow();
    expect(seen.revision).toBe(15);
  });

  it('starts over when the answers come from another cluster', () => {
    const seen = new SeenRevision();
    seen.record(answer(100, 'old'), endpoint);
    expect(() => seen.record(answer(3, 'new'), endpoint, 100)).not.toThrow();
    expect(seen.revision).toBe(3);
  });
});
