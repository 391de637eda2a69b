/**
 * The arguments exactly as given. Node decodes them as UTF-8 and replaces what is not valid
 * with U+FFFD, so `etcd-rx put $'k\xff' v` would write other bytes than the ones typed. On Linux
 * the original bytes are in /proc/self/cmdline: an argument that was not valid UTF-8 is read
 * from there, each byte that is not part of a character kept as the lone surrogate U+DC80+byte
 * (Python's "surrogateescape": no valid UTF-8 decodes to one), and `argumentBytes` turns the
 * surrogates back into the bytes for the arguments that are keys and values.
 */
import { readFileSync } from 'fs';
import { utf8, utf8Pieces } from './utf8';

// With the u flag, so that the second half of a valid pair (an emoji) is not taken for one.
const ESCAPED_BYTE = /[\udc80-\udcff]/u;
// Decodes as Node decodes arguments, replacing what is not valid UTF-8 with U+FFFD.
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The user's arguments of `argv` (without `node` and the script), with the bytes of those that
 * were not valid UTF-8 kept; as Node gives them when `cmdline` (the bytes of /proc/self/cmdline)
 * cannot be read or does not match.
 * @example runCli(userArguments(process.argv), io, interrupts)
 */
export function userArguments(argv: readonly string[], cmdline: () => Buffer = () => readFileSync('/proc/self/cmdline')): string[] {
  const given = argv.slice(2);
  if (!given.some((arg) => arg.includes('\ufffd'))) return given;
  const raw = rawArguments(cmdline, given.length);
  if (raw === undefined) return given;
  // An argument is taken from cmdline only when it was invalid there and is what Node made of it.
  return given.map((arg, i) => (utf8(raw[i]) === undefined && lossyUtf8.decode(raw[i]) === arg ? escapeBytes(raw[i]) : arg));
}

/**
 * An argument as the bytes given: the text itself, or (when it was not valid UTF-8) its bytes.
 * @example argumentBytes(userArguments(process.argv)[1])
 */
export function argumentBytes(arg: string): string | Buffer {
  if (!ESCAPED_BYTE.test(arg)) return arg;
  // A lone surrogate comes out of the iterator alone; a valid pair, as one character.
  return Buffer.concat([...arg].map((char) => (char.length === 1 && ESCAPED_BYTE.test(char) ? Buffer.from([char.charCodeAt(0) - 0xdc00]) : Buffer.from(char))));
}

/**
 * Whether an argument was not valid UTF-8: it then cannot be passed on as text (to a program
 * `lock` runs, for one) without changing its bytes.
 * @example hasInvalidUtf8(arg) && refuse(arg)
 */
export function hasInvalidUtf8(arg: string): boolean {
  return ESCAPED_BYTE.test(arg);
}

/** The last `count` NUL-terminated entries of /proc/self/cmdline, or undefined when unreadable. */
function rawArguments(cmdline: () => Buffer, count: number): Buffer[] | undefined {
  let bytes: Buffer;
  try {
    bytes = cmdline();
  } catch {
    return undefined;
  }
  const entries: Buffer[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0, start);
    entries.push(bytes.subarray(start, end < 0 ? bytes.length : end));
    start = end < 0 ? bytes.length : end + 1;
  }
  return entries.length < count + 2 ? undefined : entries.slice(entries.length - count);
}

function escapeBytes(bytes: Buffer): string {
  return utf8Pieces(bytes)
    .map((piece) => (typeof piece === 'number' ? String.fromCharCode(0xdc00 + piece) : piece))
    .join('');
}
