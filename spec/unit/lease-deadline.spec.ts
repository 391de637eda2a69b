import { NEVER, Observable, of, delay } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { LeaseEvent, LeaseLostError } from '../../src';
import { LeaseCalls } from '../../src/lease/lease-calls';
import { LeaseService } from '../../src/lease/lease-service';
import { Lifecycle } from '../../src/resilience/lifecycle';
import { Decoder, UnaryCaller } from '../../src/resilience/unary-caller';

/** A cluster behind the UnaryCaller interface, answering in virtual time; renewals stop after `answersUntil`. */
class FakeLeases implements UnaryCaller {
  readonly endpoints = ['http://fake:2379'];
  renewals = 0;

  constructor(
    private readonly test: TestScheduler,
    private readonly answersUntil: number,
  ) {}

  call<T>(path: string, _body: unknown, _safety: unknown, decode: Decoder<T>): Observable<T> {
    const answer = path === '/v3/lease/grant' ? { header: {}, ID: '7', TTL: '3' } : { header: {} };
    return of(decode(answer, this.endpoints[0])).pipe(delay(1, this.test));
  }

  hedged<T>(_path: string, _body: unknown, _hedgeMs: number, decode: Decoder<T>): Observable<T> {
    if (this.test.now() >= this.answersUntil) return NEVER;
    this.renewals++;
    return of(decode({ result: { header: {}, ID: '7', TTL: '3' } }, this.endpoints[0])).pipe(delay(1, this.test));
  }

  callOn<T>(): Observable<T> {
    return NEVER;
  }
}

describe('lease deadlines in virtual time', () => {
  it('renews every TTL/3, and tells the lease lost exactly when its last renewal runs out', () => {
    const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const cluster = new FakeLeases(test, 2500);
    const calls = new LeaseCalls(cluster);
    const leases = new LeaseService(calls, () => calls, new Lifecycle(), 5000, test);
    const events: string[] = [];
    let lost: { error: unknown; at: number } | undefined;
    test.run(() => {
      leases.lease(3).subscribe({
        next: (e: LeaseEvent) => events.push(`${test.now()} ${e.type} until ${e.validUntil}`),
        error: (error: unknown) => (lost = { error, at: test.now() }),
      });
    });
    // Asked at 0, so valid until 3000; renewals sent at 1001 and 2002 are answered a frame later;
    // the one sent at 3003 never is, so the lease is lost when the renewal sent at 2002 runs out.
    expect(events).toEqual(['1 granted until 3000', '1002 renewed until 4001', '2003 renewed until 5002']);
    expect(lost?.at).toBe(5002);
    expect(lost?.error).toBeInstanceOf(LeaseLostError);
    expect((lost?.error as LeaseLostError).reason).toBe('unreachable');
  });
});
