/**
 * etcd-rx/browser: a selector's live state in the page, from an `etcd-rx/sse` stream, shared by
 * the tabs of one origin, with read-your-writes for the page's own writes. An ES module whose
 * only dependency is rxjs, for bundlers and for a plain `<script type="module">`.
 * @example
 * import { syncState } from 'etcd-rx/browser'
 * syncState('/events').subscribe((s) => console.log(s.revision, s.synced, [...s.entries]))
 * @module etcd-rx/browser
 */
export { syncState } from './sync-state.js';
export type { SyncOptions } from './sync-state.js';
export { syncStore } from './sync-store.js';
export type { SyncStore } from './sync-store.js';
export type { FrameKind, SyncState } from './sync-table.js';
export type { EventSourceLike, SyncMessage } from './event-stream.js';
export type { ChangeData, SnapshotData, SyncChange, SyncedData } from '../sse/contract.js';
