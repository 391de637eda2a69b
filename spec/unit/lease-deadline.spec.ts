import { NEVER, Observable, of, delay, timer, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { LeaseEvent, LeaseLostError } from '../../src';
import { LeaseCalls } from '../../src/lease/lease-calls';
import { LeaseService } from '../../src/lease/lease-service';
import { Lifecycle } from '../../src/resilience/lifecycle';
import { Decoder, HedgedDecoder, UnaryCaller } from '../../src/resilience/unary-caller';

/**
 * A cluster behind the UnaryCaller interface, answering in virtual time; renewals stop after
 * `answersUntil`. A renewal started at `slow.from` or later (once) is answered only by a hedge sent
 * `slow.byMs` after it, a frame later: a renewal that waited out a leader election. With
 * `slow.held`, the answer comes as late but to the renewal's first attempt, which etcd held
 * through the election.
 */
class FakeLeases implements UnaryCaller {
  readonly endpoints = ['http://fake:2379'];
  renewals = 0;
  private slowDone = false;

  constructor(
    private readonly test: TestScheduler,
    private readonly answersUntil: number,
    private readonly slow: { readonly from: number; readonly byMs: number; readonly held?: boolean } = { from: Infinity, byMs: 0 },
    private readonly ttl = '3',
  ) {}

  call<T>(path: string, _body: unknown, _safety: unknown, decode: Decoder<T>): Observable<T> {
    const answer = path === '/v3/lease/grant' ? { header: {}, ID: '7', TTL: this.ttl } : { header: {} };
    return of(decode(answer, this.endpoints[0])).pipe(delay(1, this.test));
  }

  hedged<T>(_path: string, _body: unknown, _hedgeMs: number, decode: HedgedDecoder<T>): Observable<T> {
    const startedAt = this.test.now();
    if (startedAt >= this.answersUntil) return NEVER;
    this.renewals++;
    const waited = !this.slowDone && startedAt >= this.slow.from ? this.slow.byMs : 0;
    if (waited > 0) this.slowDone = true;
    const answer = { result: { header: {}, ID: '7', TTL: this.ttl } };
    return timer(waited + 1, this.test).pipe(map(() => decode(answer, this.endpoints[0], this.slow.held === true ? startedAt : startedAt + waited)));
  }

  callOn<T>(): Observable<T> {
    return NEVER;
  }
}

describe('lease deadlines in virtual time', () => {
  it('renews every keepAliveEveryMs, and tells the lease lost exactly when its last renewal runs out', () => {
    const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const cluster = new FakeLeases(test, 2500);
    const calls = new LeaseCalls(cluster);
    const leases = new LeaseService(calls, () => calls, new Lifecycle(test), 5000, test);
    const events: string[] = [];
    let lost: { error: unknown; at: number } | undefined;
    test.run(() => {
      leases.lease(3, { keepAliveEveryMs: 1000 }).subscribe({
        next: (e: LeaseEvent) => events.push(`${test.now()} ${e.type} until ${e.validUntil}`),
        error: (error: unknown) => (lost = { error, at: test.now() }),
      });
    });
    // Asked at 0, so valid until 3000; renewals sent at 1000 and 2000 are answered a frame later;
    // the one sent at 3000 never is, so the lease is lost when the renewal sent at 2000 runs out.
    expect(events).toEqual(['1 granted until 3000', '1001 renewed until 4000', '2001 renewed until 5000']);
    expect(lost?.at).toBe(5000);
    expect(lost?.error).toBeInstanceOf(LeaseLostError);
    expect((lost?.error as LeaseLostError).reason).toBe('unreachable');
  });

  it('counts a renewal that hedged through an election from the hedge that was answered, not from its first attempt', () => {
    const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    // The renewal started at 1000 is answered only by the hedge sent 1500 ms later (an election);
    // nothing answers after 4000.
    const cluster = new FakeLeases(test, 4000, { from: 1000, byMs: 1500 });
    const { events, lostAt } = keptAlive(test, cluster);
    // Valid until 2500 + 3000, not 1000 + 3000: the renewal sent at 3500 keeps it to 6500.
    expect(events).toEqual(['1 granted until 3000', '2501 renewed until 5500', '3501 renewed until 6500']);
    expect(lostAt).toBe(6500);
  });

  it('renews again at once after a renewal answered late, so the lease keeps all but keepAliveEveryMs of its TTL', () => {
    const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    // The renewal sent at 1000 is held through an election and answered at 2501; nothing answers after 3000.
    const cluster = new FakeLeases(test, 3000, { from: 1000, byMs: 1500, held: true });
    const { events, lostAt } = keptAlive(test, cluster);
    // Credited from 1000, the late answer leaves the lease 1.5 s: the renewal due at 2000 goes at
    // once (not at 3501, which no one answers) and keeps it to 5501.
    expect(events).toEqual(['1 granted until 3000', '2501 renewed until 4000', '2502 renewed until 5501']);
    expect(lostAt).toBe(5501);
  });

  it('renews a lease under 6 s every TTL/6 and a longer one every TTL/3 by default', () => {
    const renewalsBy = (ttl: number, atMs: number) => {
      const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
      const cluster = new FakeLeases(test, Infinity, undefined, String(ttl));
      const calls = new LeaseCalls(cluster);
      const leases = new LeaseService(calls, () => calls, new Lifecycle(test), 5000, test);
      test.run(({ flush }) => {
        const held = leases.lease(ttl).subscribe();
        test.schedule(() => held.unsubscribe(), atMs);
        flush();
      });
      return cluster.renewals;
    };
    // Granted at 1; a 3 s lease is renewed at 501, 1002, 1503 and 2004 (each answered a frame later).
    expect(renewalsBy(3, 2100)).toBe(4);
    // A 6 s lease at 2001 only.
    expect(renewalsBy(6, 2100)).toBe(1);
  });
});

/** A 3 s lease renewed every second against `cluster`, in virtual time: what it heard, and when it was lost. */
function keptAlive(test: TestScheduler, cluster: FakeLeases): { events: string[]; lostAt: number | undefined } {
  const calls = new LeaseCalls(cluster);
  const leases = new LeaseService(calls, () => calls, new Lifecycle(test), 5000, test);
  const events: string[] = [];
  let lostAt: number | undefined;
  test.run(() => {
    leases.lease(3, { keepAliveEveryMs: 1000 }).subscribe({
      next: (e: LeaseEvent) => events.push(`${test.now()} ${e.type} until ${e.validUntil}`),
      error: () => (lostAt = test.now()),
    });
  });
  return { events, lostAt };
}
