/**
 * One real etcd cluster per describe block: starting members costs a second or more, so tests
 * of a file share it and each test leaves it as it found it (every member running).
 */
import { Etcd, EtcdOptions } from '../../src';
import { ClusterOptions, EtcdCluster, EtcdMember } from '../../src/testing';

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

/** A cluster and a factory of clients to it, from `useClusterWithClients`. */
export interface ClusterWithClients {
  readonly cluster: () => EtcdCluster;
  /**
   * A new client. Without `endpoints`, each new client starts on the next member, so clients
   * meet through the cluster rather than all through one member.
   */
  readonly client: (options?: EtcdOptions) => Etcd;
  /** A client whose first endpoint is `first`: the member a test will break is the one serving it. */
  readonly clientPreferring: (first: EtcdMember, options?: Omit<EtcdOptions, 'endpoints'>) => Etcd;
}

/**
 * Like useCluster, with clients that are all closed (revoking the leases they hold) while the
 * cluster still runs; members a failed test left frozen are resumed first, so closing cannot hang.
 * @example
 * const { cluster, client } = useClusterWithClients(3);
 * it('locks', async () => { const etcd = client(); ... });
 */
export function useClusterWithClients(size: number, options: ClusterOptions = {}): ClusterWithClients {
  const clients: Etcd[] = [];
  // Declared before useCluster's hooks: jest runs afterAll hooks in the order they were declared.
  afterAll(async () => {
    for (const member of started?.members ?? []) if (member.state === 'frozen') member.resume();
    await Promise.all(clients.map((c) => c.close()));
  }, START_TIMEOUT_MS);
  let started: EtcdCluster | undefined;
  const getter = useCluster(size, options);
  const cluster = () => (started = getter());
  const client = (clientOptions: EtcdOptions = {}) => {
    const endpoints = cluster().endpoints;
    const shift = clients.length % endpoints.length;
    const etcd = new Etcd({ endpoints: [...endpoints.slice(shift), ...endpoints.slice(0, shift)], ...clientOptions });
    clients.push(etcd);
    return etcd;
  };
  const clientPreferring = (first: EtcdMember, clientOptions: Omit<EtcdOptions, 'endpoints'> = {}) =>
    client({ ...clientOptions, endpoints: [first.clientUrl, ...cluster().endpoints.filter((e) => e !== first.clientUrl)] });
  return { cluster, client, clientPreferring };
}
