/**
 * etcd-rx: a reactive client for etcd v3.
 * @example
 * import { Etcd } from 'etcd-rx'
 * const etcd = new Etcd('http://127.0.0.1:2379')
 */
export { Etcd } from './client';
export type { EtcdOptions, ResolvedOptions } from './options';
export type { AuthOptions } from './transport/auth-session';
export type { Pem, TlsOptions } from './transport/tls-options';
export type { RetryPolicy } from './resilience/retry-policy';
export type { EndpointState, EndpointStateChange, FailoverEvent, HealthEvent } from './health';
export * from './errors';
export { KeyValue } from './kv/key-value';
export type { Key, KeySelector } from './kv/key-selector';
export type { RangeOptions, RangeResult, SortTarget } from './kv/range';
export type { PutOptions, PutResult } from './kv/put';
export type { DeleteOptions, DeleteResult } from './kv/delete';
export { Compare, Op } from './kv/txn';
export type { Comparison, CompareResult, TxnOp, TxnOpResult, TxnRequest, TxnResult } from './kv/txn';
export type { CompactOptions, CompactResult, CompareFailed, Expectation, GetOptions, ListOptions } from './kv/kv-service';
export type { CallOptions } from './call-options';
export type { LeaseId } from './lease/lease-id';
export type { LeaseGrant, LeaseTimeToLive } from './lease/lease-calls';
export type { LeaseEvent, LeaseOptions } from './lease/lease-service';
export { LeaseLostError } from './lease/lease-lost-error';
export type { LeaseLossReason } from './lease/lease-lost-error';
export type { CampaignEvent, CampaignOptions, Election, Leader, Leadership, Lock, LockOptions, NotHeld, Ownership } from './concurrency/types';
export type { WatchBatch, WatchEvent } from './watch/watch-event';
export type { WatchOptions } from './watch/watch-request';
export type { WatchTransport } from './watch/watch-connector';
export { WatchCompactedError } from './watch/watch-compacted-error';
export type { InvalidValuePolicy, MirrorChange, MirrorJsonOptions, MirrorState } from './watch/mirror';
export { EtcdWebSocketRefusedError } from './transport/ws-channel';
export type { Member, MemberStatus } from './cluster/cluster-service';
export type { AddMemberOptions, MemberAdded, MemberId, MemberList } from './cluster/membership';
export type { Alarm, AlarmList, AlarmType, Defragmented, EndpointHealth } from './maintenance/maintenance';
export type { HashKv } from './maintenance/hash-kv';
export type { SnapshotChunk, SnapshotSaved } from './maintenance/snapshot';
export { StmConflictError } from './concurrency/stm';
export type { StmIsolation, StmOptions, StmTx } from './concurrency/stm';
export type { AuthAdmin, Role, User, UserPassword } from './auth/auth-admin';
export type { Permission, PermissionType } from './auth/permission';
export type { ResponseHeader } from './transport/response-header';
export type { Bytes } from './transport/codec';
export { parseEndpoints, endpointsFromEnvironment, DEFAULT_ENDPOINT } from './endpoints';
export type { Scheme } from './endpoints';
export { None, Some, Ok, Err } from 'ts-results';
export type { Option, Result } from 'ts-results';
