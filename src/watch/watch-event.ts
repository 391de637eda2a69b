/** What a watch emits: the changes of one revision at a time. */
import { None, Option, Some } from 'ts-results';
import { KeyValue } from '../kv/key-value';
import { WireKeyValue } from '../kv/wire-key-value';
import { asObject } from '../transport/codec';

/**
 * One change of one key.
 * @example batch.events.forEach((e) => console.log(e.type, e.kv.key, e.type === 'put' ? e.kv.value : ''))
 */
export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /**
   * The key after the change. For a delete only `key` and `modRevision` are set (the value is
   * gone); ask for `prevKv` to see what was deleted.
   */
  readonly kv: KeyValue;
  /** The key before the change, when the watch asked for `prevKv` and the key existed. */
  readonly prevKv: Option<KeyValue>;
  /** The revision of the change (`kv.modRevision`). */
  readonly revision: number;
}

/**
 * Everything one revision changed among the watched keys, kept together: a transaction that
 * wrote several keys is one revision, and a subscriber acting on half of it would act on a state
 * that never existed. A watch emits one batch per revision, in revision order, each once.
 * With `progressNotify`, a batch without events (`progress: true`) says that nothing changed
 * among the watched keys up to and including `revision`. With `createdNotify`, the first batch
 * has no events and `created: true`: the watch exists on the server and delivers every change
 * from `revision` on.
 * @example etcd.watch({ prefix: 'config/' }).subscribe((b) => console.log(b.revision, b.events.length))
 */
export interface WatchBatch {
  readonly revision: number;
  /**
   * The revision in the header of the etcd answer that carried this batch: the store's revision
   * when the answer was sent. It is `revision` for a change delivered as it happens, and later when
   * the watch catches up on history (`startRevision`) or one answer carried several revisions;
   * etcdctl's `watch -- COMMAND` passes it as `ETCD_WATCH_REVISION`. Order and resume by
   * `revision`, never by this.
   * @example etcd.watch('k', { startRevision: 1 }).subscribe((b) => console.log(`${b.revision} seen at ${b.headerRevision}`))
   */
  readonly headerRevision: number;
  readonly events: readonly WatchEvent[];
  /** A progress notification: nothing changed among the watched keys up to `revision`. */
  readonly progress: boolean;
  /** The `createdNotify` announcement: the watch is live and delivers every change from `revision` on. */
  readonly created: boolean;
}

/**
 * Decodes a wire `mvccpb.Event` (a PUT carries no `type`: proto3 omits the default).
 * @example decodeEvent({ kv: { key: 'YQ==', value: 'MQ==', mod_revision: '7' } }).type // 'put'
 */
export function decodeEvent(field: unknown): WatchEvent {
  const event = asObject(field, 'watch event');
  const kv = WireKeyValue.fromWire(event.kv);
  return {
    type: event.type === 'DELETE' ? 'delete' : 'put',
    kv,
    prevKv: event.prev_kv === undefined ? None : Some(WireKeyValue.fromWire(event.prev_kv)),
    revision: kv.modRevision,
  };
}

/**
 * Cuts the events of one answer (which may span several revisions when a watch catches up) into
 * one batch per revision, in order, each carrying the answer's header revision.
 * @example toBatches(response.events, response.header.revision)
 */
export function toBatches(events: readonly WatchEvent[], headerRevision: number): WatchBatch[] {
  const batches: WatchBatch[] = [];
  let current: WatchEvent[] = [];
  const close = () => batches.push({ revision: current[0].revision, headerRevision, events: current, progress: false, created: false });
  for (const event of events) {
    if (current.length > 0 && current[0].revision !== event.revision) {
      close();
      current = [];
    }
    current.push(event);
  }
  if (current.length > 0) close();
  return batches;
}
