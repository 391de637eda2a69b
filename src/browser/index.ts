/**
 * etcd-rx/browser: a selector's live state in the page, from an `etcd-rx/sse` stream. An ES
 * module whose only dependency is rxjs, for bundlers and for a plain `<script type="module">`.
 * @example
 * import { syncState } from 'etcd-rx/browser'
 * syncState('/events').subscribe((s) => console.log(s.revision, [...s.entries]))
 * @module etcd-rx/browser
 */
import { Observable } from 'rxjs';
import type { ChangeData, SnapshotData, SyncChange } from '../sse/contract.js';

export type { ChangeData, SnapshotData, SyncChange } from '../sse/contract.js';

/** A message of the stream as an EventSource delivers it. */
export interface SyncMessage {
  readonly data: string;
}

/** What is needed of an EventSource: the browser's own, or any implementation of the standard. */
export interface EventSourceLike {
  readonly readyState: number;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: 'snapshot' | 'change', listener: (message: SyncMessage) => void): void;
  close(): void;
}

/** The keys as they were at `revision`, exactly; each emission is a new, unshared state. */
export interface SyncState {
  readonly revision: number;
  /** Every selected key with its value (base64 for the keys in `binary`). */
  readonly entries: ReadonlyMap<string, string>;
  /** What changed since the previous emission (after a snapshot: the difference it made). */
  readonly changes: readonly SyncChange[];
  /** The keys whose value is bytes, sent as base64. */
  readonly binary: ReadonlySet<string>;
  /** True when this state comes from a snapshot (the first one, and after a compaction). */
  readonly snapshot: boolean;
}

/** Options of {@link syncState}. */
export interface SyncOptions {
  /** Opens the stream; default: the global `EventSource`. */
  readonly eventSource?: (url: string) => EventSourceLike;
  /** Wait before opening the stream again after the server refused or ended it; default 1000. */
  readonly retryDelayMs?: number;
}

const CLOSED = 2;

/**
 * Follows the stream at `url`: one emission per snapshot or change event. The browser's
 * EventSource reconnects by itself and resumes after the last event it got; when it gives up
 * (the server answered with an error, or was away), the stream is opened again after
 * `retryDelayMs` with `?lastEventId=` so that it resumes all the same. Unsubscribing closes it.
 * A message that does not follow the contract ends the Observable with an error.
 * @example syncState('/events').subscribe(({ entries }) => render([...entries]))
 */
export function syncState(url: string, options: SyncOptions = {}): Observable<SyncState> {
  const open = options.eventSource ?? openEventSource;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  return new Observable<SyncState>((subscriber) => {
    const table = new SyncTable();
    let source: EventSourceLike | undefined;
    let reopening: ReturnType<typeof setTimeout> | undefined;
    const receive = (apply: (data: unknown) => SyncState) => (message: SyncMessage) => {
      try {
        subscriber.next(apply(JSON.parse(message.data)));
      } catch (error) {
        subscriber.error(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const connect = () => {
      const stream = open(table.revision === undefined ? url : withLastEventId(url, table.revision));
      source = stream;
      stream.addEventListener(
        'snapshot',
        receive((data) => table.snapshot(data)),
      );
      stream.addEventListener(
        'change',
        receive((data) => table.change(data)),
      );
      stream.onerror = () => {
        if (stream.readyState !== CLOSED || source !== stream) return;
        stream.close();
        reopening = setTimeout(connect, retryDelayMs);
      };
    };
    connect();
    return () => {
      clearTimeout(reopening);
      source?.close();
      source = undefined;
    };
  });
}

/**
 * The state kept between events: each event gives a new state, built from the previous one.
 * @example const table = new SyncTable(); table.snapshot({ revision: 7, entries: { 'ui/a': '1' } })
 */
class SyncTable {
  revision: number | undefined;
  private entries: ReadonlyMap<string, string> = new Map();
  private binary: ReadonlySet<string> = new Set();

  snapshot(data: unknown): SyncState {
    const { revision, entries, binary } = data as SnapshotData;
    if (!isRevision(revision) || typeof entries !== 'object' || entries === null) throw new Error(`not a snapshot: ${describe(data)}`);
    const fresh = new Map(Object.entries(entries));
    const changes: SyncChange[] = [];
    for (const key of this.entries.keys()) if (!fresh.has(key)) changes.push({ type: 'delete', key });
    const freshBinary = new Set(binary ?? []);
    for (const [key, value] of fresh) {
      if (this.entries.get(key) !== value || this.binary.has(key) !== freshBinary.has(key)) {
        changes.push(freshBinary.has(key) ? { type: 'put', key, value, binary: true } : { type: 'put', key, value });
      }
    }
    return this.take(revision, fresh, freshBinary, changes, true);
  }

  change(data: unknown): SyncState {
    const { revision, changes } = data as ChangeData;
    if (!isRevision(revision) || !Array.isArray(changes)) throw new Error(`not a change: ${describe(data)}`);
    const entries = new Map(this.entries);
    const binary = new Set(this.binary);
    for (const change of changes) {
      if (change.type === 'put') {
        entries.set(change.key, change.value);
        if (change.binary) binary.add(change.key);
        else binary.delete(change.key);
      } else {
        entries.delete(change.key);
        binary.delete(change.key);
      }
    }
    return this.take(revision, entries, binary, changes, false);
  }

  private take(revision: number, entries: Map<string, string>, binary: Set<string>, changes: readonly SyncChange[], snapshot: boolean): SyncState {
    this.revision = revision;
    this.entries = entries;
    this.binary = binary;
    return { revision, entries, changes, binary, snapshot };
  }
}

function openEventSource(url: string): EventSourceLike {
  const EventSourceClass = (globalThis as { EventSource?: new (url: string) => EventSourceLike }).EventSource;
  if (EventSourceClass === undefined) throw new Error('etcd-rx/browser: no EventSource here; pass options.eventSource');
  return new EventSourceClass(url);
}

function withLastEventId(url: string, revision: number): string {
  const base = url.replace(/([?&])lastEventId=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return `${base}${base.includes('?') ? '&' : '?'}lastEventId=${revision}`;
}

function isRevision(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(data: unknown): string {
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
