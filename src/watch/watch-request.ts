/** What a watch asks for, validated once, and its wire form for each (re)creation. */
import { EtcdInvalidArgumentError } from '../errors';
import { encodeSelector, KeySelector, WireRange } from '../kv/key-selector';
import { checkCount, optionsOf } from '../validate';

/** Options of a watch. */
export interface WatchOptions {
  /**
   * The first revision to deliver (changes made at or after it, as far back as compaction
   * allows). Default: only changes made after the watch is created ("from now").
   */
  readonly startRevision?: number;
  /** Attach to each event the key as it was before the change (`prevKv`). */
  readonly prevKv?: boolean;
  /** Leave out put events (etcd's NOPUT filter). */
  readonly noPut?: boolean;
  /** Leave out delete events (etcd's NODELETE filter). */
  readonly noDelete?: boolean;
  /**
   * Also emit the server's progress notifications: batches without events saying that nothing
   * changed up to their revision (etcd sends them every 10 minutes by default, see its
   * `--experimental-watch-progress-notify-interval`).
   */
  readonly progressNotify?: boolean;
  /**
   * Make the first emission an event-less batch with `created: true` once the server-side watch
   * exists, its `revision` the first revision the watch delivers: a write made after it is
   * certain to be seen. Sent once per subscription, not again when the watch resumes elsewhere.
   * @example etcd.watch('k', { createdNotify: true }).pipe(filter((b) => b.created), take(1))
   */
  readonly createdNotify?: boolean;
}

/** A validated watch request. */
export interface WatchRequest {
  readonly range: WireRange;
  /** 0 means "from now". */
  readonly startRevision: number;
  readonly prevKv: boolean;
  readonly filters: readonly ('NOPUT' | 'NODELETE')[];
  readonly progressNotify: boolean;
  readonly createdNotify: boolean;
}

/**
 * Validates a watch's selector and options, naming what is wrong.
 * @example watchRequest({ prefix: 'config/' }, { prevKv: true })
 */
export function watchRequest(selector: KeySelector, given?: WatchOptions): WatchRequest {
  const options: WatchOptions = optionsOf(given, 'watch');
  for (const flag of ['prevKv', 'noPut', 'noDelete', 'progressNotify', 'createdNotify'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new EtcdInvalidArgumentError(`watch option ${flag} must be a boolean, got ${String(options[flag])}`);
    }
  }
  const filters: ('NOPUT' | 'NODELETE')[] = [];
  if (options.noPut) filters.push('NOPUT');
  if (options.noDelete) filters.push('NODELETE');
  return {
    range: encodeSelector(selector),
    startRevision: options.startRevision === undefined ? 0 : checkCount(options.startRevision, 'watch option startRevision'),
    prevKv: options.prevKv === true,
    filters,
    progressNotify: options.progressNotify === true,
    createdNotify: options.createdNotify === true,
  };
}

/**
 * The wire `create_request` of one (re)creation. Two flags are always set: `progress_notify`,
 * because the server's per-watch progress notifications are ordered with the watch's events and
 * so are the only safe way to move a quiet watch's resume point forward; and `fragment`, so that
 * a huge revision arrives in pieces of about the server's request size limit instead of one
 * message that could exceed what a transport accepts.
 * @example encodeCreate(request, 1042, 7)
 */
export function encodeCreate(request: WatchRequest, startRevision: number, watchId: number): Record<string, unknown> {
  const create: Record<string, unknown> = { ...request.range, watch_id: watchId, progress_notify: true, fragment: true };
  if (startRevision > 0) create.start_revision = startRevision;
  if (request.prevKv) create.prev_kv = true;
  if (request.filters.length > 0) create.filters = request.filters;
  return { create_request: create };
}
