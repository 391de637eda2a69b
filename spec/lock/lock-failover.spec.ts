import { firstValueFrom, lastValueFrom, of } from 'rxjs';
import { Lock } from '../../src';
import { EtcdCluster } from '../../src/testing';
import { Recorder } from '../lease/helpers';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

// Its own cluster: members are frozen and killed here.
describe('locks when members fail', () => {
  const { cluster: getCluster, client: newClient } = useClusterWithClients(3);
  let cluster: EtcdCluster;
  beforeAll(() => {
    cluster = getCluster();
  });
  const client = (endpoints: string[]) => newClient({ endpoints, requestTimeoutMs: 2000 });

  it('moves to another member, acquires once the holder releases, and keeps the lock after the frozen member resumes', async () => {
    const leader = await cluster.leader();
    const victim = cluster.members.find((m) => m !== leader)!;
    const others = cluster.members.filter((m) => m !== victim).map((m) => m.clientUrl);
    const holderClient = client(others);
    // The waiter prefers the victim: its lease and its waiting request start there.
    const waiterClient = client([victim.clientUrl, ...others]);

    const holder = new Recorder<Lock>(holderClient.lock('failover', { ttl: 3 }));
    const held = await holder.next(() => true, 'the holder');
    const waiter = new Recorder<Lock>(waiterClient.lock('failover', { ttl: 3 }));
    const queued = async () => (await firstValueFrom(holderClient.range({ prefix: 'failover/' }))).kvs;
    await waitFor(async () => (await queued()).length === 2, 'the waiter to queue on the victim');
    const firstWaiterKey = (await queued()).find((kv) => kv.key !== held.key)!.key;

    victim.freeze();
    holder.unsubscribe();
    const lock = await waiter.next(() => true, 'the waiter to acquire through another member', 60_000);
    expect(lock.fencingToken).toBeGreaterThan(held.fencingToken);
    // It started over with a new lease (a new key): see src/concurrency/hold.ts for why.
    expect(lock.key).not.toBe(firstWaiterKey);

    // The resumed member cleans up the abandoned request; that must not touch the lock now held.
    victim.resume();
    const caughtUp = client([victim.clientUrl]);
    const { revision } = (await firstValueFrom(holderClient.put('failover-marker', 'x'))).header;
    await waitFor(
      async () => (await firstValueFrom(caughtUp.range('failover-marker', { serializable: true }))).header.revision >= revision,
      'the victim to catch up',
      30_000,
    );
    const lease = new Recorder(waiterClient.lease(3));
    await lease.next((e) => e.type === 'renewed', 'one keep-alive period');
    lease.unsubscribe();
    expect(waiter.error).toBeUndefined();
    const stillHeld = await firstValueFrom(holderClient.txn({ compare: [lock.ifHeld()] }));
    expect(stillHeld.succeeded).toBe(true);
    expect((await queued()).map((kv) => kv.key)).toEqual([lock.key]);
    waiter.unsubscribe();
  }, 120_000);

  it('serves contending lockers through three SIGKILLs of the leader: every withLock completes, none fails', async () => {
    // The Lock service passes "leader changed" and "request timed out" on with gRPC code 2; they
    // must be retried like any passing trouble, not surface as server errors.
    const lockers = [newClient(), newClient(), newClient()];
    let sections = 0;
    let running = true;
    const failures: string[] = [];
    const work = lockers.map(async (etcd) => {
      while (running) {
        try {
          await lastValueFrom(etcd.withLock('through-kills', () => of(++sections), { ttl: 10 }));
        } catch (error) {
          failures.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    });
    for (let kill = 0; kill < 3; kill++) {
      const before = sections;
      const leader = await cluster.leader();
      await leader.kill();
      await waitFor(() => sections > before + 20 || failures.length > 0, 'lockers to go on without the leader', 60_000);
      await leader.restart();
      await cluster.waitHealthy();
    }
    running = false;
    await Promise.all(work);
    expect(failures).toEqual([]);
  }, 180_000);
});
