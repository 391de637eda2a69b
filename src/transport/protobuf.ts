/**
 * The little of protobuf's wire format that the gRPC-only calls need: varint and length-delimited
 * fields, read into a map of field number to values.
 */
import { EtcdProtocolError } from '../errors';

/** A decoded field value: a varint as bigint, a length-delimited field as bytes. */
export type FieldValue = bigint | Buffer;

/**
 * Encodes varint fields (int64, uint64, bool as 0/1), in order; zero values are left out as proto3 does.
 * @example encodeVarintFields([[1, 42n]]) // <Buffer 08 2a>
 */
export function encodeVarintFields(fields: readonly (readonly [number, bigint])[]): Buffer {
  const bytes: number[] = [];
  for (const [field, value] of fields) {
    if (value === 0n) continue;
    bytes.push(...varint(BigInt(field << 3)));
    bytes.push(...varint(BigInt.asUintN(64, value)));
  }
  return Buffer.from(bytes);
}

/**
 * Decodes a message into field number → values (last wins for scalars, as protobuf says).
 * @example decodeFields(Buffer.from([0x08, 0x2a])).get(1) // [42n]
 */
export function decodeFields(message: Buffer): Map<number, FieldValue[]> {
  const fields = new Map<number, FieldValue[]>();
  let at = 0;
  const readVarint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= message.length || shift > 63n) throw new EtcdProtocolError('a protobuf varint is cut or too long');
      const byte = message[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < message.length) {
    const tag = Number(readVarint());
    const [field, wireType] = [tag >>> 3, tag & 7];
    let value: FieldValue;
    if (wireType === 0) value = readVarint();
    else if (wireType === 2) {
      const length = Number(readVarint());
      if (at + length > message.length) throw new EtcdProtocolError('a protobuf field is cut');
      value = message.subarray(at, (at += length));
    } else throw new EtcdProtocolError(`protobuf wire type ${wireType} is not expected here`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

/**
 * The last varint value of `field`, as a signed 64-bit number when `signed` (0 when absent).
 * @example varintField(decodeFields(bytes), 3, true) // -1n
 */
export function varintField(fields: Map<number, FieldValue[]>, field: number, signed = false): bigint {
  const value = fields.get(field)?.at(-1);
  if (value === undefined) return 0n;
  if (typeof value !== 'bigint') throw new EtcdProtocolError(`protobuf field ${field} should be a number`);
  return signed ? BigInt.asIntN(64, value) : value;
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 0x7fn) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}
