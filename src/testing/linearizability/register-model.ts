/**
 * The sequential specification of a register: what each operation may observe and how it changes
 * the value. The checker asks it whether an operation, placed at some point of a linear order,
 * is consistent with the value the register holds there.
 */
import { RegisterOp, RegisterValue } from './history';

/**
 * The register's value after `op`, or `undefined` when `op` cannot have happened while the
 * register held `state`. An operation with an unknown outcome is modelled as having taken effect
 * (a CAS only if its compare held): the checker models "never took effect" by not placing it.
 * @example step('1', { kind: 'read', value: '1' }) // '1'
 * @example step('1', { kind: 'cas', expected: '2', value: '3', succeeded: true }) // undefined: impossible
 */
export function step(state: RegisterValue, op: RegisterOp): RegisterValue | undefined {
  switch (op.kind) {
    case 'read':
      return op.value === state ? state : undefined;
    case 'write':
      return op.value;
    case 'cas':
      if (op.succeeded === false) {
        if (state === op.expected) return undefined;
        return op.observed === undefined || op.observed === state ? state : undefined;
      }
      return state === op.expected ? op.value : undefined;
  }
}
