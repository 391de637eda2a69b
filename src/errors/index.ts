/**
 * Every public error of etcd-rx, in one place. Every failure reaches subscribers as one of these
 * on the Observable's error channel; expected outcomes (a key absent, a compare that failed) are
 * values instead (`Option`, `Result`). All extend `EtcdError`, so `instanceof` tells them apart.
 */
export * from './etcd-errors';
export { LeaseLostError } from './lease-lost-error';
export type { LeaseLossReason } from './lease-lost-error';
export { WatchCompactedError } from './watch-compacted-error';
export { EtcdWebSocketRefusedError } from './websocket-refused-error';
export { StmConflictError } from './stm-conflict-error';
