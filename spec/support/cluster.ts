/**
 * One real etcd cluster per describe block: starting members costs a second or more, so tests
 * of a file share it and each test leaves it as it found it (every member running).
 */
import { ClusterOptions, EtcdCluster } from '../../src/testing';

// Starting 3 members on a loaded CI machine can take many seconds; jest's default 5 s is too short.
const START_TIMEOUT_MS = 60_000;

/**
 * Starts a cluster of `size` members in `beforeAll` and stops it in `afterAll`; returns a getter,
 * since the cluster exists only once `beforeAll` has run.
 * @example
 * describe('kv', () => {
 *   const cluster = useCluster(3);
 *   it('puts', async () => {
 *     const etcd = new Etcd({ endpoints: cluster().endpoints });
 *   });
 * });
 */
export function useCluster(size: number, options: ClusterOptions = {}): () => EtcdCluster {
  let cluster: EtcdCluster | undefined;
  beforeAll(async () => {
    cluster = await EtcdCluster.start({ ...options, size });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.stop();
  }, START_TIMEOUT_MS);
  return () => {
    if (cluster === undefined) throw new Error('the cluster is not started yet: call the getter inside a test or a hook, not while declaring them');
    return cluster;
  };
}
