/**
 * The page's copy of a selector's state, built event by event from an `etcd-rx/sse` stream. It
 * never takes a change twice: a change at or below the revision it holds is old news (which
 * happens when tabs hand the stream over to one another), and is skipped.
 */
import type { ChangeData, SnapshotData, SyncChange, SyncedData } from '../sse/contract.js';

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
  /**
   * True once the server said this page holds its current state (its `synced` event, after the
   * snapshot or after the changes a resume replayed); false again while the stream is lost, in
   * every tab that shares it, and while it changes hands between tabs.
   */
  readonly synced: boolean;
  /** Keys showing a write of this page that the server has not confirmed yet (see `syncStore`). */
  readonly pending: ReadonlySet<string>;
}

/** The kinds of event of the stream. */
export type FrameKind = 'snapshot' | 'change' | 'synced';

const NONE: ReadonlySet<string> = new Set();

/**
 * The state kept between events: each event gives a new state, built from the previous one, or
 * undefined when it changes nothing the page does not already have.
 * @example const table = new SyncTable(); table.take('snapshot', { revision: 7, entries: { 'ui/a': '1' } })
 */
export class SyncTable {
  /** The revision held, undefined before the first snapshot. */
  revision: number | undefined;
  private entries: ReadonlyMap<string, string> = new Map();
  private binary: ReadonlySet<string> = new Set();
  private synced = false;

  /** Takes one event's data; a message that does not follow the contract throws. */
  take(kind: FrameKind, data: unknown): SyncState | undefined {
    if (kind === 'snapshot') return this.snapshot(data);
    if (this.revision === undefined) return undefined;
    return kind === 'change' ? this.change(data) : this.markSynced(data);
  }

  /** The stream was lost: what the page holds may be behind until the next `synced`. */
  lost(): SyncState | undefined {
    if (!this.synced || this.revision === undefined) return undefined;
    this.synced = false;
    return this.state(this.revision, [], false);
  }

  /** What a page that joins late needs: the whole state, as a snapshot's data. */
  snapshotData(): SnapshotData | undefined {
    if (this.revision === undefined) return undefined;
    const binary = [...this.binary];
    return { revision: this.revision, entries: Object.fromEntries(this.entries), ...(binary.length > 0 ? { binary } : {}) };
  }

  get isSynced(): boolean {
    return this.synced;
  }

  private snapshot(data: unknown): SyncState {
    const { revision, entries, binary } = data as SnapshotData;
    if (!isRevision(revision) || typeof entries !== 'object' || entries === null) throw new Error(`not a snapshot: ${describe(data)}`);
    const fresh = new Map(Object.entries(entries));
    const freshBinary = new Set(binary ?? []);
    const changes = differences(this.entries, this.binary, fresh, freshBinary);
    this.entries = fresh;
    this.binary = freshBinary;
    this.synced = false;
    this.revision = revision;
    return this.state(revision, changes, true);
  }

  private change(data: unknown): SyncState | undefined {
    const { revision, changes } = data as ChangeData;
    if (!isRevision(revision) || !Array.isArray(changes)) throw new Error(`not a change: ${describe(data)}`);
    if (revision <= (this.revision as number)) return undefined;
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
    this.entries = entries;
    this.binary = binary;
    this.revision = revision;
    return this.state(revision, changes, false);
  }

  private markSynced(data: unknown): SyncState | undefined {
    const { revision } = data as SyncedData;
    if (!isRevision(revision)) throw new Error(`not a synced event: ${describe(data)}`);
    const held = this.revision as number;
    if (revision < held || (revision === held && this.synced)) return undefined;
    this.synced = true;
    this.revision = revision;
    return this.state(revision, [], false);
  }

  private state(revision: number, changes: readonly SyncChange[], snapshot: boolean): SyncState {
    return { revision, entries: this.entries, changes, binary: this.binary, snapshot, synced: this.synced, pending: NONE };
  }
}

/**
 * The changes that turn one map of entries into another.
 * @example differences(new Map([['a', '1']]), new Set(), new Map(), new Set()) // [{ type: 'delete', key: 'a' }]
 */
export function differences(
  before: ReadonlyMap<string, string>,
  beforeBinary: ReadonlySet<string>,
  after: ReadonlyMap<string, string>,
  afterBinary: ReadonlySet<string>,
): SyncChange[] {
  const changes: SyncChange[] = [];
  for (const key of before.keys()) if (!after.has(key)) changes.push({ type: 'delete', key });
  for (const [key, value] of after) {
    if (before.get(key) !== value || beforeBinary.has(key) !== afterBinary.has(key)) {
      changes.push(afterBinary.has(key) ? { type: 'put', key, value, binary: true } : { type: 'put', key, value });
    }
  }
  return changes;
}

function isRevision(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(data: unknown): string {
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
