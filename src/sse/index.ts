/**
 * etcd-rx/sse: a selector's live state for browsers, as Server-Sent Events resumable by
 * revision, from a request handler that any Node HTTP server can mount. See `etcd-rx/browser`
 * for the page's side.
 * @example
 * import { sseHandler } from 'etcd-rx/sse'
 * const events = sseHandler(etcd, { select: () => ({ prefix: 'ui/' }) })
 * http.createServer((req, res) => events(req, res)).listen(8080)
 * @module etcd-rx/sse
 */
export { sseHandler } from './sse-handler';
export type { SseHandler, SseHandlerOptions, SseRefusal } from './sse-handler';
export type { SseValue, ValueTransform } from './frames';
export { browserModules } from './browser-modules';
export type { ChangeData, SnapshotData, SyncChange, SyncedData } from './contract';
