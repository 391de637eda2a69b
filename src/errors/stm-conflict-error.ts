import { EtcdError } from './etcd-errors';

/**
 * `apply` kept conflicting with other writers for `maxAttempts` runs.
 * @example etcd.stm(apply, { maxAttempts: 3 }).subscribe({ error: (e) => e instanceof StmConflictError && console.log(e.attempts) })
 */
export class StmConflictError extends EtcdError {
  constructor(readonly attempts: number) {
    super(`the STM transaction conflicted with other writers ${attempts} times in a row`);
  }
}
