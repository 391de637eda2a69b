/**
 * The key arguments shared by get, del and watch, read the way etcdctl reads them: `KEY` alone
 * is one key; `KEY END` the range [KEY, END); `--prefix` every key that starts with KEY;
 * `--from-key` every key from KEY on (from the first key when KEY is "", as etcdctl has it).
 */
import type { Bytes, KeySelector } from '../index';
import { FlagSpec, ParsedArgs, PositionalSpec, UsageError } from './args';
import { argumentBytes } from './command-line';

/** The positionals: KEY and an optional END. */
export const KEY_POSITIONALS: readonly PositionalSpec[] = [{ name: 'KEY' }, { name: 'END', optional: true }];

/** The flags that widen KEY to a prefix or an open range. */
export const KEY_RANGE_FLAGS: readonly FlagSpec[] = [
  { name: 'prefix', kind: 'boolean', description: 'every key that starts with KEY' },
  { name: 'from-key', kind: 'boolean', description: 'every key from KEY on (byte order; with "" as KEY, every key)' },
];

// The smallest key there is: etcd has no empty key, so every key is at or after "\0".
const FIRST_KEY = Buffer.from([0]);

/**
 * The selector the arguments name, refusing combinations that contradict each other. KEY and END
 * are the positionals (as the bytes given) unless `words` holds them (a transaction script's, or
 * the positionals after a command's others).
 * @example keySelector(parseArgs(['app/', '--prefix'], spec)) // { prefix: 'app/' }
 */
export function keySelector(args: ParsedArgs, words: readonly (Bytes | undefined)[] = args.positionals.map(argumentBytes)): KeySelector {
  const [key = '', end] = words;
  const given = [end !== undefined && 'END', args.bool('prefix') && '--prefix', args.bool('from-key') && '--from-key'].filter((g): g is string => g !== false);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be used together`);
  if (args.bool('prefix')) return { prefix: key };
  if (args.bool('from-key')) return { from: key.length === 0 ? FIRST_KEY : key };
  if (key.length === 0) throw new UsageError('KEY must not be empty (use "" with --prefix or --from-key for every key)');
  if (end !== undefined) return { from: key, to: end };
  return key;
}
