/**
 * How keys become Server-Sent Events: each value passed through the application's transform,
 * bytes as base64 with a flag, and each event framed as `event:`, `id:` and one `data:` line.
 */
import type { KeyValue, WatchBatch } from '../index';
import type { ChangeData, SnapshotData, SyncChange } from './contract';

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
 * What one revision changed among the keys clients may see, in etcd's order. A key the
 * transform now leaves out but showed before (judged from the event's `prevKv`) is a delete;
 * a key it left out before and still does is nothing.
 * @example changesOf(batch, textOrBytes) // [{ type: 'put', key: 'ui/a', value: '2' }]
 */
export function changesOf(batch: WatchBatch, transform: ValueTransform): SyncChange[] {
  const changes: SyncChange[] = [];
  for (const event of batch.events) {
    const key = event.kv.key;
    const shown = event.type === 'put' ? sentValue(event.kv, transform) : undefined;
    if (shown !== undefined) {
      changes.push(shown.binary ? { type: 'put', key, value: shown.value, binary: true } : { type: 'put', key, value: shown.value });
    } else if (event.prevKv.none || sentValue(event.prevKv.val, transform) !== undefined) {
      changes.push({ type: 'delete', key });
    }
  }
  return changes;
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
 * A comment line: ignored by EventSource, seen by proxies and by people reading the stream.
 * @example comment('ping') // ': ping\n\n'
 */
export function comment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

// JSON never holds a raw line break, so the data is always exactly one `data:` line.
function frame(event: 'snapshot' | 'change', revision: number, data: SnapshotData | ChangeData): string {
  return `event: ${event}\nid: ${revision}\ndata: ${JSON.stringify(data)}\n\n`;
}
