/**
 * etcd-rx: a reactive client for etcd v3.
 * @example
 * import { Etcd } from 'etcd-rx'
 * const etcd = new Etcd('http://127.0.0.1:2379')
 * @module etcd-rx
 */
export { Etcd } from './client';
export type { KvOperations } from './kv/kv-operations';
export type { LeaseOperations } from './lease/lease-operations';
export type { ConcurrencyOperations } from './concurrency/concurrency-operations';
export type { WatchOperations } from './watch/watch-operations';
export type { ClusterOperations } from './cluster/cluster-operations';
export type { MaintenanceOperations } from './maintenance/maintenance-operations';
export type { AuthOptions, EtcdOptions, Pem, ResolvedOptions, RetryPolicy, TlsOptions, WatchTransport } from './options';
export type { EndpointState, EndpointStateChange, FailoverEvent, EndpointEvent, MemberLearned } from './endpoint-states';
export * from './errors';
export type { KeyValue } from './kv/key-value';
export type { Key, KeySelector } from './kv/key-selector';
export type { RangeOptions, RangeResult, SortTarget } from './kv/range';
export type { PutOptions, PutResult } from './kv/put';
export type { DeleteOptions, DeleteResult } from './kv/delete';
export { Compare, Op } from './kv/txn';
export type { Comparison, CompareResult, TxnOp, TxnOpResult, TxnRequest, TxnResult } from './kv/txn';
export type { CompactOptions, CompactResult, CompareFailed, Expectation, GetOptions } from './kv/types';
export type { ListOptions } from './kv/paging';
export type { CallOptions } from './call-options';
export { DIAGNOSTICS_CHANNELS } from './diagnostics/channels';
export type { AuthRefreshMessage, CallEndMessage, CallStartMessage, CoalesceBatchMessage, FailoverMessage, WatchConnectMessage } from './diagnostics/channels';
export type { LeaseEvent, LeaseGrant, LeaseId, LeaseOptions, LeaseTimeToLive } from './lease/types';
export type { CampaignEvent, CampaignOptions, Election, Leader, Leadership, Lock, LockOptions, NotHeld, Ownership } from './concurrency/types';
export type { WatchBatch, WatchEvent } from './watch/watch-event';
export type { WatchOptions } from './watch/watch-request';
export type { InvalidValuePolicy, MirrorChange, MirrorJsonOptions, MirrorState } from './watch/mirror';
export { listThenWatch } from './watch/list-then-watch';
export type { ListThenWatchSources, ListThenWatchStep } from './watch/list-then-watch';
export type { AddMemberOptions, Member, MemberAdded, MemberId, MemberList, MemberStatus } from './cluster/types';
export type { Alarm, AlarmList, AlarmType, Defragmented, EndpointHealth, HashKv, SnapshotChunk, SnapshotSaved } from './maintenance/types';
export type { StmIsolation, StmOptions, StmTx } from './concurrency/stm';
export type { AuthAdmin, Role, User, UserPassword } from './auth/types';
export type { Permission, PermissionType } from './auth/permission';
export type { ResponseHeader } from './transport/response-header';
export type { Bytes } from './transport/codec';
export { parseEndpoints, endpointsFromEnvironment, DEFAULT_ENDPOINT } from './endpoints';
export type { Scheme } from './endpoints';
export { None, Some, Ok, Err } from 'ts-results';
export type { Option, Result } from 'ts-results';
