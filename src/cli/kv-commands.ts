/** The key-value commands put and del (get has its own module), printed in etcdctl's forms. */
import type { Bytes, PutOptions } from '../index';
import { UsageError } from './args';
import { Command, Context, finished } from './command';
import { argumentBytes } from './command-line';
import { deleteFields, deleteGoJson, putFields, putGoJson } from './etcdctl-kv';
import { goJson, printAs, refuseFormats } from './etcdctl-format';
import { KEY_POSITIONALS, KEY_RANGE_FLAGS, keySelector } from './key-args';
import { kvText, parseHexId } from './render';
import { readAll } from './stdin';

const VALUE_FROM_STDIN = '-';

/** VALUE as given, or read from stdin when it is `-` or left out, as etcdctl reads it (bytes kept as they are either way). */
async function valueArgument(context: Context): Promise<Bytes> {
  const value = context.args.positional(1);
  if (value !== undefined && value !== VALUE_FROM_STDIN) return argumentBytes(value);
  const read = await readAll(context.io.stdin);
  // Without VALUE, an empty stdin is a forgotten value rather than an empty one, as etcdctl takes it.
  if (value === undefined && read.length === 0) throw new UsageError('missing VALUE (give it, or pipe it to stdin)');
  return read;
}

/** `put KEY [VALUE] [--ttl S] [--lease ID] [--prev-kv] [--ignore-value] [--ignore-lease]` */
export const put: Command = {
  name: 'put',
  summary: 'write a key (without VALUE, or with "-", the value is read from stdin)',
  details:
    'Prints OK, and with --prev-kv the key as it was before. With --ttl the key expires after S seconds.\n' +
    '--ignore-value keeps the current value (give no VALUE) and --ignore-lease the current lease, as\n' +
    'etcdctl has them; both fail when the key does not exist. -w json and -w fields print the\n' +
    'answer as etcdctl does; -w table is refused as etcdctl refuses it (exit 4).',
  args: {
    positionals: [{ name: 'KEY' }, { name: 'VALUE', optional: true }],
    flags: [
      { name: 'ttl', kind: 'count', min: 1, placeholder: 'S', description: 'grant a lease of S seconds for the key: it expires with it' },
      { name: 'lease', kind: 'string', placeholder: 'ID', description: 'attach the key to the existing lease ID (hexadecimal; 0 for none)' },
      { name: 'prev-kv', kind: 'boolean', description: 'also print the key as it was before' },
      { name: 'ignore-value', kind: 'boolean', description: 'keep the current value (updates only the lease)' },
      { name: 'ignore-lease', kind: 'boolean', description: 'keep the current lease (updates only the value)' },
    ],
  },
  examples: [
    'etcd-rx put config/web 8080',
    'etcd-rx put session/42 alive --ttl 30',
    'etcd-rx put tls/cert < cert.pem',
    'etcd-rx put session/42 --ignore-value --lease 694d77aa9e38260b',
  ],
  run: async (context) => {
    const { args, out } = context;
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    if (args.bool('ignore-value') && args.positional(1) !== undefined) throw new UsageError('put takes no VALUE when --ignore-value is set');
    if (args.has('ttl') && (args.has('lease') || args.bool('ignore-lease'))) throw new UsageError('--ttl cannot be used with --lease or --ignore-lease');
    const lease = args.text('lease');
    const leaseId = lease === undefined ? undefined : parseHexId(lease, '--lease');
    const options: PutOptions = {
      ttl: args.count('ttl'),
      lease: leaseId === '0' ? undefined : leaseId,
      prevKv: args.bool('prev-kv'),
      ignoreValue: args.bool('ignore-value'),
      ignoreLease: args.bool('ignore-lease'),
    };
    const value = options.ignoreValue ? '' : await valueArgument(context);
    const written = context.etcd().put(argumentBytes(args.positionals[0]), value, options);
    return finished(
      await context.interrupts.run(written, (result) =>
        printAs(out, {
          simple: () => (result.prevKv.some ? `OK\n${kvText(result.prevKv.val, out.paint, { hex: args.bool('hex') })}` : 'OK'),
          json: () => goJson(putGoJson(result)),
          fields: () => putFields(result).join('\n'),
        }),
      ),
    );
  },
};

/** `del KEY [END] [--prefix] [--from-key] [--prev-kv]` */
export const del: Command = {
  name: 'del',
  summary: 'delete a key, a range, or every key under a prefix',
  details: 'Prints how many keys were deleted, then (with --prev-kv) each deleted key and value; -w json and -w fields as etcdctl.',
  args: {
    positionals: KEY_POSITIONALS,
    flags: [...KEY_RANGE_FLAGS, { name: 'prev-kv', kind: 'boolean', description: 'also print the deleted keys and values' }],
  },
  examples: ['etcd-rx del config/web', 'etcd-rx del tmp/ --prefix'],
  run: async (context) => {
    const { args, out } = context;
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    const deleted = context.etcd().delete(keySelector(args), { prevKv: args.bool('prev-kv') });
    return finished(
      await context.interrupts.run(deleted, (result) =>
        printAs(out, {
          simple: () => [String(result.deleted), ...result.prevKvs.map((kv) => kvText(kv, out.paint, { hex: args.bool('hex') }))].join('\n'),
          json: () => goJson(deleteGoJson(result)),
          fields: () => deleteFields(result).join('\n'),
        }),
      ),
    );
  },
};
