import { describe } from '../describe-value';
import { EtcdInvalidArgumentError } from '../errors';

/** A lease id as callers may hold it: the decimal string etcd-rx returns, or a bigint. */
export type LeaseId = string | bigint;

/** Refuses a lease id that is not a decimal integer, naming what it got. */
export function encodeLeaseId(id: unknown, what = 'lease'): string {
  if (typeof id === 'bigint') return id.toString();
  if (typeof id === 'string' && /^-?\d+$/.test(id)) return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  throw new EtcdInvalidArgumentError(`${what} must be a lease id (decimal string or bigint), got ${describe(id)}`);
}
