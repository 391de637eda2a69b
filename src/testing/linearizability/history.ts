/**
 * A history of operations on registers (keys), as clients saw them: when each was called, when
 * it returned, and what it returned. An operation whose outcome the client could not learn (a
 * write that may or may not have been applied) has no return: it may take effect at any moment
 * after its call, or never.
 */

/** A register's value; `null` when the key does not exist. */
export type RegisterValue = string | null;

/** What an operation did, as its caller saw it. */
export type RegisterOp =
  /** A read that returned `value`. */
  | { readonly kind: 'read'; readonly value: RegisterValue }
  /** A write of `value` (a put; `null` for a delete). */
  | { readonly kind: 'write'; readonly value: RegisterValue }
  /**
   * A compare-and-set: write `value` if the register holds `expected`. `succeeded` is what the
   * server answered; when it failed, `observed` is the value it reported instead (if it did).
   * For an operation with an unknown outcome `succeeded` is absent.
   */
  | {
      readonly kind: 'cas';
      readonly expected: RegisterValue;
      readonly value: RegisterValue;
      readonly succeeded?: boolean;
      readonly observed?: RegisterValue;
    };

/** One operation of a history. */
export interface Operation {
  /** Which client ran it; a client runs one operation at a time. */
  readonly client: string;
  /** The register it acted on. */
  readonly key: string;
  readonly op: RegisterOp;
  /** When it was called (any monotonic clock, the same for the whole history). */
  readonly calledAt: number;
  /** When it returned; `undefined` when its outcome is unknown. */
  readonly returnedAt: number | undefined;
}

/**
 * Describes an operation for a report, e.g. `c2 cas(k1: "3"→"4") ok @12.0–15.2ms`.
 * @example describeOperation({ client: 'c1', key: 'k', op: { kind: 'read', value: '1' }, calledAt: 0, returnedAt: 2 })
 */
export function describeOperation(operation: Operation): string {
  const { op } = operation;
  const v = (value: RegisterValue | undefined) => (value === null || value === undefined ? 'absent' : JSON.stringify(value));
  const what =
    op.kind === 'read'
      ? `read(${operation.key}) → ${v(op.value)}`
      : op.kind === 'write'
        ? `write(${operation.key}, ${v(op.value)})`
        : `cas(${operation.key}: ${v(op.expected)} → ${v(op.value)})` +
          (op.succeeded === undefined ? '' : op.succeeded ? ' ok' : ` failed${op.observed === undefined ? '' : `, saw ${v(op.observed)}`}`);
  const end = operation.returnedAt === undefined ? 'outcome unknown' : `${operation.returnedAt.toFixed(1)}`;
  return `${operation.client} ${what} @${operation.calledAt.toFixed(1)}–${end}`;
}
