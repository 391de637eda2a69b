/**
 * The wire contract of an etcd-rx Server-Sent Events stream (served by `etcd-rx/sse`, read by
 * `etcd-rx/browser`). Types only: nothing here runs, so the browser build stays Node-free.
 *
 * - `event: snapshot`, `id: R`, data {@link SnapshotData}: the whole selected state at R.
 * - `event: change`, `id: R`, data {@link ChangeData}: what revision R changed, one event per
 *   revision that changed a selected key, in etcd's order.
 * - `event: synced`, `id: R`, data {@link SyncedData}: the client now holds the state at R, after
 *   a snapshot, and after the changes a resume replayed; live changes follow.
 * - `: ping` comment lines while the stream is otherwise silent.
 */

/** One key's change: a put carries the new value, a delete none. */
export type SyncChange =
  { readonly type: 'put'; readonly key: string; readonly value: string; readonly binary?: true } | { readonly type: 'delete'; readonly key: string };

/**
 * The data of a `snapshot` event. A value that is bytes rather than text is sent as base64 and
 * its key listed in `binary` (absent when there is none).
 */
export interface SnapshotData {
  readonly revision: number;
  readonly entries: Readonly<Record<string, string>>;
  readonly binary?: readonly string[];
}

/** The data of a `change` event; a put whose `binary` is true carries its value as base64. */
export interface ChangeData {
  readonly revision: number;
  readonly changes: readonly SyncChange[];
}

/** The data of a `synced` event: the revision the client now holds, as its `id` says too. */
export interface SyncedData {
  readonly revision: number;
}
