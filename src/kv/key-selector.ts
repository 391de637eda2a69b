/**
 * Which keys an operation touches: one key, every key under a prefix, or a [from, to) range.
 * Validation lives here so every operation refuses bad keys with the same clear words.
 */
import { EtcdInvalidArgumentError } from '../errors';
import { describe } from '../describe-value';
import { Bytes, encodeBytes } from '../transport/codec';

/** A key: UTF-8 text or raw bytes. Never empty. */
export type Key = Bytes;

/**
 * One key (`'a'`), a prefix (`{ prefix: 'app/' }`; `{ prefix: '' }` is every key), or a range
 * (`{ from: 'a', to: 'm' }`, `to` excluded; without `to`, every key from `from` on).
 */
export type KeySelector = Key | { readonly key: Key } | { readonly prefix: Key } | { readonly from: Key; readonly to?: Key };

/** The wire form of a selector. */
export interface WireRange {
  key: string;
  range_end?: string;
}

const ZERO = Buffer.from([0]);

/** Refuses anything that is not a non-empty string or byte array, naming what it got. */
export function checkKey(key: unknown, what = 'key'): Key {
  if (typeof key === 'string' || key instanceof Uint8Array) {
    if (key.length === 0) throw new EtcdInvalidArgumentError(`${what} must not be empty`);
    return key;
  }
  throw new EtcdInvalidArgumentError(`${what} must be a string or a Uint8Array, got ${describe(key)}`);
}

/** Refuses a value that is neither text nor bytes (an empty value is fine). */
export function checkValue(value: unknown, what = 'value'): Bytes {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  throw new EtcdInvalidArgumentError(`${what} must be a string or a Uint8Array, got ${describe(value)}`);
}

/** Encodes a selector for the wire, validating it. */
export function encodeSelector(selector: KeySelector): WireRange {
  if (typeof selector === 'string' || selector instanceof Uint8Array) return { key: encodeBytes(checkKey(selector)) };
  if (typeof selector !== 'object' || selector === null) {
    throw new EtcdInvalidArgumentError(`key selector must be a key, {prefix}, {from, to} or {key}, got ${describe(selector)}`);
  }
  if ('prefix' in selector) {
    const prefix = toBuffer(selector.prefix, 'prefix');
    if (prefix.length === 0) return { key: encodeBytes(ZERO), range_end: encodeBytes(ZERO) };
    return { key: encodeBytes(prefix), range_end: encodeBytes(prefixEnd(prefix)) };
  }
  if ('from' in selector) {
    const from = encodeBytes(checkKey(selector.from, 'range start (from)'));
    const to = selector.to === undefined ? ZERO : checkKey(selector.to, 'range end (to)');
    return { key: from, range_end: encodeBytes(to) };
  }
  if ('key' in selector) return { key: encodeBytes(checkKey(selector.key)) };
  throw new EtcdInvalidArgumentError(`key selector must be a key, {prefix}, {from, to} or {key}, got ${describe(selector)}`);
}

/** The first key after every key that starts with `prefix`; "\0" (no end) if there is none. */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i] += 1;
      return end.subarray(0, i + 1);
    }
  }
  return ZERO;
}

function toBuffer(value: unknown, what: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new EtcdInvalidArgumentError(`${what} must be a string or a Uint8Array, got ${describe(value)}`);
}
