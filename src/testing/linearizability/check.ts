/**
 * A linearizability checker for registers with read, write and compare-and-set: Wing and Gong's
 * search with Lowe's memoisation of (operations linearized, register value), run key by key
 * (registers compose, so a history is linearizable when every key's is). An operation with an
 * unknown outcome may be placed anywhere after its call, or nowhere.
 */
import { describeOperation, Operation, RegisterValue } from './history';
import { step } from './register-model';

/** Why one key's history is not linearizable. */
export interface Violation {
  readonly key: string;
  /** The completed operation that no linear order of what came before could make room for. */
  readonly stuckAt: Operation;
  /** Operations whose lifetime overlaps the stuck one's (a few, for the report). */
  readonly concurrent: readonly Operation[];
  /** The longest linear order the search found, with the register's value after each step. */
  readonly longestOrder: readonly { readonly operation: Operation; readonly valueAfter: RegisterValue }[];
}

/** The verdict on a history. */
export interface CheckResult {
  /** `undecided` when a key's search ran out of its step budget (nothing wrong was found). */
  readonly verdict: 'linearizable' | 'not linearizable' | 'undecided';
  readonly keys: number;
  readonly operations: number;
  readonly violations: readonly Violation[];
  /** Keys whose search ran out of its step budget. */
  readonly undecidedKeys: readonly string[];
}

/** Settings of a check. */
export interface CheckOptions {
  /** Each key's value before the history starts; default `null` (absent). */
  readonly initial?: (key: string) => RegisterValue;
  /** Search steps allowed per key before it is called undecided; default 20 million. */
  readonly maxStepsPerKey?: number;
}

/**
 * Checks that a history of register operations is linearizable.
 * @example
 * const result = checkLinearizable(history)
 * if (result.verdict === 'not linearizable') console.log(formatViolation(result.violations[0]))
 */
export function checkLinearizable(history: readonly Operation[], options: CheckOptions = {}): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const operation of history) {
    const ops = byKey.get(operation.key);
    if (ops === undefined) byKey.set(operation.key, [operation]);
    else ops.push(operation);
  }
  const violations: Violation[] = [];
  const undecidedKeys: string[] = [];
  for (const [key, ops] of byKey) {
    const outcome = checkKey(key, ops, options.initial?.(key) ?? null, options.maxStepsPerKey ?? 20_000_000);
    if (outcome === 'undecided') undecidedKeys.push(key);
    else if (outcome !== 'linearizable') violations.push(outcome);
  }
  const verdict = violations.length > 0 ? 'not linearizable' : undecidedKeys.length > 0 ? 'undecided' : 'linearizable';
  return { verdict, keys: byKey.size, operations: history.length, violations, undecidedKeys };
}

/**
 * A violation as lines a person can read: the stuck operation, what overlapped it, and the end
 * of the longest order found.
 * @example console.log(formatViolation(result.violations[0]))
 */
export function formatViolation(violation: Violation, orderTail = 8): string {
  const lines = [`key ${JSON.stringify(violation.key)}: no linear order explains ${describeOperation(violation.stuckAt)}`];
  lines.push('  overlapping it:', ...violation.concurrent.map((op) => `    ${describeOperation(op)}`));
  lines.push(`  the longest order found (${violation.longestOrder.length} operations) ends with:`);
  for (const { operation, valueAfter } of violation.longestOrder.slice(-orderTail)) {
    lines.push(`    ${describeOperation(operation)}  ⇒ ${valueAfter === null ? 'absent' : JSON.stringify(valueAfter)}`);
  }
  return lines.join('\n');
}

/** A call or a return, in a doubly linked list ordered by time. */
interface Event {
  readonly index: number;
  readonly operation: Operation;
  readonly isCall: boolean;
  /** A call's return; absent for a return, and for a call whose outcome is unknown. */
  match?: Event;
  prev: Event | null;
  next: Event | null;
}

const MAX_CONCURRENT_REPORTED = 10;

function checkKey(key: string, ops: readonly Operation[], initial: RegisterValue, maxSteps: number): Violation | 'linearizable' | 'undecided' {
  const head = eventList(ops);
  const linearized = new LinearizedSet(ops.length);
  const seen = new Set<string>();
  const stack: { readonly call: Event; readonly state: RegisterValue }[] = [];
  let longest: { readonly operation: Operation; readonly valueAfter: RegisterValue }[] = [];
  let stuckAt: Operation | undefined;
  let returnsLeft = ops.filter((op) => op.returnedAt !== undefined).length;
  let state = initial;
  let entry = head.next;
  for (let steps = 0; returnsLeft > 0; steps++) {
    if (steps > maxSteps) return 'undecided';
    if (entry !== null && entry.isCall) {
      const after = step(state, entry.operation.op);
      if (after !== undefined) {
        linearized.flip(entry.index);
        const memo = `${linearized.hash}|${after === null ? '∅' : `=${after}`}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          stack.push({ call: entry, state });
          state = after;
          lift(entry);
          if (entry.match !== undefined) returnsLeft--;
          entry = head.next;
          continue;
        }
        linearized.flip(entry.index);
      }
      entry = entry.next;
      continue;
    }
    // A completed operation's return was reached before the operation could be placed: undo the last choice.
    if (entry !== null && stack.length >= longest.length) {
      stuckAt = entry.operation;
      longest = orderOf(stack, state);
    }
    const top = stack.pop();
    if (top === undefined) break;
    linearized.flip(top.call.index);
    state = top.state;
    unlift(top.call);
    if (top.call.match !== undefined) returnsLeft++;
    entry = top.call.next;
  }
  if (returnsLeft === 0) return 'linearizable';
  const stuck = stuckAt ?? ops[0];
  const end = stuck.returnedAt ?? Infinity;
  const concurrent = ops.filter((op) => op !== stuck && op.calledAt <= end && (op.returnedAt ?? Infinity) >= stuck.calledAt).slice(0, MAX_CONCURRENT_REPORTED);
  return { key, stuckAt: stuck, concurrent, longestOrder: longest };
}

function orderOf(stack: readonly { readonly call: Event; readonly state: RegisterValue }[], current: RegisterValue) {
  return stack.map((frame, i) => ({ operation: frame.call.operation, valueAfter: i + 1 < stack.length ? stack[i + 1].state : current }));
}

function eventList(ops: readonly Operation[]): Event {
  const events: Event[] = [];
  ops.forEach((operation, index) => {
    const call: Event = { index, operation, isCall: true, prev: null, next: null };
    events.push(call);
    if (operation.returnedAt !== undefined) {
      call.match = { index, operation, isCall: false, prev: null, next: null };
      events.push(call.match);
    }
  });
  // At equal times calls go first: operations that touch at an instant count as concurrent.
  const time = (e: Event) => (e.isCall ? e.operation.calledAt : (e.operation.returnedAt as number));
  events.sort((a, b) => time(a) - time(b) || Number(b.isCall) - Number(a.isCall));
  const head: Event = { index: -1, operation: ops[0], isCall: false, prev: null, next: null };
  let last = head;
  for (const event of events) {
    last.next = event;
    event.prev = last;
    last = event;
  }
  return head;
}

/**
 * The set of linearized operations, known by a 64-bit Zobrist hash: each operation owns two random
 * words, XORed in and out. Writing the set out at every step made long histories quadratic; a
 * collision (odds about n² / 2⁶⁴) could only make the search skip a state, never accept a history.
 */
class LinearizedSet {
  private readonly low: Uint32Array;
  private readonly high: Uint32Array;
  private h1 = 0;
  private h2 = 0;

  constructor(size: number) {
    let x = 0x9e3779b9;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    this.low = Uint32Array.from({ length: size }, next);
    this.high = Uint32Array.from({ length: size }, next);
  }

  flip(index: number): void {
    this.h1 = (this.h1 ^ this.low[index]) >>> 0;
    this.h2 = (this.h2 ^ this.high[index]) >>> 0;
  }

  get hash(): string {
    return `${this.h1}:${this.h2}`;
  }
}

// Removing a call and its return, and putting them back in the reverse order, keeps the list intact.
function lift(call: Event): void {
  unlink(call);
  if (call.match !== undefined) unlink(call.match);
}

function unlift(call: Event): void {
  if (call.match !== undefined) relink(call.match);
  relink(call);
}

function unlink(event: Event): void {
  if (event.prev !== null) event.prev.next = event.next;
  if (event.next !== null) event.next.prev = event.prev;
}

function relink(event: Event): void {
  if (event.prev !== null) event.prev.next = event;
  if (event.next !== null) event.next.prev = event;
}
