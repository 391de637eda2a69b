/** The key-value commands: put, set (the old compare-and-set), del (get has its own module). */
import type { Bytes } from '../index';
import { UsageError } from './args';
import { Command, Context, finished } from './command';
import { argumentBytes } from './command-line';
import { ExitCode } from './exit-codes';
import { KEY_POSITIONALS, KEY_RANGE_FLAGS, keySelector } from './key-args';
import { kvJson, kvText, parseHexId, showBytes } from './render';
import { readAll } from './stdin';

const VALUE_FROM_STDIN = '-';

/** VALUE as given, or read from stdin when it is `-` (bytes kept as they are either way). */
async function valueArgument(context: Context, index: number): Promise<Bytes> {
  const value = context.args.positional(index) ?? '';
  return value === VALUE_FROM_STDIN ? readAll(context.io.stdin) : argumentBytes(value);
}

/** `put KEY VALUE [--ttl S] [--lease ID] [--prev-kv]` */
export const put: Command = {
  name: 'put',
  summary: 'write a key (VALUE "-" reads it from stdin)',
  details: 'Prints OK (JSON: the revision of the write). With --ttl the key expires after S seconds.',
  args: {
    positionals: [{ name: 'KEY' }, { name: 'VALUE' }],
    flags: [
      { name: 'ttl', kind: 'count', min: 1, placeholder: 'S', description: 'grant a lease of S seconds for the key: it expires with it' },
      { name: 'lease', kind: 'string', placeholder: 'ID', description: 'attach the key to the existing lease ID (hexadecimal)' },
      { name: 'prev-kv', kind: 'boolean', description: 'also print the key as it was before' },
    ],
  },
  examples: ['etcd-rx put config/web 8080', 'etcd-rx put session/42 alive --ttl 30', 'cat cert.pem | etcd-rx put tls/cert -'],
  run: async (context) => {
    const { args } = context;
    if (args.has('ttl') && args.has('lease')) throw new UsageError('--ttl and --lease cannot be used together');
    const lease = args.text('lease');
    const options = { ttl: args.count('ttl'), lease: lease === undefined ? undefined : parseHexId(lease, '--lease'), prevKv: args.bool('prev-kv') };
    const written = context.etcd().put(argumentBytes(args.positionals[0]), await valueArgument(context, 1), options);
    return finished(
      await context.interrupts.run(written, (result) =>
        context.out.emit({ revision: result.revision, ...(result.prevKv.some ? { prevKv: kvJson(result.prevKv.val) } : {}) }, (paint) =>
          result.prevKv.some ? `OK\n${kvText(result.prevKv.val, paint)}` : 'OK',
        ),
      ),
    );
  },
};

/** `set KEY VALUE [--prev-value OLD] [--ttl S]`: the old `etcd-test set`. */
export const set: Command = {
  name: 'set',
  summary: 'write a key; with --prev-value, only if its value is OLD (compare-and-set)',
  details:
    'Without --prev-value, the same as put. With it, the key is written only if its current value\n' +
    'is OLD; otherwise nothing is written, the current value is reported, and the exit code is 2.',
  args: {
    positionals: [{ name: 'KEY' }, { name: 'VALUE' }],
    flags: [
      // -p and -t are the old etcd-test's spellings, kept for its users' scripts.
      { name: 'prev-value', short: 'p', kind: 'string', placeholder: 'OLD', description: 'write only if the current value is OLD' },
      { name: 'ttl', short: 't', kind: 'count', min: 1, placeholder: 'S', description: 'grant a lease of S seconds for the key: it expires with it' },
    ],
  },
  examples: [
    'etcd-rx set config/mode blue',
    'etcd-rx set config/mode green --prev-value blue || echo "someone else changed it"',
    'etcd-rx set -p green -t 30 config/mode red   # as the old etcd-test spelled it',
  ],
  run: async (context) => {
    const { args } = context;
    const key = argumentBytes(args.positionals[0]);
    const value = await valueArgument(context, 1);
    const ttl = args.count('ttl');
    const given = args.text('prev-value');
    if (given === undefined) {
      return finished(await context.interrupts.run(context.etcd().put(key, value, { ttl }), (r) => context.out.emit({ revision: r.revision }, () => 'OK')));
    }
    let code: number = ExitCode.OK;
    const expected = argumentBytes(given);
    const ending = await context.interrupts.run(context.etcd().compareAndSet(key, value, { value: expected }, { ttl }), (result) => {
      if (result.ok) {
        context.out.emit({ succeeded: true, revision: result.val.revision }, () => 'OK');
        return;
      }
      code = ExitCode.COMPARE_FAILED;
      const current = result.val.current;
      context.out.emit({ succeeded: false, revision: result.val.header.revision, current: current.some ? kvJson(current.val) : null }, () => '');
      context.log.note((paint) =>
        paint.yellow(
          current.some
            ? `compare failed: ${showBytes(current.val.keyBuffer)} is ${showBytes(current.val.valueBuffer)}, not ${showBytes(Buffer.from(expected))}`
            : `compare failed: ${showBytes(Buffer.from(key))} does not exist`,
        ),
      );
    });
    const exit = finished(ending);
    return exit === ExitCode.OK ? code : exit;
  },
};

/** `del KEY [END] [--prefix] [--from-key] [--prev-kv]` (alias `delete`). */
export const del: Command = {
  name: 'del',
  aliases: ['delete'],
  summary: 'delete a key, a range, or every key under a prefix',
  details: 'Prints how many keys were deleted (JSON: {"deleted": N, "revision": R}).',
  args: {
    positionals: KEY_POSITIONALS,
    flags: [...KEY_RANGE_FLAGS, { name: 'prev-kv', kind: 'boolean', description: 'also print the deleted keys and values' }],
  },
  examples: ['etcd-rx del config/web', 'etcd-rx del tmp/ --prefix'],
  run: async (context) => {
    const deleted = context.etcd().delete(keySelector(context.args), { prevKv: context.args.bool('prev-kv') });
    return finished(
      await context.interrupts.run(deleted, (result) =>
        context.out.emit(
          {
            deleted: result.deleted,
            revision: result.header.revision,
            ...(context.args.bool('prev-kv') ? { prevKvs: result.prevKvs.map((kv) => kvJson(kv)) } : {}),
          },
          (paint) => [String(result.deleted), ...result.prevKvs.map((kv) => kvText(kv, paint))].join('\n'),
        ),
      ),
    );
  },
};
