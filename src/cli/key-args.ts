/**
 * The key arguments shared by get, del and watch, read the way etcdctl reads them: `KEY` alone
 * is one key; `KEY END` the range [KEY, END); `--prefix` every key that starts with KEY;
 * `--from-key` every key from KEY on.
 */
import type { Bytes, KeySelector } from '../index';
import { FlagSpec, ParsedArgs, PositionalSpec, UsageError } from './args';

/** The positionals: KEY and an optional END. */
export const KEY_POSITIONALS: readonly PositionalSpec[] = [{ name: 'KEY' }, { name: 'END', optional: true }];

/** The flags that widen KEY to a prefix or an open range. */
export const KEY_RANGE_FLAGS: readonly FlagSpec[] = [
  { name: 'prefix', kind: 'boolean', description: 'every key that starts with KEY' },
  { name: 'from-key', kind: 'boolean', description: 'every key from KEY on (byte order)' },
];

/**
 * The selector the arguments name, refusing combinations that contradict each other. KEY and END
 * are the positionals unless given (as bytes, by a transaction script).
 * @example keySelector(parseArgs(['app/', '--prefix'], spec)) // { prefix: 'app/' }
 */
export function keySelector(args: ParsedArgs, key: Bytes = args.positionals[0], end: Bytes | undefined = args.positionals[1]): KeySelector {
  const given = [end !== undefined && 'END', args.bool('prefix') && '--prefix', args.bool('from-key') && '--from-key'].filter((g): g is string => g !== false);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be used together`);
  if (key.length === 0 && !args.bool('prefix')) throw new UsageError('KEY must not be empty (use --prefix with "" for every key)');
  if (args.bool('prefix')) return { prefix: key };
  if (args.bool('from-key')) return { from: key };
  if (end !== undefined) return { from: key, to: end };
  return key;
}
