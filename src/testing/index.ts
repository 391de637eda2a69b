/**
 * etcd-rx/testing: real, throwaway etcd clusters for tests, with members you can kill, freeze,
 * resume and restart. Needs an etcd binary (`$ETCD_BIN` or `etcd` on PATH).
 * @example
 * import { EtcdCluster } from 'etcd-rx/testing'
 * const cluster = await EtcdCluster.start({ size: 3 })
 * const etcd = new Etcd({ endpoints: cluster.endpoints })
 * // ...
 * await cluster.stop()
 * @module etcd-rx/testing
 */
export { EtcdCluster } from './etcd-cluster';
export type { ClusterOptions } from './etcd-cluster';
export { EtcdMember, EtcdStartError } from './etcd-member';
export type { EtcdMemberState } from './etcd-member';
export type { EtcdMemberStatus } from './http-probe';
export { EtcdBinaryNotFoundError, findEtcdBinary } from './etcd-binary';
export { adaptFlags, etcdVersion } from './etcd-flags';
export { freePorts } from './free-port';
export type { Credentials } from './cluster-auth';
export { createTestCertificates, OpensslError } from './test-certificates';
export type { ServerTlsPaths, TestCertificates, TlsFiles } from './test-certificates';
export { checkLinearizable, describeOperation, formatViolation } from './linearizability';
export type { CheckOptions, CheckResult, Operation, RegisterOp, RegisterValue, Violation } from './linearizability';
