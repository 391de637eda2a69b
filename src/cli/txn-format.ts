/**
 * The text format of `etcd-rx txn`, etcdctl's (see TXN_FORMAT): compares, then the operations run
 * when every compare holds, then those run otherwise, each section ended by one blank line.
 */
import { Compare, Comparison, CompareResult, Op, TxnOp, TxnRequest } from '../index';
import { ArgsSpec, parseArgs, UsageError, wholeNumber } from './args';
import { KEY_RANGE_FLAGS, keySelector } from './key-args';
import { parseHexId } from './render';

/**
 * A mistake in a transaction script, with its line number.
 * @example throw new TxnSyntaxError(3, 'expected put KEY VALUE')
 */
export class TxnSyntaxError extends Error {
  override readonly name = 'TxnSyntaxError';
  constructor(line: number, message: string) {
    super(`txn line ${line}: ${message}`);
  }
}

/** The format, as `txn --help` and the README show it. */
export const TXN_FORMAT = `Three sections separated by one blank line: compares, success operations, failure operations.

  mod("config") > "0"          compares: value|val, version|ver, create|c, mod|m, lease (KEY) OP OPERAND
  value("mode") = "blue"       operators: = (or ==), !=, <, >

  put mode "green"             put KEY VALUE [--lease=ID] [--prev-kv]
  del tmp/ --prefix            del KEY [END] [--prefix|--from-key] [--prev-kv]

  get mode                     get KEY [END] [--prefix|--from-key] [--limit=N] [--rev=N] [--keys-only] [--count-only]

Keys and values are bare words or "double-quoted" strings with \\" \\\\ \\n \\t \\r \\xNN escapes
(any bytes can be written); lines starting with # are comments; lease IDs are hexadecimal.`;

/** The three sections, in order. */
export const TXN_SECTIONS = ['compares', 'success requests (get, put, del)', 'failure requests (get, put, del)'] as const;

/** How an operation's result is printed: as plain `get` prints it with the same flags. */
export interface OpPrinting {
  readonly keysOnly: boolean;
  readonly countOnly: boolean;
}

/** A parsed script: the transaction, and how each operation of each branch prints its result. */
export interface TxnScript {
  readonly request: TxnRequest;
  readonly printing: { readonly success: readonly OpPrinting[]; readonly failure: readonly OpPrinting[] };
}

/**
 * Parses a whole script into a transaction.
 * @example parseTxn('value("mode") = "blue"\n\nput mode green\n').request
 */
export function parseTxn(script: string): TxnScript {
  const sections: { line: number; text: string }[][] = [[]];
  const lines = script.replace(/\r?\n$/, '').split(/\r?\n/);
  // Blank lines at the very end separate nothing.
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  lines.forEach((text, i) => {
    if (text.trim() === '') sections.push([]);
    else if (!text.trimStart().startsWith('#')) sections[sections.length - 1].push({ line: i + 1, text });
  });
  if (sections.length > TXN_SECTIONS.length) {
    throw new TxnSyntaxError(lines.length, 'a transaction has at most three sections (compares, success, failure), separated by one blank line each');
  }
  const [compares = [], success = [], failure = []] = sections;
  const compare = compares.map(({ line, text }) => parseCompare(line, text));
  const [successOps, failureOps] = [success, failure].map((lines) => lines.map(({ line, text }) => parseOp(line, text)));
  return {
    request: { compare, success: successOps.map((o) => o.op), failure: failureOps.map((o) => o.op) },
    printing: { success: successOps.map((o) => o.printing), failure: failureOps.map((o) => o.printing) },
  };
}

const TARGETS: Record<string, 'value' | 'version' | 'create' | 'mod' | 'lease'> = {
  value: 'value',
  val: 'value',
  version: 'version',
  ver: 'version',
  create: 'create',
  c: 'create',
  mod: 'mod',
  m: 'mod',
  lease: 'lease',
};

const OPERATORS: Record<string, CompareResult> = { '=': '==', '==': '==', '!=': '!=', '<': '<', '>': '>' };

function parseCompare(line: number, text: string): Comparison {
  const cursor = new Cursor(line, text);
  const name = cursor.match(/[a-z]+/i, 'a compare target (value, version, create, mod or lease)');
  const target = TARGETS[name.toLowerCase()];
  if (target === undefined) throw new TxnSyntaxError(line, `unknown compare target "${name}" (expected value, version, create, mod or lease)`);
  cursor.expect('(');
  const key = cursor.word(')');
  cursor.expect(')');
  const operator = OPERATORS[cursor.match(/!=|==|=|<|>/, 'an operator (=, !=, <, >)')];
  const operand = cursor.word();
  cursor.end();
  if (target === 'value') return Compare.value(key, operator, operand);
  if (target === 'lease') return Compare.lease(key, operator, leaseId(line, operand.toString('utf8')));
  const revision = revisionAt(line, operand, target);
  if (target === 'version') return Compare.version(key, operator, revision);
  return target === 'create' ? Compare.createRevision(key, operator, revision) : Compare.modRevision(key, operator, revision);
}

const OP_FLAGS: Record<'put' | 'get' | 'del', ArgsSpec> = {
  put: {
    positionals: [],
    flags: [
      { name: 'lease', kind: 'string', description: '' },
      { name: 'prev-kv', kind: 'boolean', description: '' },
    ],
  },
  get: {
    positionals: [],
    flags: [
      ...KEY_RANGE_FLAGS,
      { name: 'limit', kind: 'count', description: '' },
      { name: 'rev', kind: 'count', description: '' },
      { name: 'keys-only', kind: 'boolean', description: '' },
      { name: 'count-only', kind: 'boolean', description: '' },
    ],
  },
  del: { positionals: [], flags: [...KEY_RANGE_FLAGS, { name: 'prev-kv', kind: 'boolean', description: '' }] },
};

function parseOp(line: number, text: string): { op: TxnOp; printing: OpPrinting } {
  const cursor = new Cursor(line, text);
  const verb = cursor.match(/[a-z]+/i, 'an operation (get, put, del)').toLowerCase();
  if (verb !== 'put' && verb !== 'get' && verb !== 'del' && verb !== 'delete')
    throw new TxnSyntaxError(line, `unknown operation "${verb}" (expected get, put or del)`);
  const words: Buffer[] = [];
  const options: string[] = [];
  while (!cursor.atEnd()) {
    const option = cursor.option();
    if (option !== undefined) options.push(option);
    else words.push(cursor.word());
  }
  const kind = verb === 'delete' ? 'del' : verb;
  const args = atLine(line, () => parseArgs(options, OP_FLAGS[kind]));
  const arity = kind === 'put' ? [2, 2] : [1, 2];
  const usage = kind === 'put' ? 'put KEY VALUE' : `${kind} KEY [END]`;
  if (words.length < arity[0] || words.length > arity[1]) throw new TxnSyntaxError(line, `expected ${usage}, got ${words.length} argument(s)`);
  const [key, second] = words;
  const printing = { keysOnly: args.bool('keys-only'), countOnly: args.bool('count-only') };
  if (kind === 'put') {
    const lease = args.text('lease');
    return { op: Op.put(key, second, { lease: lease === undefined ? undefined : leaseId(line, lease), prevKv: args.bool('prev-kv') }), printing };
  }
  const selector = atLine(line, () => keySelector(args, [key, second]));
  if (kind === 'del') return { op: Op.delete(selector, { prevKv: args.bool('prev-kv') }), printing };
  return { op: Op.get(selector, { limit: args.count('limit'), revision: args.count('rev'), ...printing }), printing };
}

/** Runs `read`, turning a UsageError into a TxnSyntaxError at `line`. */
function atLine<T>(line: number, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UsageError) throw new TxnSyntaxError(line, error.message);
    throw error;
  }
}

function leaseId(line: number, text: string): string {
  return atLine(line, () => parseHexId(text, 'lease ID'));
}

function revisionAt(line: number, operand: Buffer, target: string): number {
  return atLine(line, () => wholeNumber(operand.toString('utf8'), target));
}

const ESCAPES: Record<string, number> = { '"': 0x22, '\\': 0x5c, n: 0x0a, t: 0x09, r: 0x0d };

/** Reads one line left to right. */
class Cursor {
  private at = 0;

  constructor(
    private readonly line: number,
    private readonly text: string,
  ) {}

  atEnd(): boolean {
    this.skipSpace();
    return this.at >= this.text.length;
  }

  end(): void {
    if (!this.atEnd()) throw new TxnSyntaxError(this.line, `unexpected "${this.text.slice(this.at)}"`);
  }

  expect(char: string): void {
    this.skipSpace();
    if (this.text[this.at] !== char) throw new TxnSyntaxError(this.line, `expected "${char}" at column ${this.at + 1}`);
    this.at++;
  }

  match(pattern: RegExp, what: string): string {
    this.skipSpace();
    const found = new RegExp(`^(?:${pattern.source})`, pattern.flags).exec(this.text.slice(this.at));
    if (found === null) throw new TxnSyntaxError(this.line, `expected ${what} at column ${this.at + 1}`);
    this.at += found[0].length;
    return found[0];
  }

  /** An unquoted `--option` (a quoted "--x" is a word), or undefined. */
  option(): string | undefined {
    this.skipSpace();
    if (!this.text.startsWith('--', this.at)) return undefined;
    const found = /^\S+/.exec(this.text.slice(this.at));
    this.at += found === null ? 0 : found[0].length;
    return found?.[0];
  }

  /** A quoted string, or a bare word ending at a space (or at `stop`). */
  word(stop = ''): Buffer {
    this.skipSpace();
    if (this.text[this.at] === '"') return this.quoted();
    const start = this.at;
    while (this.at < this.text.length && !/\s/.test(this.text[this.at]) && !stop.includes(this.text[this.at])) this.at++;
    if (this.at === start) throw new TxnSyntaxError(this.line, `expected a key or value at column ${start + 1}`);
    return Buffer.from(this.text.slice(start, this.at), 'utf8');
  }

  private quoted(): Buffer {
    const start = this.at++;
    const bytes: Buffer[] = [];
    let literal = '';
    const flush = () => {
      bytes.push(Buffer.from(literal, 'utf8'));
      literal = '';
    };
    for (;;) {
      if (this.at >= this.text.length) throw new TxnSyntaxError(this.line, `unterminated string starting at column ${start + 1}`);
      const char = this.text[this.at++];
      if (char === '"') break;
      if (char !== '\\') {
        literal += char;
        continue;
      }
      const escaped = this.text[this.at++];
      const hex = escaped === 'x' ? /^[0-9a-f]{2}/i.exec(this.text.slice(this.at)) : null;
      if (hex !== null) {
        flush();
        bytes.push(Buffer.from([parseInt(hex[0], 16)]));
        this.at += 2;
      } else if (escaped !== undefined && ESCAPES[escaped] !== undefined) {
        literal += String.fromCharCode(ESCAPES[escaped]);
      } else {
        throw new TxnSyntaxError(this.line, `unknown escape "\\${escaped ?? ''}" at column ${this.at - 1} (known: \\" \\\\ \\n \\t \\r \\xNN)`);
      }
    }
    flush();
    return Buffer.concat(bytes);
  }

  private skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
  }
}
