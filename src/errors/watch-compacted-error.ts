import { EtcdCompactedError } from './etcd-errors';

/**
 * A watch could not start or resume: the revision it needed has been compacted away, so the
 * changes between it and `compactRevision` are lost for good. Never a silent gap: the stream
 * ends with this error. Start again from `compactRevision` or later (after reading the current
 * state), or use `mirror()`, which does that by itself.
 * @example
 * etcd.watch('k', { startRevision: 5 }).subscribe({
 *   error: (e) => { if (e instanceof WatchCompactedError) console.log('oldest revision left:', e.compactRevision) },
 * })
 */
export class WatchCompactedError extends EtcdCompactedError {
  /** The oldest revision the server still has (the revision of the last compaction). */
  declare readonly compactRevision: number;

  constructor(
    compactRevision: number,
    /** The revision the watch needed to start or resume from. */
    readonly requestedRevision: number,
    endpoint: string,
  ) {
    super(
      `cannot watch from revision ${requestedRevision}: it was compacted (the oldest revision left is ${compactRevision}), from ${endpoint}`,
      compactRevision,
      { endpoint },
    );
  }
}
