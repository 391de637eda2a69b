/**
 * Checking histories of register operations for linearizability.
 * @example
 * import { checkLinearizable } from 'etcd-rx/testing'
 * const result = checkLinearizable(history)
 */
export { checkLinearizable, formatViolation } from './check';
export type { CheckOptions, CheckResult, Violation } from './check';
export { describeOperation } from './history';
export type { Operation, RegisterOp, RegisterValue } from './history';
