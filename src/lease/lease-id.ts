import { describe } from '../describe-value';
import { EtcdInvalidArgumentError } from '../errors';
import { decimalOfHex } from '../ids';

/** Refuses a lease id that is not a decimal integer or `0x` hexadecimal, naming what it got. */
export function encodeLeaseId(id: unknown, what = 'lease'): string {
  if (typeof id === 'bigint') return id.toString();
  if (typeof id === 'string' && /^-?\d+$/.test(id)) return id;
  const fromHex = typeof id === 'string' ? decimalOfHex(id) : undefined;
  if (fromHex !== undefined) return fromHex;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  throw new EtcdInvalidArgumentError(`${what} must be a lease id (decimal string, 0x-prefixed hexadecimal string or bigint), got ${describe(id)}`);
}
