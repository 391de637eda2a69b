/**
 * A small, strict command-line parser: every flag must be declared, every value checked, and
 * every mistake is a UsageError that names it. Flags are `--name value`, `--name=value` or
 * `-x value` (a switch also `--name=true` or `--name=false`); a bare `-` is an ordinary
 * argument (stdin), and `--` ends the options.
 */

/**
 * A mistake on the command line: printed with the usage (`usage`, else the command's), exit code 1.
 * @example throw new UsageError('missing KEY')
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** What a flag holds: a switch, text, or a whole number (≥ its `min`). */
export type FlagKind = 'boolean' | 'string' | 'count';

/** One flag a command accepts. */
export interface FlagSpec {
  /** The long name, without `--`. */
  readonly name: string;
  /** Other long names for the same flag (`--endpoints` for `--servers`). */
  readonly aliases?: readonly string[];
  /** A one-letter name, without `-`. */
  readonly short?: string;
  /** Other one-letter names for the same flag (`-w` for `-o`, as etcdctl spells it). */
  readonly shortAliases?: readonly string[];
  readonly kind: FlagKind;
  /** The smallest number a `count` flag takes (default 0). */
  readonly min?: number;
  /** How help shows the value (`N`, `ID`, `URLS`). */
  readonly placeholder?: string;
  readonly description: string;
}

/** One positional argument. */
export interface PositionalSpec {
  readonly name: string;
  readonly optional?: boolean;
}

/** Everything a command accepts. */
export interface ArgsSpec {
  readonly flags: readonly FlagSpec[];
  readonly positionals: readonly PositionalSpec[];
  /** When set, the words after `--` are a command line of its own (`lock NAME -- CMD ...`). */
  readonly rest?: string;
  /** With `rest`: the first word after the positionals starts it too, without `--` (`lock NAME CMD ...`). */
  readonly restWithoutDashes?: boolean;
}

type FlagValue = boolean | string | number;

/**
 * A parsed command line, read through typed accessors.
 * @example parseArgs(['k', '--rev', '3'], spec).count('rev') // 3
 */
export class ParsedArgs {
  constructor(
    private readonly flags: ReadonlyMap<string, FlagValue>,
    /** The positional arguments, in order. */
    readonly positionals: readonly string[],
    /** The words after `--` when the spec has `rest`; undefined when there was no `--`. */
    readonly rest: readonly string[] | undefined,
  ) {}

  /** Whether a flag was given. */
  has(name: string): boolean {
    return this.flags.has(name);
  }

  /** A boolean flag: true when given. */
  bool(name: string): boolean {
    return this.flags.get(name) === true;
  }

  /** A text flag, or undefined when absent. */
  text(name: string): string | undefined {
    const value = this.flags.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  /** A whole-number flag, or undefined when absent. */
  count(name: string): number | undefined {
    const value = this.flags.get(name);
    return typeof value === 'number' ? value : undefined;
  }

  /** The positional argument at `index`, or undefined when it was not given. */
  positional(index: number): string | undefined {
    return this.positionals[index];
  }
}

/**
 * Parses `argv` against `spec`, throwing a UsageError naming the first mistake: an unknown flag,
 * a flag given twice, a missing or malformed value, a missing or extra argument.
 * @example parseArgs(['app/', '--prefix'], { flags: [{ name: 'prefix', kind: 'boolean', description: '' }], positionals: [{ name: 'KEY' }] })
 */
export function parseArgs(argv: readonly string[], spec: ArgsSpec): ParsedArgs {
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let rest: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      const after = argv.slice(i + 1);
      if (spec.rest === undefined) positionals.push(...after);
      else rest = after;
      break;
    }
    if (!isFlag(word)) {
      if (spec.rest !== undefined && spec.restWithoutDashes === true && positionals.length === spec.positionals.length) {
        rest = argv.slice(i);
        break;
      }
      positionals.push(word);
      continue;
    }
    const { flag, written, attached } = findFlag(word, spec.flags);
    if (flags.has(flag.name)) throw new UsageError(`${written} is given twice`);
    if (flag.kind === 'boolean') {
      // etcdctl's scripts spell switches `--interactive=false` too.
      if (attached !== undefined && attached !== 'true' && attached !== 'false') throw new UsageError(`${written} takes no value`);
      flags.set(flag.name, attached !== 'false');
      continue;
    }
    let value = attached;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${written} needs a value (${flag.placeholder ?? 'VALUE'})`);
      value = argv[++i];
    }
    flags.set(flag.name, flag.kind === 'count' ? wholeNumber(value, written, flag.min) : value);
  }
  checkPositionals(positionals, spec);
  return new ParsedArgs(flags, positionals, rest);
}

/**
 * Whether a word is meant as a flag (a bare `-` means stdin, and is not).
 * @example isFlag('-') // false
 */
export function isFlag(word: string): boolean {
  return word.length > 1 && word.startsWith('-');
}

/**
 * Finds the flag a word names among `flags`, or undefined when none does.
 * @example lookupFlag('--servers=a,b', globalFlags)?.flag.name // 'servers'
 */
export function lookupFlag(word: string, flags: readonly FlagSpec[]): { flag: FlagSpec; written: string; attached: string | undefined } | undefined {
  const equals = word.indexOf('=');
  const written = equals > 0 ? word.slice(0, equals) : word;
  const attached = equals > 0 ? word.slice(equals + 1) : undefined;
  const flag = written.startsWith('--')
    ? flags.find((f) => f.name === written.slice(2) || (f.aliases ?? []).includes(written.slice(2)))
    : flags.find((f) => f.short === written.slice(1) || (f.shortAliases ?? []).includes(written.slice(1)));
  return flag === undefined ? undefined : { flag, written, attached };
}

function findFlag(word: string, flags: readonly FlagSpec[]): { flag: FlagSpec; written: string; attached: string | undefined } {
  const found = lookupFlag(word, flags);
  if (found !== undefined) return found;
  const written = word.split('=')[0];
  const hint = /^-\d/.test(word) ? ` (put -- before arguments that start with -)` : '';
  throw new UsageError(`unknown option ${written}${hint}`);
}

/**
 * Reads a whole number ≥ `min`, or throws a UsageError naming `what` and that bound.
 * @example wholeNumber('1000', 'REV', 1) // 1000
 */
export function wholeNumber(text: string, what: string, min = 0): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${what} must be a whole number ≥ ${min}, got "${text}"`);
  return n;
}

function checkPositionals(positionals: readonly string[], spec: ArgsSpec): void {
  const required = spec.positionals.filter((p) => !p.optional);
  if (positionals.length < required.length) {
    throw new UsageError(
      `missing ${required
        .slice(positionals.length)
        .map((p) => p.name)
        .join(' and ')}`,
    );
  }
  if (positionals.length > spec.positionals.length) {
    const extra = positionals
      .slice(spec.positionals.length)
      .map((p) => `"${p}"`)
      .join(' ');
    throw new UsageError(`unexpected argument${positionals.length - spec.positionals.length > 1 ? 's' : ''} ${extra}`);
  }
}
