/**
 * How keys, values and ids look on the command line. Bytes that are printable UTF-8 are shown as
 * they are; anything else (invalid UTF-8, control characters that could drive the terminal) is
 * shown quoted, with `\xNN` escapes, so a value can never garble or take over the screen. IDs
 * (leases, members) are hexadecimal, as etcdctl shows and reads them.
 */
import { hexId, hexLeaseId } from '../ids';
import { UsageError } from './args';
import type { KeyValue } from '../index';
import type { Paint } from './output';
import { utf8, utf8Pieces } from './utf8';

/**
 * The bytes as printable text, or quoted with escapes when they are not. `multiline` lets line
 * feeds and tabs through unescaped (values); keys stay on one line.
 * @example showBytes(Buffer.from([0x61, 0xff])) // '"a\\xff"'
 */
export function showBytes(bytes: Buffer, options: { multiline?: boolean } = {}): string {
  const text = utf8(bytes);
  const unsafe = options.multiline ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/ : /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  if (text !== undefined && !unsafe.test(text)) return text;
  return `"${escapeBytes(bytes)}"`;
}

/**
 * JSON fields for bytes: `{ [name]: text }` when they are UTF-8, else `{ [name + 'Base64']: … }`,
 * so that a script never receives a mangled value.
 * @example bytesJson('value', Buffer.from('hi')) // { value: 'hi' }
 */
export function bytesJson(name: string, bytes: Buffer): Record<string, string> {
  const text = utf8(bytes);
  return text === undefined ? { [`${name}Base64`]: bytes.toString('base64') } : { [name]: text };
}

/**
 * A key-value as JSON: key, value (see bytesJson), revisions, version, lease (hex, "0" for none).
 * @example kvJson(kv) // { key: 'a', value: '1', createRevision: 5, modRevision: 5, version: 1, lease: '0' }
 */
export function kvJson(kv: KeyValue, options: { keysOnly?: boolean } = {}): Record<string, unknown> {
  return {
    ...bytesJson('key', kv.keyBuffer),
    ...(options.keysOnly ? {} : bytesJson('value', kv.valueBuffer)),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
    lease: hexLeaseId(kv.lease),
  };
}

/** How `kvText` shows a key-value: without the value, without the key, or every byte as `\xNN` (etcdctl's --hex). */
export interface KvTextOptions {
  readonly keysOnly?: boolean;
  readonly valueOnly?: boolean;
  readonly hex?: boolean;
}

/**
 * A key-value as etcdctl prints it: the key on one line, the value on the next.
 * @example kvText(kv, paint) // 'config/web\n8080'
 */
export function kvText(kv: KeyValue, paint: Paint, options: KvTextOptions = {}): string {
  const show = (bytes: Buffer, multiline: boolean) => (options.hex ? hexBytes(bytes) : showBytes(bytes, { multiline }));
  const key = paint.cyan(show(kv.keyBuffer, false));
  const value = show(kv.valueBuffer, true);
  if (options.valueOnly) return options.keysOnly ? '' : value;
  return options.keysOnly ? key : `${key}\n${value}`;
}

/**
 * Every byte as a `\xNN` escape, as etcdctl's --hex shows keys and values.
 * @example hexBytes(Buffer.from('ab')) // '\\x61\\x62'
 */
export function hexBytes(bytes: Buffer): string {
  return [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

export { hexId, hexLeaseId };

/**
 * Reads an id typed in hexadecimal (as etcdctl prints it, `0x` optional) into etcd-rx's decimal
 * form, or throws a UsageError naming `what`.
 * @example parseHexId('694d77aa9e38260b', 'lease ID') // '7587852521871779339'
 */
export function parseHexId(text: string, what: string): string {
  if (!/^(0x)?[0-9a-f]{1,16}$/i.test(text)) throw new UsageError(`${what} must be hexadecimal (as etcdctl prints it), got "${text}"`);
  return BigInt(text.toLowerCase().startsWith('0x') ? text : `0x${text}`).toString();
}

const ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const piece of utf8Pieces(bytes)) {
    // Printable characters beyond ASCII stay as they are; C1 controls and line separators do not.
    if (typeof piece === 'string' && piece >= '\u00a0' && piece !== '\u2028' && piece !== '\u2029') out += piece;
    else for (const byte of typeof piece === 'number' ? [piece] : Buffer.from(piece)) out += escapeByte(byte);
  }
  return out;
}

function escapeByte(byte: number): string {
  if (ESCAPES[byte] !== undefined) return ESCAPES[byte];
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
}
