/**
 * Read-your-writes for a page: the live state with the page's own writes shown at once, each
 * until the state from the server includes it (or rolled back when the server refuses it).
 */
import { filter, firstValueFrom, Observable, ReplaySubject, Subscription } from 'rxjs';
import type { SyncChange } from '../sse/contract.js';
import { syncState, SyncOptions } from './sync-state.js';
import { differences, SyncState } from './sync-table.js';

/** A live state that the page also writes to. */
export interface SyncStore {
  /** Every state, the latest first to a new subscriber; pending writes of this page applied on top. */
  readonly states: Observable<SyncState>;
  /** The latest state, undefined before the first. */
  readonly current: SyncState | undefined;
  /**
   * Resolves with the first state from the server at `revision` or later: the one that includes
   * a write that answered `revision`. Rejects if the stream ends first.
   */
  waitForRevision(revision: number): Promise<SyncState>;
  /**
   * Shows `change` at once, then runs `send` (the page's write; it resolves with the revision
   * the server wrote at). Resolves once the state includes that revision; when `send` rejects,
   * the change is rolled back and the promise rejects with the same error.
   */
  write(change: SyncChange, send: () => Promise<number>): Promise<SyncState>;
  /** Stops following the stream. */
  close(): void;
}

interface Pending {
  readonly change: SyncChange;
  /** The revision the server wrote it at, once it said so. */
  revision?: number;
}

/**
 * Follows `url` (as {@link syncState}) from now until `close()`, and lets the page write through it.
 * @example
 * const store = syncStore('/events')
 * store.states.subscribe(render)
 * await store.write({ type: 'put', key: 'ui/theme', value: 'dark' }, () => api.put('ui/theme', 'dark').then((r) => r.revision))
 */
export function syncStore(url: string, options: SyncOptions = {}): SyncStore {
  const states = new ReplaySubject<SyncState>(1);
  const pending = new Set<Pending>();
  let server: SyncState | undefined;
  let current: SyncState | undefined;

  const emit = () => {
    if (server === undefined) return;
    for (const write of pending) if (write.revision !== undefined && server.revision >= write.revision) pending.delete(write);
    const shown = pending.size === 0 ? server : overlay(server, pending);
    const changes = current === undefined || shown === server ? server.changes : differences(current.entries, current.binary, shown.entries, shown.binary);
    current = { ...shown, changes };
    states.next(current);
  };
  const following: Subscription = syncState(url, options).subscribe({
    next: (state) => {
      server = state;
      emit();
    },
    error: (error: unknown) => states.error(error),
    complete: () => states.complete(),
  });

  // A write confirmed at or before the state's revision no longer shows as pending (see emit).
  const waitForRevision = (revision: number) => firstValueFrom(states.pipe(filter((state) => state.revision >= revision)));

  return {
    states: states.asObservable(),
    get current() {
      return current;
    },
    waitForRevision,
    async write(change, send) {
      const write: Pending = { change };
      pending.add(write);
      emit();
      try {
        write.revision = await send();
      } catch (error) {
        pending.delete(write);
        emit();
        throw error;
      }
      emit();
      return waitForRevision(write.revision);
    },
    close: () => {
      following.unsubscribe();
      states.complete();
    },
  };
}

/** The server's state with the pending writes applied, in the order they were made. */
function overlay(server: SyncState, pending: ReadonlySet<Pending>): SyncState {
  const entries = new Map(server.entries);
  const binary = new Set(server.binary);
  const keys = new Set<string>();
  for (const { change } of pending) {
    keys.add(change.key);
    binary.delete(change.key);
    if (change.type === 'delete') entries.delete(change.key);
    else {
      entries.set(change.key, change.value);
      if (change.binary) binary.add(change.key);
    }
  }
  return { ...server, entries, binary, pending: keys };
}
