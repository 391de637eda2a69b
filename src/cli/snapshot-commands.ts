/** `snapshot save FILE` and `snapshot status FILE`, as etcdctl 3.4 has them. */
import { snapshotStatusOfFile, SnapshotStatus } from './bolt-status';
import { UsageError } from './args';
import { Command, finished } from './command';
import { boxTable, goJson, humanBytes, printAs } from './etcdctl-format';
import { ExitCode } from './exit-codes';

/** `snapshot save FILE` */
export const snapshotSave: Command = {
  name: 'snapshot save',
  summary: "save a backup of the whole database of one member to FILE (restore it with etcd's own tool)",
  details:
    'Streams the database from the first endpoint that answers (name one with -s to choose), checks the\n' +
    'SHA-256 etcd appends to it, and only then moves it into place as FILE. Restore it with\n' +
    '`etcdctl snapshot restore FILE` (or `etcdutl snapshot restore`).',
  args: { positionals: [{ name: 'FILE' }], flags: [] },
  examples: ['etcd-rx snapshot save backup.db -s http://10.0.0.1:2379'],
  run: async (context) => {
    const file = context.args.positionals[0];
    const saved = context.etcd().saveSnapshot(file);
    return finished(await context.interrupts.run(saved, () => context.out.raw(`Snapshot saved at ${file}`)));
  },
};

/** `snapshot status FILE` */
export const snapshotStatusCommand: Command = {
  name: 'snapshot status',
  summary: 'show the hash, revision, number of keys and size of a snapshot file',
  details: 'Reads the file alone (no etcd needed), page by page (a file of any size); prints as etcdctl does, in every format.',
  args: { positionals: [{ name: 'FILE' }], flags: [] },
  examples: ['etcd-rx snapshot status backup.db -w table'],
  run: async (context) => {
    const file = context.args.positionals[0];
    let status: SnapshotStatus;
    try {
      status = snapshotStatusOfFile(file);
    } catch (error) {
      throw new UsageError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const hash = status.hash.toString(16);
    printAs(context.out, {
      simple: () => `${hash}, ${status.revision}, ${status.totalKey}, ${humanBytes(status.totalSize)}`,
      json: () => goJson(status),
      table: () =>
        boxTable(['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE'], [[hash, String(status.revision), String(status.totalKey), humanBytes(status.totalSize)]]),
      fields: () => [`"Hash" : ${status.hash}`, `"Revision" : ${status.revision}`, `"Keys" : ${status.totalKey}`, `"Size" : ${status.totalSize}`].join('\n'),
    });
    return ExitCode.OK;
  },
};
