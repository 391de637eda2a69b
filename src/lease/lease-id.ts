import { describe } from '../describe-value';
import { EtcdInvalidArgumentError } from '../errors';
import { decimalOfHex } from '../ids';

/**
 * A lease id as callers may hold it: the decimal string etcd-rx returns (`id`), the hexadecimal
 * form etcdctl prints with a `0x` prefix (`'0x' + idHex`), or a bigint.
 * @example etcd.revoke('0x694d77aa9e38260b')
 */
export type LeaseId = string | bigint;

/** Refuses a lease id that is not a decimal integer or `0x` hexadecimal, naming what it got. */
export function encodeLeaseId(id: unknown, what = 'lease'): string {
  if (typeof id === 'bigint') return id.toString();
  if (typeof id === 'string' && /^-?\d+$/.test(id)) return id;
  const fromHex = typeof id === 'string' ? decimalOfHex(id) : undefined;
  if (fromHex !== undefined) return fromHex;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  throw new EtcdInvalidArgumentError(`${what} must be a lease id (decimal string, 0x-prefixed hexadecimal string or bigint), got ${describe(id)}`);
}
