/**
 * The linearizability checker on hand-made histories: what must pass passes and what must fail
 * fails, including the failures the chaos test exists to catch (a stale read, a lost write, an
 * old value coming back).
 */
import { checkLinearizable, formatViolation, Operation, RegisterOp, RegisterValue } from '../../src/testing';

let clients = 0;
/** An operation of its own client, on key `k` unless told, between `from` and `to` (undefined: unknown outcome). */
function op(o: RegisterOp, from: number, to: number | undefined, key = 'k'): Operation {
  return { client: `c${clients++}`, key, op: o, calledAt: from, returnedAt: to };
}
const read = (value: RegisterValue): RegisterOp => ({ kind: 'read', value });
const write = (value: RegisterValue): RegisterOp => ({ kind: 'write', value });
const cas = (expected: RegisterValue, value: RegisterValue, succeeded?: boolean, observed?: RegisterValue): RegisterOp => ({
  kind: 'cas',
  expected,
  value,
  succeeded,
  observed,
});

describe('checkLinearizable', () => {
  it('accepts a sequential history that reads what was written', () => {
    const result = checkLinearizable([op(read(null), 0, 1), op(write('a'), 2, 3), op(read('a'), 4, 5), op(write(null), 6, 7), op(read(null), 8, 9)]);
    expect(result.verdict).toBe('linearizable');
    expect(result).toMatchObject({ keys: 1, operations: 5, violations: [] });
  });

  it('refuses a stale read: a value read after it was overwritten', () => {
    const result = checkLinearizable([op(write('a'), 0, 1), op(write('b'), 2, 3), op(read('a'), 4, 5)]);
    expect(result.verdict).toBe('not linearizable');
    expect(result.violations[0].stuckAt.op).toEqual(read('a'));
    expect(formatViolation(result.violations[0])).toContain('read(k) → "a"');
  });

  it('refuses a lost write: an acknowledged write that a later read does not see', () => {
    const result = checkLinearizable([op(write('a'), 0, 1), op(read(null), 2, 3)]);
    expect(result.verdict).toBe('not linearizable');
  });

  it('refuses an old value coming back after it was overwritten (a re-sent write applied late)', () => {
    const result = checkLinearizable([op(write('a'), 0, 1), op(write('b'), 2, 3), op(read('b'), 4, 5), op(read('a'), 6, 7)]);
    expect(result.verdict).toBe('not linearizable');
  });

  it('accepts a write of unknown outcome that shows up later, or never', () => {
    expect(checkLinearizable([op(write('a'), 0, undefined), op(read(null), 1, 2), op(read('a'), 10, 11)]).verdict).toBe('linearizable');
    expect(checkLinearizable([op(write('a'), 0, undefined), op(read(null), 1, 2), op(read(null), 10, 11)]).verdict).toBe('linearizable');
  });

  it('refuses a write of unknown outcome that shows up, then is gone again with no other write', () => {
    const result = checkLinearizable([op(write('a'), 0, undefined), op(read('a'), 1, 2), op(read(null), 3, 4)]);
    expect(result.verdict).toBe('not linearizable');
  });

  it('refuses a write of unknown outcome seen before it was called', () => {
    expect(checkLinearizable([op(read('a'), 0, 1), op(write('a'), 2, undefined)]).verdict).toBe('not linearizable');
  });

  it('lets overlapping operations take either order, but only one order for everyone', () => {
    expect(checkLinearizable([op(write('a'), 0, 10), op(read(null), 1, 2), op(read('a'), 3, 4)]).verdict).toBe('linearizable');
    expect(checkLinearizable([op(write('a'), 0, 10), op(read('a'), 1, 2), op(read(null), 3, 4)]).verdict).toBe('not linearizable');
  });

  it('knows compare-and-set: two that both succeed from the same value cannot both be right', () => {
    expect(checkLinearizable([op(cas(null, '1', true), 0, 1), op(cas(null, '2', true), 2, 3)]).verdict).toBe('not linearizable');
    expect(checkLinearizable([op(cas(null, '1', true), 0, 1), op(cas(null, '2', false, '1'), 2, 3), op(read('1'), 4, 5)]).verdict).toBe('linearizable');
  });

  it('checks the value a failed compare-and-set reported', () => {
    expect(checkLinearizable([op(write('1'), 0, 1), op(cas('2', '3', false, '1'), 2, 3)]).verdict).toBe('linearizable');
    expect(checkLinearizable([op(write('1'), 0, 1), op(cas('2', '3', false, '4'), 2, 3)]).verdict).toBe('not linearizable');
    expect(checkLinearizable([op(write('1'), 0, 1), op(cas('1', '3', false), 2, 3)]).verdict).toBe('not linearizable');
  });

  it('lets a compare-and-set of unknown outcome take effect or not', () => {
    expect(checkLinearizable([op(cas(null, '1'), 0, undefined), op(read('1'), 5, 6)]).verdict).toBe('linearizable');
    expect(checkLinearizable([op(cas(null, '1'), 0, undefined), op(read(null), 5, 6)]).verdict).toBe('linearizable');
    expect(checkLinearizable([op(write('0'), 0, 1), op(cas(null, '1'), 2, undefined), op(read('1'), 5, 6)]).verdict).toBe('not linearizable');
  });

  it('checks every key on its own and names the key that failed', () => {
    const result = checkLinearizable([op(write('a'), 0, 1, 'x'), op(read('a'), 2, 3, 'y'), op(read('a'), 2, 3, 'x')]);
    expect(result.verdict).toBe('not linearizable');
    expect(result.keys).toBe(2);
    expect(result.violations.map((v) => v.key)).toEqual(['y']);
  });

  it('starts from the initial value it is given', () => {
    expect(checkLinearizable([op(read('seed'), 0, 1)], { initial: () => 'seed' }).verdict).toBe('linearizable');
  });

  it('says undecided, not linearizable, when the search runs out of steps', () => {
    const ops = Array.from({ length: 16 }, (_, i) => op(write(String(i)), 0, 100));
    ops.push(op(read('never'), 101, 102));
    const result = checkLinearizable(ops, { maxStepsPerKey: 50 });
    expect(result.verdict).toBe('undecided');
    expect(result.undecidedKeys).toEqual(['k']);
  });

  it('decides long concurrent histories: correct by construction passes, one impossible read fails', () => {
    const history = simulatedHistory(12_000, 6);
    expect(checkLinearizable(history).verdict).toBe('linearizable');
    const reads = history.filter((o) => o.op.kind === 'read');
    const broken = reads[Math.floor(reads.length / 2)];
    const corrupted = history.map((o) => (o === broken ? { ...o, op: read('never written') } : o));
    const result = checkLinearizable(corrupted);
    expect(result.verdict).toBe('not linearizable');
    expect(result.violations[0].stuckAt.op).toEqual(read('never written'));
  });
});

/**
 * A history that is linearizable by construction: each operation takes effect at a point inside
 * its interval, in the order of those points, on a real register; `clients` run concurrently.
 */
function simulatedHistory(count: number, clients: number): Operation[] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const free = Array.from({ length: clients }, () => 0);
  const planned: { client: number; point: number; calledAt: number; returnedAt: number }[] = [];
  for (let i = 0; i < count; i++) {
    const client = i % clients;
    const calledAt = free[client] + random() * 2;
    const point = calledAt + random() * 3;
    const returnedAt = point + random() * 3;
    free[client] = returnedAt;
    planned.push({ client, point, calledAt, returnedAt });
  }
  planned.sort((a, b) => a.point - b.point);
  let value: RegisterValue = null;
  return planned.map(({ client, calledAt, returnedAt }, i) => {
    const choice = random();
    let o: RegisterOp;
    if (choice < 0.5) o = read(value);
    else if (choice < 0.8) o = write(String(i));
    else {
      const expected = random() < 0.5 ? value : 'stale';
      const succeeded = expected === value;
      o = cas(expected, String(i), succeeded, succeeded ? undefined : value);
    }
    if (o.kind === 'write' || (o.kind === 'cas' && o.succeeded === true)) value = o.value;
    return { client: `c${client}`, key: 'k', op: o, calledAt, returnedAt };
  });
}
