/**
 * Bounded operation time on a real 3-member cluster: with two members frozen the cluster has no
 * leader, and a call says so (EtcdQuorumLostError) within its deadline instead of running through
 * every retry; a call's own `deadlineMs` is kept; once quorum is back the same client works again.
 */
import { performance } from 'perf_hooks';
import { firstValueFrom } from 'rxjs';
import { Etcd, EtcdDeadlineExceededError, EtcdInvalidArgumentError, EtcdOutcomeUnknownError, EtcdQuorumLostError } from '../../src';
import { useClusterWithClients } from '../support/cluster';

const REQUEST_TIMEOUT_MS = 1000;

describe('deadlines and a lost quorum on a real cluster', () => {
  const { cluster, client } = useClusterWithClients(3);

  /** How a call ended, and after how long. */
  const settle = async <T>(call: Promise<T>) => {
    const started = performance.now();
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, ms: performance.now() - started };
  };

  it('reports a lost quorum as EtcdQuorumLostError within the deadline, then works again by itself', async () => {
    const etcd = client({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await firstValueFrom(etcd.put('quorum/k', 'before'));
    const leader = await cluster().leader();
    const follower = cluster().members.find((m) => m !== leader)!;
    const survivor = cluster().members.find((m) => m !== leader && m !== follower)!;
    leader.freeze();
    follower.freeze();
    try {
      const read = await settle(firstValueFrom(etcd.get('quorum/k')));
      console.log(`a read with quorum lost failed after ${Math.round(read.ms)} ms: ${(read.error as Error).message}`);
      expect(read.error).toBeInstanceOf(EtcdQuorumLostError);
      expect((read.error as EtcdQuorumLostError).leaderless).toEqual([survivor.clientUrl]);
      expect([...(read.error as EtcdQuorumLostError).silent].sort()).toEqual([leader.clientUrl, follower.clientUrl].sort());

      const write = await settle(firstValueFrom(etcd.put('quorum/k', 'during')));
      // A write sent to a member that froze with it in hand may have been applied later: unknown, never "lost quorum".
      expect(write.error instanceof EtcdQuorumLostError || write.error instanceof EtcdOutcomeUnknownError).toBe(true);

      const own = await settle(firstValueFrom(etcd.get('quorum/k', { deadlineMs: 300 })));
      expect(own.error).toBeInstanceOf(EtcdDeadlineExceededError);
      expect((own.error as EtcdDeadlineExceededError).deadlineMs).toBe(300);
      expect((own.error as EtcdDeadlineExceededError).failures.length).toBeGreaterThan(0);
    } finally {
      leader.resume();
      follower.resume();
    }
    await cluster().waitHealthy();
    const after = await firstValueFrom(etcd.get('quorum/k'));
    expect(after.some).toBe(true);
    await firstValueFrom(etcd.put('quorum/k', 'after'));
  });

  it('refuses a deadline that is not a positive number, naming it', async () => {
    expect(() => new Etcd({ endpoints: cluster().endpoints, deadlineMs: 0 })).toThrow(/deadlineMs/);
    const etcd = client();
    const error = await firstValueFrom(etcd.get('k', { deadlineMs: -5 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdInvalidArgumentError);
    expect((error as Error).message).toContain('deadlineMs');
    expect(etcd.options.deadlineMs).toBe(3 * etcd.options.requestTimeoutMs);
  });
});
