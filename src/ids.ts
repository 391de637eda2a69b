/**
 * Lease and member ids in their two forms: decimal strings, as etcd's JSON gateway and etcd-rx
 * give them (they exceed 2^53, so no `number`), and hexadecimal, as etcdctl prints and reads them.
 */

/**
 * A 64-bit id, given in decimal, in hexadecimal (as etcdctl prints member ids).
 * @example hexId('7587852521871779339') // '694d77aa9e38260b'
 */
export function hexId(decimal: string): string {
  return BigInt.asUintN(64, BigInt(decimal)).toString(16);
}

/**
 * A lease id in hexadecimal, zero-padded to 16 digits as etcdctl prints leases, so an id copied
 * from either tool compares equal; lease 0 (no lease) stays `0`.
 * @example hexLeaseId('833625604768524322') // '0b91a2121fe5e822'
 */
export function hexLeaseId(decimal: string): string {
  return decimal === '0' ? '0' : hexId(decimal).padStart(16, '0');
}

/**
 * The decimal form of an id written in hexadecimal with a `0x` prefix (`'0x' + lease.idHex`),
 * or undefined when `text` is not one.
 * @example decimalOfHex('0x694d77aa9e38260b') // '7587852521871779339'
 */
export function decimalOfHex(text: string): string | undefined {
  return /^0x[0-9a-f]{1,16}$/i.test(text) ? BigInt.asIntN(64, BigInt(text)).toString() : undefined;
}
