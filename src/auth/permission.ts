/** A role's permission on keys: what it allows (read, write, both) and on which keys. */
import { EtcdProtocolError } from '../errors';
import { encodeSelector, KeySelector, prefixEnd } from '../kv/key-selector';
import { oneOf } from '../validate';
import { asObject, decodeBytes } from '../transport/codec';

/** What a permission allows. */
export type PermissionType = 'read' | 'write' | 'readwrite';

/**
 * One permission of a role. `keys` is one key, a `{ prefix }`, a `{ from }` (every key from
 * there on) or a `{ from, to }` range, with text where the key is UTF-8 and bytes otherwise.
 * @example { type: 'readwrite', keys: { prefix: 'app/' } }
 */
export interface Permission {
  readonly type: PermissionType;
  readonly keys: KeySelector;
}

const WIRE_TYPES: Record<PermissionType, string> = { read: 'READ', write: 'WRITE', readwrite: 'READWRITE' };

/**
 * The wire `perm` of a grant, validating the type and the keys.
 * @example encodePermission('read', { prefix: 'app/' }) // { permType: 'READ', key, range_end }
 */
export function encodePermission(type: PermissionType, keys: KeySelector): Record<string, unknown> {
  const permType = oneOf(WIRE_TYPES, type, 'permission type');
  return { permType, ...encodeSelector(keys) };
}

/**
 * Decodes one wire permission (`permType` left out means READ, proto3's default).
 * @example decodePermission({ key: 'YQ==' }) // { type: 'read', keys: 'a' }
 */
export function decodePermission(wire: unknown): Permission {
  const perm = asObject(wire, 'permission');
  const type = (Object.keys(WIRE_TYPES) as PermissionType[]).find((t) => WIRE_TYPES[t] === (perm.permType ?? 'READ'));
  if (type === undefined) throw new EtcdProtocolError(`unknown permission type ${String(perm.permType)}`);
  return {
    type,
    keys: selectorOf(decodeBytes(perm.key as string | undefined), perm.range_end === undefined ? undefined : decodeBytes(perm.range_end as string)),
  };
}

/** The selector a wire key and range end stand for, in the simplest form that says it. */
function selectorOf(key: Buffer, end: Buffer | undefined): KeySelector {
  if (end === undefined || end.length === 0) return textOrBytes(key);
  const openEnded = end.length === 1 && end[0] === 0;
  if (openEnded && key.length === 1 && key[0] === 0) return { prefix: '' };
  if (openEnded) return { from: textOrBytes(key) };
  if (prefixEnd(key).equals(end)) return { prefix: textOrBytes(key) };
  return { from: textOrBytes(key), to: textOrBytes(end) };
}

function textOrBytes(bytes: Buffer): string | Buffer {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}
