/** `get`: reading keys with etcdctl's options (sorting, consistency, value-only, hex). */
import { concat, defer, EMPTY, map, mergeMap, Observable } from 'rxjs';
import type { Etcd, KeySelector, KeyValue, RangeOptions, RangeResult, SortTarget } from '../index';
import { UsageError } from './args';
import { Command, Context, finished } from './command';
import { goJson, headerJson } from './etcdctl-format';
import { KEY_POSITIONALS, KEY_RANGE_FLAGS, keySelector } from './key-args';
import { kvJson, kvText, showBytes } from './render';

const SORT_TARGETS: Record<string, SortTarget> = { CREATE: 'createRevision', KEY: 'key', MODIFY: 'modRevision', VALUE: 'value', VERSION: 'version' };

/** `get KEY [END] [--prefix] [--rev N] [--limit N] [--keys-only] [--count-only] [--sort-by T] [--order O] ...` */
export const get: Command = {
  name: 'get',
  summary: 'read a key, a range, or every key under a prefix',
  details:
    'Prints each key and its value on two lines, as etcdctl does. A key that does not exist prints\n' +
    'nothing; with -w json it prints {"header": ...} as etcdctl does, so a script can tell "no key"\n' +
    'from a failure. Unlike etcdctl, JSON has one object per key with keys and values as UTF-8 text\n' +
    '(as keyBase64/valueBase64 when they are not UTF-8). Values that are not printable UTF-8 are\n' +
    'shown quoted with \\xNN escapes.',
  args: {
    positionals: KEY_POSITIONALS,
    flags: [
      ...KEY_RANGE_FLAGS,
      { name: 'rev', kind: 'count', placeholder: 'N', description: 'read the store as it was at revision N' },
      { name: 'limit', kind: 'count', placeholder: 'N', description: 'at most N keys' },
      { name: 'keys-only', kind: 'boolean', description: 'print keys without values' },
      { name: 'count-only', kind: 'boolean', description: 'print only how many keys match' },
      { name: 'print-value-only', kind: 'boolean', description: 'print values without keys (text formats)' },
      { name: 'hex', kind: 'boolean', description: 'print keys and values as \\xNN escapes of every byte (text formats)' },
      {
        name: 'consistency',
        kind: 'string',
        placeholder: 'l|s',
        description: 'l (linearizable, the default) or s (serializable: any member answers from its own copy)',
      },
      { name: 'sort-by', kind: 'string', placeholder: 'TARGET', description: 'sort by CREATE, KEY, MODIFY, VALUE or VERSION' },
      { name: 'order', kind: 'string', placeholder: 'ORDER', description: 'ASCEND or DESCEND (with no --sort-by: by key)' },
    ],
  },
  examples: ['etcd-rx get config/web', 'etcd-rx get app/ --prefix --keys-only', 'etcd-rx get app/ --prefix --sort-by MODIFY --order DESCEND -w json'],
  run: async (context) => {
    const { args } = context;
    const selector = keySelector(args);
    const options: RangeOptions = {
      revision: args.count('rev') || undefined,
      keysOnly: args.bool('keys-only'),
      serializable: serializable(args.text('consistency')),
    };
    if (args.bool('count-only')) {
      if (options.keysOnly || args.has('limit')) throw new UsageError('--count-only cannot be used with --keys-only or --limit');
      const counted = context.etcd().range(selector, { ...options, countOnly: true });
      return finished(await context.interrupts.run(counted, (r) => context.out.emit({ count: r.count, revision: r.header.revision }, () => String(r.count))));
    }
    let printed = 0;
    const print = (kv: KeyValue) => {
      printed++;
      context.out.emit(kvJson(kv, options), (paint) => textOf(kv, context, paint));
    };
    const read = reads(context.etcd(), selector, { ...options, limit: args.count('limit') || undefined, sort: sort(args.text('sort-by'), args.text('order')) });
    // Nothing found: JSON still answers, as etcdctl does, with the header of a read of the same keys.
    const header = defer(() => (printed === 0 && context.out.format === 'json' ? context.etcd().range(selector, { ...options, countOnly: true }) : EMPTY));
    const printHeader = (r: RangeResult) => context.out.raw(goJson({ header: headerJson(r.header) }));
    return finished(await context.interrupts.run(concat(read.pipe(map(print)), header.pipe(map(printHeader))), () => undefined));
  },
};

/** Key-values in order: page by page (bounded memory) unless a limit or a sort needs one range. */
function reads(etcd: Etcd, selector: KeySelector, options: RangeOptions): Observable<KeyValue> {
  if (options.limit === undefined && options.sort === undefined) return etcd.list(selector, options);
  return etcd.range(selector, options).pipe(mergeMap((r) => r.kvs));
}

function textOf(kv: KeyValue, context: Context, paint: Context['out']['paint']): string {
  const { args } = context;
  const hex = args.bool('hex');
  const show = (bytes: Buffer, multiline: boolean) =>
    hex ? [...bytes].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('') : showBytes(bytes, { multiline });
  if (args.bool('print-value-only')) return args.bool('keys-only') ? '' : show(kv.valueBuffer, true);
  if (!hex) return kvText(kv, paint, { keysOnly: args.bool('keys-only') });
  const key = paint.cyan(show(kv.keyBuffer, false));
  return args.bool('keys-only') ? key : `${key}\n${show(kv.valueBuffer, true)}`;
}

function serializable(consistency: string | undefined): boolean {
  if (consistency === undefined || consistency === 'l') return false;
  if (consistency === 's') return true;
  throw new UsageError(`--consistency must be l (linearizable) or s (serializable), got "${consistency}"`);
}

function sort(by: string | undefined, order: string | undefined): RangeOptions['sort'] {
  if (by === undefined && order === undefined) return undefined;
  const target = SORT_TARGETS[(by ?? 'KEY').toUpperCase()];
  if (target === undefined) throw new UsageError(`--sort-by must be CREATE, KEY, MODIFY, VALUE or VERSION, got "${by}"`);
  const upper = (order ?? 'ASCEND').toUpperCase();
  if (upper !== 'ASCEND' && upper !== 'DESCEND') throw new UsageError(`--order must be ASCEND or DESCEND, got "${order}"`);
  return { target, order: upper === 'ASCEND' ? 'ascend' : 'descend' };
}
