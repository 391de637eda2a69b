/**
 * Encoding rules of etcd's JSON gateway: bytes travel as base64, int64 as decimal strings, and
 * proto3 leaves out every field that holds its default (0, false, "", empty list).
 */
import { EtcdProtocolError } from '../errors';

/** Bytes a caller may give: a UTF-8 string or raw bytes. */
export type Bytes = string | Uint8Array;

/** Encodes bytes for the wire. */
export function encodeBytes(value: Bytes): string {
  // ASCII text (most keys and many values) is its own UTF-8: `btoa` encodes it without the
  // Buffer that Buffer.from would make (half the time and garbage, on every key of every call).
  if (typeof value === 'string') return ASCII.test(value) ? btoa(value) : Buffer.from(value, 'utf8').toString('base64');
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

const ASCII = /^[\x00-\x7f]*$/;

/** Decodes a wire bytes field; an omitted field is the empty byte string. */
export function decodeBytes(field: string | undefined): Buffer {
  return field === undefined ? Buffer.alloc(0) : Buffer.from(field, 'base64');
}

/**
 * Decodes an int64 field into a number. Revisions, versions and counts stay far below 2^53 in
 * any real cluster, so numbers are safe; anything beyond is refused rather than rounded.
 */
export function decodeInt(field: unknown, name: string): number {
  if (field === undefined || field === null) return 0;
  const n = typeof field === 'number' ? field : typeof field === 'string' ? Number(field) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new EtcdProtocolError(`field ${name} is not a safe integer: ${JSON.stringify(field)}`);
  }
  return n;
}

/**
 * Decodes a 64-bit id (lease, member, cluster) into its decimal string: these exceed 2^53 and
 * would lose precision as numbers.
 */
export function decodeId(field: unknown, name: string): string {
  if (field === undefined || field === null) return '0';
  if (typeof field === 'string' && /^-?\d+$/.test(field)) return field;
  if (typeof field === 'number' && Number.isSafeInteger(field)) return String(field);
  throw new EtcdProtocolError(`field ${name} is not an integer id: ${JSON.stringify(field)}`);
}

/** Narrows a decoded JSON value to an object, or explains what arrived instead. */
export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EtcdProtocolError(`expected a JSON object for ${what}, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Narrows an optional repeated field to an array (absent means empty). */
export function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new EtcdProtocolError(`expected a JSON array for ${what}, got ${describe(value)}`);
  return value;
}

/** Narrows an optional string field (absent means ""). */
export function asString(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new EtcdProtocolError(`expected a string for ${what}, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
