/**
 * How keys become Server-Sent Events: each value passed through the application's transform,
 * bytes as base64 with a flag, and each event framed as `event:`, `id:` and one `data:` line.
 */
import type { KeyValue, WatchBatch, WatchEvent } from '../index';
import type { ChangeData, SnapshotData, SyncChange, SyncedData } from './contract';

/** What to send for a key's value: text, bytes (sent as base64), or undefined to leave the key out. */
export type SseValue = string | Uint8Array | undefined;

/** A value as it goes on the wire. */
export interface SentValue {
  readonly value: string;
  readonly binary: boolean;
}

/** Turns a key into what its clients may see of it; undefined leaves the key out. */
export type ValueTransform = (kv: KeyValue) => SseValue;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The value as text when it is valid UTF-8, else its bytes: what is sent without a transform.
 * @example textOrBytes(kv) // 'on', or the raw bytes of a PNG
 */
export function textOrBytes(kv: KeyValue): SseValue {
  try {
    return strictUtf8.decode(kv.valueBuffer);
  } catch {
    return kv.valueBuffer;
  }
}

/**
 * Applies `transform` to a key and encodes the result for the wire.
 * @example sentValue(kv, textOrBytes) // { value: 'on', binary: false }
 */
export function sentValue(kv: KeyValue, transform: ValueTransform): SentValue | undefined {
  const value = transform(kv);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { value, binary: false };
  return { value: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'), binary: true };
}

/**
 * Whether a key was shown just before a change, for the rare event that etcd sent without its
 * `prevKv` (the previous revision was compacted away): true or false when the caller knows,
 * undefined when nobody can tell.
 */
export type ShownBefore = (key: string) => boolean | undefined;

/**
 * What one revision changed among the keys clients may see, in etcd's order, or undefined when
 * that cannot be told (see {@link ShownBefore}). Whether a key was shown before is judged from
 * the event's `prevKv`, never from its absence: a key hidden before and after sends nothing
 * (its name is as secret as its value), shown → hidden is a delete, hidden → shown a put.
 * @example changesOf(batch, textOrBytes, (key) => state.has(key)) // [{ type: 'put', key: 'ui/a', value: '2' }]
 */
export function changesOf(batch: WatchBatch, transform: ValueTransform, shownBefore: (key: string) => boolean): SyncChange[];
export function changesOf(batch: WatchBatch, transform: ValueTransform, shownBefore: ShownBefore): SyncChange[] | undefined;
export function changesOf(batch: WatchBatch, transform: ValueTransform, shownBefore: ShownBefore): SyncChange[] | undefined {
  const changes: SyncChange[] = [];
  for (const event of batch.events) {
    const key = event.kv.key;
    const shown = event.type === 'put' ? sentValue(event.kv, transform) : undefined;
    if (shown !== undefined) {
      changes.push(shown.binary ? { type: 'put', key, value: shown.value, binary: true } : { type: 'put', key, value: shown.value });
      continue;
    }
    const before = wasShown(event, transform, shownBefore);
    if (before === undefined) return undefined;
    if (before) changes.push({ type: 'delete', key });
  }
  return changes;
}

function wasShown(event: WatchEvent, transform: ValueTransform, shownBefore: ShownBefore): boolean | undefined {
  // A put of version 1 created the key: there was nothing before it to show.
  if (event.type === 'put' && event.kv.version === 1) return false;
  if (event.prevKv.some) return sentValue(event.prevKv.val, transform) !== undefined;
  return shownBefore(event.kv.key);
}

/**
 * The `snapshot` event of a whole state.
 * @example snapshotFrame(7, new Map([['ui/a', { value: '1', binary: false }]]))
 */
export function snapshotFrame(revision: number, state: ReadonlyMap<string, SentValue>): string {
  const entries: Record<string, string> = {};
  const binary: string[] = [];
  for (const [key, { value, binary: isBinary }] of state) {
    entries[key] = value;
    if (isBinary) binary.push(key);
  }
  const data: SnapshotData = binary.length > 0 ? { revision, entries, binary } : { revision, entries };
  return frame('snapshot', revision, data);
}

/**
 * The `change` event of one revision.
 * @example changeFrame({ revision: 8, changes: [{ type: 'delete', key: 'ui/a' }] })
 */
export function changeFrame(data: ChangeData): string {
  return frame('change', data.revision, data);
}

/**
 * The `synced` event: the client now holds the state at `revision`, replayed changes included.
 * @example syncedFrame(8) // 'event: synced\nid: 8\ndata: {"revision":8}\n\n'
 */
export function syncedFrame(revision: number): string {
  const data: SyncedData = { revision };
  return frame('synced', revision, data);
}

/**
 * A comment line: ignored by EventSource, seen by proxies and by people reading the stream.
 * @example comment('ping') // ': ping\n\n'
 */
export function comment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

// JSON never holds a raw line break, so the data is always exactly one `data:` line.
function frame(event: 'snapshot' | 'change' | 'synced', revision: number, data: SnapshotData | ChangeData | SyncedData): string {
  return `event: ${event}\nid: ${revision}\ndata: ${JSON.stringify(data)}\n\n`;
}
