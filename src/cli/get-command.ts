/** `get`: reading keys with etcdctl's options (sorting, consistency, value-only) and output forms. */
import { mergeMap, Observable } from 'rxjs';
import type { Etcd, KeySelector, KeyValue, RangeOptions, SortTarget } from '../index';
import { UsageError } from './args';
import { Command, finished } from './command';
import { rangeFields, rangeGoJson } from './etcdctl-kv';
import { goJson, refuseFormats } from './etcdctl-format';
import { ExitCode } from './exit-codes';
import { KEY_POSITIONALS, KEY_RANGE_FLAGS, keySelector } from './key-args';
import { kvText } from './render';

const SORT_TARGETS: Record<string, SortTarget> = { CREATE: 'createRevision', KEY: 'key', MODIFY: 'modRevision', VALUE: 'value', VERSION: 'version' };

/** `get KEY [END] [--prefix] [--rev N] [--limit N] [--keys-only] [--count-only] [--sort-by T] [--order O] ...` */
export const get: Command = {
  name: 'get',
  summary: 'read a key, a range, or every key under a prefix',
  details:
    'Prints each key and its value on two lines, as etcdctl does; a key that does not exist prints\n' +
    'nothing. Values that are not printable UTF-8 are shown quoted with \\xNN escapes. -w json and\n' +
    '-w fields print the answer as etcdctl does: the header (with the revision read), the keys and\n' +
    'values (base64 in JSON), "more" when --limit cut the list, and "count", how many keys matched.\n' +
    '-w table is refused as etcdctl refuses it (exit 4).',
  args: {
    positionals: KEY_POSITIONALS,
    flags: [
      ...KEY_RANGE_FLAGS,
      { name: 'rev', kind: 'count', placeholder: 'N', description: 'read the store as it was at revision N' },
      { name: 'limit', kind: 'count', placeholder: 'N', description: 'at most N keys' },
      { name: 'keys-only', kind: 'boolean', description: 'print keys without values' },
      { name: 'count-only', kind: 'boolean', description: 'print only how many keys match' },
      { name: 'print-value-only', kind: 'boolean', description: 'print values without keys (-w simple only)' },
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
    const { args, out } = context;
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    if (args.bool('print-value-only') && out.format !== 'text') {
      context.log.note(() => `Error: print-value-only is only for \`--write-out=simple\``);
      return ExitCode.BAD_ARGS;
    }
    const selector = keySelector(args);
    const options: RangeOptions = {
      revision: args.count('rev') || undefined,
      keysOnly: args.bool('keys-only'),
      serializable: serializable(args.text('consistency')),
      countOnly: args.bool('count-only'),
      limit: args.count('limit') || undefined,
      sort: sort(args.text('sort-by'), args.text('order')),
    };
    if (options.countOnly && (options.keysOnly || options.limit !== undefined)) throw new UsageError('--count-only cannot be used with --keys-only or --limit');
    if (out.format !== 'text') {
      // One answer, as etcdctl prints it: its header, count and "more" are what a script needs.
      const answer = context.etcd().range(selector, options);
      return finished(await context.interrupts.run(answer, (r) => out.raw(out.format === 'json' ? goJson(rangeGoJson(r)) : rangeFields(r).join('\n'))));
    }
    if (options.countOnly) {
      return finished(await context.interrupts.run(context.etcd().range(selector, options), (r) => out.raw(String(r.count))));
    }
    const print = (kv: KeyValue) =>
      out.raw(kvText(kv, out.paint, { keysOnly: options.keysOnly, valueOnly: args.bool('print-value-only'), hex: args.bool('hex') }));
    return finished(await context.interrupts.run(reads(context.etcd(), selector, options), print));
  },
};

/** Key-values in order: page by page (bounded memory) unless a limit or a sort needs one range. */
function reads(etcd: Etcd, selector: KeySelector, options: RangeOptions): Observable<KeyValue> {
  if (options.limit === undefined && options.sort === undefined) return etcd.list(selector, options);
  return etcd.range(selector, options).pipe(mergeMap((r) => r.kvs));
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
