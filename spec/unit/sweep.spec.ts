import { asyncScheduler } from 'rxjs';
import { EndpointPool, Sweep } from '../../src/resilience/endpoint-pool';
import { nowhere } from '../support/virtual-time';

describe('a sweep over the endpoints', () => {
  const urls = ['http://a:1', 'http://b:2', 'http://c:3'];

  it('tries each endpoint once per sweep, healthy ones first, then starts a new sweep', () => {
    const pool = new EndpointPool(urls, { demoteMs: 60_000, door: nowhere, clock: asyncScheduler });
    // Answered: a silent one would end the sweep early, b and c being healthy (see retry-loop.spec.ts).
    pool.demote(pool.endpoints[0], 'etcdserver: leader changed', 'answered');
    const sweep = new Sweep(pool);
    const first = [sweep.next(), sweep.next(), sweep.next()].map((e) => e.url);
    expect(first).toEqual(['http://b:2', 'http://c:3', 'http://a:1']);
    expect(sweep.ended).toBe(true);
    expect(sweep.next().url).toBe('http://b:2');
    expect([sweep.ended, sweep.triedCount]).toEqual([false, 1]);
    pool.close();
  });

  it('starts over from an endpoint that proved good', () => {
    const pool = new EndpointPool(urls, { demoteMs: 60_000, door: nowhere, clock: asyncScheduler });
    const sweep = new Sweep(pool);
    sweep.next();
    const good = sweep.next();
    sweep.restartFrom(good);
    expect(sweep.triedCount).toBe(1);
    expect([sweep.next(), sweep.next()].map((e) => e.url)).toEqual(['http://a:1', 'http://c:3']);
    pool.close();
  });
});
