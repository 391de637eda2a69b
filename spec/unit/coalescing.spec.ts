import { asyncScheduler, defer, EMPTY, lastValueFrom, map, Observable, SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { None } from 'ts-results';
import { coalescing, CoalescingSettings } from '../../src/coalescing/coalescing-caller';
import { Call } from '../../src/pipeline/call';
import { resolveOptions } from '../../src/options';
import { EtcdAllEndpointsFailedError, EtcdInvalidArgumentError, EtcdNotFoundError, EtcdOutcomeUnknownError } from '../../src/errors';
import { decodeDelete } from '../../src/kv/delete';
import { decodePut, PutResult } from '../../src/kv/put';
import { decodeRange } from '../../src/kv/range';
import { CallSafety, LINEARIZABLE_READ, NON_REPEATABLE, REPEATABLE } from '../../src/resilience/retry-policy';
import { ChainCaller, Decoder, UnaryCaller } from '../../src/resilience/unary-caller';

/** One call that reached the fake server. */
interface Sent {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly safety: CallSafety;
  readonly at: number;
  aborted: boolean;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const text = (field: unknown) => Buffer.from(field as string, 'base64').toString();
const HEADER = { cluster_id: '1', member_id: '2', revision: '9', raft_term: '3' };

/**
 * A fake etcd behind the UnaryCaller interface, answering after `latency` frames of virtual time.
 * A key whose text starts with `bad` makes etcd refuse (invalid argument), `nolease` as a missing
 * lease would; `fail` makes every call fail as if no endpoint answered.
 */
class FakeEtcd implements UnaryCaller {
  readonly sent: Sent[] = [];
  readonly endpoints = ['http://fake:2379'];
  fail: Error | undefined;

  constructor(private readonly latency = 2) {}

  call<T>(path: string, body: unknown, safety: CallSafety, decode: Decoder<T>): Observable<T> {
    return defer(() => {
      const sent: Sent = { path, body: body as Record<string, unknown>, safety, at: asyncScheduler.now(), aborted: false };
      this.sent.push(sent);
      return new Observable<unknown>((subscriber) => {
        let answered = false;
        const answer = asyncScheduler.schedule(() => {
          answered = true;
          try {
            if (this.fail !== undefined) throw this.fail;
            subscriber.next(this.answer(path, sent.body));
            subscriber.complete();
          } catch (error) {
            subscriber.error(error);
          }
        }, this.latency);
        return () => {
          if (!answered) sent.aborted = true;
          answer.unsubscribe();
        };
      }).pipe(map((json) => decode(json, 'http://fake:2379')));
    });
  }

  hedged<T>(): Observable<T> {
    return EMPTY;
  }

  callOn<T>(): Observable<T> {
    return EMPTY;
  }

  private answer(path: string, body: Record<string, unknown>): unknown {
    if (path === '/v3/kv/txn') {
      const ops = body.success as Record<string, Record<string, unknown>>[];
      // etcd checks every operation first: a refused one fails the txn and nothing is applied.
      const responses = ops.map((op) => {
        const [[type, request]] = Object.entries(op);
        return { [type.replace('request_', 'response_')]: { ...(this.one(type, request) as object), header: { revision: '9' } } };
      });
      return { header: HEADER, succeeded: true, responses };
    }
    const type = path === '/v3/kv/range' ? 'request_range' : path === '/v3/kv/put' ? 'request_put' : 'request_delete_range';
    return { ...(this.one(type, body) as object), header: HEADER };
  }

  private one(type: string, request: Record<string, unknown>): unknown {
    const key = text(request.key);
    if (key.startsWith('bad')) throw new EtcdInvalidArgumentError(`etcdserver: refused ${key}`);
    if (key.startsWith('nolease')) throw new EtcdNotFoundError('etcdserver: requested lease not found');
    if (type === 'request_range') return { kvs: [{ key: request.key, value: b64(`value of ${key}`), mod_revision: '4' }], count: '1' };
    if (type === 'request_put') return request.prev_kv === true ? { prev_kv: { key: request.key, value: b64(`old ${key}`) } } : {};
    return { deleted: '1' };
  }
}

/** The coalescing stage over `etcd`, as a caller. */
function coalesced(etcd: FakeEtcd, settings: CoalescingSettings, clock: SchedulerLike): UnaryCaller {
  const below = <T>(call: Call<T>) => etcd.call(call.path, call.body, call.safety, call.decode);
  return new ChainCaller(coalescing(settings, clock)(below), etcd.endpoints);
}

/** Runs `body` in the virtual time of a fresh TestScheduler, given to it as the client's clock. */
function inVirtualTime(body: (clock: TestScheduler, flush: () => void) => void): void {
  const clock = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  clock.run(({ flush }) => body(clock, flush));
}

describe('coalescing, in virtual time', () => {
  let scheduler: TestScheduler;
  const on = { coalesceReads: true, coalesceWrites: true, coalesceWindowMs: 0 };
  const get = (caller: UnaryCaller, key: string) =>
    caller.call('/v3/kv/range', { key: b64(key) }, LINEARIZABLE_READ, (json) =>
      decodeRange(json)
        .kvs.map((kv) => kv.value)
        .join(),
    );
  const put = (caller: UnaryCaller, key: string, extra: Record<string, unknown> = {}) =>
    caller.call('/v3/kv/put', { key: b64(key), value: b64('v'), ...extra }, NON_REPEATABLE, decodePut);

  /** A read and a write of the key `lead` in flight, so that the calls made next gather. */
  const busy = (caller: UnaryCaller) => {
    get(caller, 'lead').subscribe({ error: () => undefined });
    put(caller, 'lead').subscribe({ error: () => undefined });
  };
  /** What reached etcd, but for the calls of `busy`. */
  const gathered = (etcd: FakeEtcd) => etcd.sent.filter((s) => s.body.key !== b64('lead'));

  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('sends a call that finds none of its kind in flight at once, as itself (idle: immediate)', () => {
    scheduler.run(({ flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, on, scheduler);
      get(caller, 'a').subscribe();
      put(caller, 'b').subscribe();
      // Sent on subscribe, before any scheduled work has run.
      expect(etcd.sent.map((s) => `${s.path} ${text(s.body.key)}`)).toEqual(['/v3/kv/range a', '/v3/kv/put b']);
      // Idle again once both answered (at 2): the next read goes at once too.
      scheduler.schedule(() => get(caller, 'c').subscribe(), 2);
      flush();
      expect(etcd.sent.map((s) => `${s.at} ${s.path}`)).toEqual(['0 /v3/kv/range', '0 /v3/kv/put', '2 /v3/kv/range']);
    });
  });

  it('gathers the reads made while one is in flight into one read-only txn, each answer to its own subscriber (busy: gathered)', () => {
    scheduler.run(({ flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, on, scheduler);
      const answers: string[] = [];
      for (const key of ['a', 'b', 'c', 'b']) get(caller, key).subscribe((value) => answers.push(`${scheduler.now()} ${value}`));
      // Only the first has gone; the others wait for the end of the turn.
      expect(etcd.sent).toHaveLength(1);
      flush();
      expect(answers).toEqual(['2 value of a', '2 value of b', '2 value of b', '2 value of c']);
      const [alone, txn] = etcd.sent;
      expect([alone.path, text(alone.body.key)]).toEqual(['/v3/kv/range', 'a']);
      expect([txn.path, txn.safety]).toEqual(['/v3/kv/txn', LINEARIZABLE_READ]);
      // The same key twice is asked once.
      expect((txn.body.success as { request_range: { key: string } }[]).map((op) => text(op.request_range.key))).toEqual(['b', 'c']);
    });
  });

  it('gathers the writes made while one is in flight into one txn, and lets a lone call that is left abort its request', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd(4);
      const caller = coalesced(etcd, on, scheduler);
      expectObservable(put(caller, 'a').pipe(map((r) => r.revision))).toBe('----(x|)', { x: 9 });
      scheduler.schedule(() => {
        put(caller, 'b').subscribe();
        put(caller, 'c').subscribe();
      }, 1);
      scheduler.schedule(() => get(caller, 'left').subscribe().unsubscribe(), 6);
      flush();
      expect(etcd.sent.map((s) => `${s.at} ${s.path} ${s.aborted}`)).toEqual(['0 /v3/kv/put false', '1 /v3/kv/txn false', '6 /v3/kv/range true']);
    });
  });

  it('sends a read alone as itself, and keeps reads of another window, a revision or a serializable one out', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, { ...on, coalesceWindowMs: 3 }, scheduler);
      expectObservable(get(caller, 'a')).toBe('-----(x|)', { x: 'value of a' });
      scheduler.schedule(() => get(caller, 'b').subscribe(), 2);
      scheduler.schedule(() => get(caller, 'c').subscribe(), 4);
      caller.call('/v3/kv/range', { key: b64('d'), revision: 3 }, LINEARIZABLE_READ, decodeRange).subscribe();
      caller.call('/v3/kv/range', { key: b64('e'), serializable: true }, REPEATABLE, decodeRange).subscribe();
      flush();
      const sent = etcd.sent.map((s) => `${s.at} ${s.path} ${s.path === '/v3/kv/txn' ? (s.body.success as unknown[]).length : text(s.body.key)}`);
      expect(sent).toEqual(['0 /v3/kv/range d', '0 /v3/kv/range e', '3 /v3/kv/txn 2', '7 /v3/kv/range c']);
    });
  });

  it("times a window of some milliseconds on the client's clock, from the first call that joins it", () => {
    scheduler.run(({ flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, { ...on, coalesceWindowMs: 4 }, scheduler);
      for (const [key, at] of [
        ['a', 0],
        ['b', 3],
        ['c', 5],
        ['d', 8],
        ['e', 10],
      ] as const)
        scheduler.schedule(() => put(caller, key).subscribe(), at);
      flush();
      // a and b go at 4 (answered at 6); c opens the next window at 5, d joins it; e, alone, a third.
      const keys = (body: Record<string, unknown>) =>
        body.success === undefined ? text(body.key) : (body.success as { request_put: { key: string } }[]).map((op) => text(op.request_put.key)).join('');
      const sent = etcd.sent.map((s) => `${s.at} ${keys(s.body)}`);
      expect(sent).toEqual(['4 ab', '9 cd', '14 e']);
    });
  });

  it('splits a burst into txns of at most 128 operations', () => {
    scheduler.run(({ flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, on, scheduler);
      busy(caller);
      const answers: string[] = [];
      for (let i = 0; i < 300; i++) get(caller, `k${i}`).subscribe((value) => answers.push(value));
      flush();
      expect(gathered(etcd).map((s) => (s.body.success as unknown[]).length)).toEqual([128, 128, 44]);
      expect(answers).toHaveLength(300);
      expect(new Set(answers).size).toBe(300);
    });
  });

  it('re-sends each request alone when one of them made etcd refuse the txn, so only that one fails', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, on, scheduler);
      busy(caller);
      expectObservable(get(caller, 'a')).toBe('----(x|)', { x: 'value of a' });
      expectObservable(get(caller, 'bad')).toBe('----#', undefined, new EtcdInvalidArgumentError('etcdserver: refused bad'));
      expectObservable(put(caller, 'k1', { prev_kv: true }).pipe(map((r) => r.prevKv.unwrap().value))).toBe('----(x|)', { x: 'old k1' });
      expectObservable(put(caller, 'nolease')).toBe('----#', undefined, new EtcdNotFoundError('etcdserver: requested lease not found'));
      expectObservable(put(caller, 'k2').pipe(map((r) => r.prevKv))).toBe('----(x|)', { x: None });
      flush();
      expect(gathered(etcd).map((s) => s.path)).toEqual(['/v3/kv/txn', '/v3/kv/txn', '/v3/kv/range', '/v3/kv/range', '/v3/kv/put', '/v3/kv/put', '/v3/kv/put']);
    });
  });

  it('gives a write batch whose outcome is unknown that error for every write in it, without re-sending', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd();
      const unknown = new EtcdOutcomeUnknownError('the write may or may not have been applied');
      etcd.fail = unknown;
      const caller = coalesced(etcd, on, scheduler);
      busy(caller);
      expectObservable(put(caller, 'a')).toBe('--#', undefined, unknown);
      expectObservable(put(caller, 'b')).toBe('--#', undefined, unknown);
      flush();
      expect(gathered(etcd)).toHaveLength(1);
    });
  });

  it('gives every subscriber of a batch of reads the error of every endpoint failing', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd();
      const everyEndpoint = new EtcdAllEndpointsFailedError([]);
      etcd.fail = everyEndpoint;
      const caller = coalesced(etcd, on, scheduler);
      busy(caller);
      expectObservable(get(caller, 'a')).toBe('--#', undefined, everyEndpoint);
      expectObservable(get(caller, 'b')).toBe('--#', undefined, everyEndpoint);
      flush();
      expect(gathered(etcd)).toHaveLength(1);
    });
  });

  it('lets one subscriber leave without disturbing the others, and aborts only when all have left', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd(4);
      const caller = coalesced(etcd, on, scheduler);
      busy(caller);
      // Left before the batch was sent: b is not asked at all.
      get(caller, 'b').subscribe().unsubscribe();
      expectObservable(get(caller, 'a')).toBe('----(x|)', { x: 'value of a' });
      // Left while the batch was in flight: a's answer still comes.
      expectObservable(get(caller, 'a'), '^-!').toBe('--');
      flush();
      expect(gathered(etcd).map((s) => [s.path, text(s.body.key), s.aborted])).toEqual([['/v3/kv/range', 'a', false]]);

      busy(caller);
      const burst = [get(caller, 'c').subscribe(), get(caller, 'd').subscribe()];
      scheduler.schedule(() => burst.forEach((s) => s.unsubscribe()), 2);
      flush();
      expect(gathered(etcd)[1].path).toBe('/v3/kv/txn');
      expect(gathered(etcd)[1].aborted).toBe(true);
    });
  });

  it('keeps writes to one key out of one txn and in order, each sent once the one before it answered', () => {
    scheduler.run(({ expectObservable, flush }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, on, scheduler);
      busy(caller);
      const revision = (r: PutResult) => r.revision;
      expectObservable(put(caller, 'k').pipe(map(revision))).toBe('--(x|)', { x: 9 });
      expectObservable(put(caller, 'other').pipe(map(revision))).toBe('--(x|)', { x: 9 });
      expectObservable(put(caller, 'k').pipe(map(revision))).toBe('----(x|)', { x: 9 });
      expectObservable(caller.call('/v3/kv/deleterange', { key: b64('k') }, NON_REPEATABLE, decodeDelete).pipe(map((r) => r.deleted))).toBe('------(x|)', {
        x: 1,
      });
      flush();
      expect(gathered(etcd).map((s) => `${s.at} ${s.path} ${s.safety.retry}`)).toEqual([
        '0 /v3/kv/txn non-repeatable',
        '2 /v3/kv/put non-repeatable',
        '4 /v3/kv/deleterange non-repeatable',
      ]);
    });
  });

  it('gathers the calls made in the promise callbacks of a batch that answered several callers, with nothing in flight', async () => {
    // Real time: the callers' next calls come in promise callbacks, which virtual time does not run.
    const etcd = new FakeEtcd(1);
    const caller = coalesced(etcd, on, asyncScheduler);
    get(caller, 'lead').subscribe();
    const readTwice = async (key: string) => {
      await lastValueFrom(get(caller, key));
      return lastValueFrom(get(caller, `${key} again`));
    };
    expect(await Promise.all([readTwice('a'), readTwice('b')])).toEqual(['value of a again', 'value of b again']);
    const keys = (s: Sent) => (s.body.success as { request_range: { key: string } }[]).map((op) => text(op.request_range.key));
    expect(etcd.sent.slice(1).map(keys)).toEqual([
      ['a', 'b'],
      ['a again', 'b again'],
    ]);
  });

  it('passes through whatever it may not coalesce, and everything when turned off', () => {
    scheduler.run(({ flush }) => {
      const etcd = new FakeEtcd();
      const off = coalesced(etcd, { ...on, coalesceReads: false, coalesceWrites: false }, scheduler);
      get(off, 'a').subscribe();
      get(off, 'b').subscribe();
      put(off, 'c').subscribe();
      put(off, 'd').subscribe();
      const on2 = coalesced(etcd, on, scheduler);
      on2.call('/v3/kv/deleterange', { key: b64('a'), range_end: b64('b') }, NON_REPEATABLE, decodeDelete).subscribe();
      on2.call('/v3/kv/deleterange', { key: b64('c'), range_end: b64('d') }, NON_REPEATABLE, decodeDelete).subscribe();
      on2.call('/v3/lease/grant', { TTL: 5 }, NON_REPEATABLE, (json) => json).subscribe({ error: () => undefined });
      flush();
      expect(etcd.sent.map((s) => s.path)).toEqual([
        '/v3/kv/range',
        '/v3/kv/range',
        '/v3/kv/put',
        '/v3/kv/put',
        '/v3/kv/deleterange',
        '/v3/kv/deleterange',
        '/v3/lease/grant',
      ]);
      expect(etcd.sent.every((s) => s.at === 0)).toBe(true);
    });
  });

  it('fails a subscriber whose own answer cannot be decoded, and only that one', () => {
    scheduler.run(({ expectObservable }) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, on, scheduler);
      const broken = new Error('cannot decode');
      const undecodable = () => {
        throw broken;
      };
      expectObservable(caller.call('/v3/kv/range', { key: b64('b') }, LINEARIZABLE_READ, undecodable)).toBe('--#', undefined, broken);
      expectObservable(get(caller, 'c')).toBe('--(x|)', { x: 'value of c' });
    });
  });
});

describe("reads after this client's pending writes, in virtual time", () => {
  const range = (caller: UnaryCaller, body: Record<string, unknown>) => caller.call('/v3/kv/range', body, LINEARIZABLE_READ, decodeRange);
  const put = (caller: UnaryCaller, key: string) => caller.call('/v3/kv/put', { key: b64(key), value: b64('v') }, NON_REPEATABLE, decodePut);
  const sentAt = (etcd: FakeEtcd) => etcd.sent.map((s) => `${s.at} ${s.path}`);
  const BOTH_WAYS = [
    ['coalesced', { coalesceReads: true, coalesceWrites: true, coalesceWindowMs: 0 }],
    ['not coalesced', { coalesceReads: false, coalesceWrites: false, coalesceWindowMs: 0 }],
  ] as const;

  it.each(BOTH_WAYS)('sends a read of a key with a write pending (%s) once the write answered, and other reads at once', (_, settings) => {
    inVirtualTime((clock, flush) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, settings, clock);
      put(caller, 'k').subscribe();
      range(caller, { key: b64('k') }).subscribe();
      range(caller, { key: b64('other') }).subscribe();
      flush();
      expect(sentAt(etcd)).toEqual(['0 /v3/kv/put', '0 /v3/kv/range', '2 /v3/kv/range']);
      expect(text(etcd.sent[2].body.key)).toBe('k');
    });
  });

  it.each(BOTH_WAYS)('sends a write of a key with a write of it pending (%s) once that one answered, so the last made is the last applied', (_, settings) => {
    inVirtualTime((clock, flush) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, settings, clock);
      put(caller, 'k').subscribe();
      put(caller, 'k').subscribe();
      put(caller, 'other').subscribe();
      caller.call('/v3/kv/txn', { success: [{ request_put: { key: b64('k'), value: b64('v') } }] }, NON_REPEATABLE, (json: unknown) => json).subscribe();
      flush();
      expect(sentAt(etcd)).toEqual(['0 /v3/kv/put', '0 /v3/kv/put', '2 /v3/kv/put', '4 /v3/kv/txn']);
      expect(etcd.sent.map((s) => text(s.body.key ?? b64('txn')))).toEqual(['k', 'other', 'k', 'txn']);
    });
  });

  it('orders a read or a write of a key inside a pending range delete, and nothing outside it', () => {
    inVirtualTime((clock, flush) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, { coalesceReads: true, coalesceWrites: true, coalesceWindowMs: 0 }, clock);
      caller.call('/v3/kv/deleterange', { key: b64('a'), range_end: b64('c') }, NON_REPEATABLE, decodeDelete).subscribe();
      range(caller, { key: b64('b') }).subscribe();
      put(caller, 'b2').subscribe();
      range(caller, { key: b64('d') }).subscribe();
      put(caller, 'e').subscribe();
      flush();
      expect(etcd.sent.map((s) => `${s.at} ${s.path} ${s.body.key === undefined ? '' : text(s.body.key)}`)).toEqual([
        '0 /v3/kv/deleterange a',
        '0 /v3/kv/range d',
        '0 /v3/kv/put e',
        '2 /v3/kv/range b',
        '2 /v3/kv/put b2',
      ]);
    });
  });

  it("orders a range or prefix read that holds the written key, a txn's writes, and lets a read go when the write is given up", () => {
    inVirtualTime((clock, flush) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, { coalesceReads: false, coalesceWrites: false, coalesceWindowMs: 0 }, clock);
      put(caller, 'app/k').subscribe();
      range(caller, { key: b64('app/'), range_end: b64('app0') }).subscribe();
      range(caller, { key: b64('b'), range_end: b64('c') }).subscribe();
      // A range end of "\0" is every key from `key` on.
      range(caller, { key: b64('a'), range_end: 'AA==' }).subscribe();
      flush();
      expect(sentAt(etcd)).toEqual(['0 /v3/kv/put', '0 /v3/kv/range', '2 /v3/kv/range', '2 /v3/kv/range']);
    });
    inVirtualTime((clock, flush) => {
      const etcd = new FakeEtcd();
      const caller = coalesced(etcd, { coalesceReads: false, coalesceWrites: false, coalesceWindowMs: 0 }, clock);
      caller.call('/v3/kv/txn', { success: [{ request_put: { key: b64('t'), value: b64('v') } }] }, NON_REPEATABLE, (json: unknown) => json).subscribe();
      range(caller, { key: b64('t') }).subscribe();
      const abandoned = put(caller, 'u').subscribe();
      range(caller, { key: b64('u') }).subscribe();
      abandoned.unsubscribe();
      flush();
      expect(etcd.sent.map((s) => `${s.at} ${s.path} ${s.aborted}`)).toEqual([
        '0 /v3/kv/txn false',
        '0 /v3/kv/put true',
        '0 /v3/kv/range false',
        '2 /v3/kv/range false',
      ]);
    });
  });
});

describe('the coalescing options', () => {
  it('are on by default, and refuse what is not a boolean or a window of 0 ms or more, naming the option', () => {
    expect(resolveOptions({})).toMatchObject({ coalesceReads: true, coalesceWrites: true, coalesceWindowMs: 0 });
    expect(resolveOptions({ coalesceReads: false, coalesceWindowMs: 2 })).toMatchObject({ coalesceReads: false, coalesceWrites: true, coalesceWindowMs: 2 });
    expect(() => resolveOptions({ coalesceWrites: 'no' as unknown as boolean })).toThrow(/option coalesceWrites must be true or false/);
    expect(() => resolveOptions({ coalesceWindowMs: -1 })).toThrow(/option coalesceWindowMs must be a number ≥ 0/);
  });
});
