import { firstValueFrom } from 'rxjs';
import { Etcd, LeaseEvent, LeaseLostError } from '../../src';
import { EtcdCluster, EtcdMember } from '../../src/testing';
import { useClusterWithClients } from '../support/cluster';
import { Recorder } from './helpers';

// Well above a leader election (1–2 s election timeout, randomised, plus the vote): a killed carrier
// may be the leader, and no keep-alive can succeed until a new one is elected.
const TTL = 5;

// Its own cluster: members are killed and frozen here.
describe('lease keep-alive when members fail', () => {
  const { cluster: getCluster, clientPreferring } = useClusterWithClients(3);
  let cluster: EtcdCluster;
  beforeAll(() => {
    cluster = getCluster();
  });

  /** The member whose id a response header names. */
  const memberOf = async (etcd: Etcd, memberId: string): Promise<EtcdMember> => {
    const described = (await firstValueFrom(etcd.memberList())).members.find((m) => m.id === memberId);
    const member = cluster.members.find((m) => described?.clientUrls.includes(m.clientUrl));
    if (member === undefined) throw new Error(`no member with id ${memberId}`);
    return member;
  };

  /**
   * Holds a lease through a client stuck to the leader, breaks the member carrying its
   * keep-alives (the hardest case: the cluster also has no leader for a while), and checks that
   * renewals go on through the other members for well over two TTLs, without a loss.
   */
  const survives = async (breakIt: (carrier: EtcdMember) => unknown) => {
    const etcd = clientPreferring(await cluster.leader());
    const lease = new Recorder<LeaseEvent>(etcd.lease(TTL));
    const firstRenewal = await lease.next((e) => e.type === 'renewed', 'a first renewal');
    const carrier = await memberOf(etcd, firstRenewal.header.memberId);
    await breakIt(carrier);
    const brokenAt = Date.now();
    await lease.next((e) => e.type === 'renewed' && Date.now() - brokenAt > 2 * TTL * 1000, 'renewals two TTLs after the failure', 60_000);
    expect(lease.error).toBeUndefined();
    const servedBy = lease.values.filter((e, i) => e.type === 'renewed' && lease.times[i] > brokenAt + 1000).map((e) => e.header.memberId);
    expect(servedBy.length).toBeGreaterThan(2);
    expect(servedBy).not.toContain(firstRenewal.header.memberId);
    expect((await firstValueFrom(etcd.timeToLive(firstRenewal.id))).ttl).toBeGreaterThan(0);
    return { lease, carrier };
  };

  it('survives the SIGSTOP of the member serving its keep-alives (the leader)', async () => {
    const { lease, carrier } = await survives((member) => member.freeze());
    carrier.resume();
    lease.unsubscribe();
    await cluster.waitHealthy();
  });

  it('survives the SIGKILL of the member serving its keep-alives (the leader), then reports the loss at its deadline when no member answers', async () => {
    const { lease, carrier } = await survives((member) => member.kill());

    // With every remaining member frozen no keep-alive can succeed: the client must not go on
    // believing, and says so at last successful keep-alive + TTL, not later.
    const survivors = cluster.members.filter((m) => m !== carrier);
    for (const member of survivors) member.freeze();
    const error = await lease.failure('the loss', 30_000);
    const lastBeforeLoss = lease.values[lease.values.length - 1];
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).reason).toBe('unreachable');
    // Not before the deadline either (a few ms of timer rounding aside): the deadline is what fired.
    expect(lease.errorAt).toBeGreaterThanOrEqual(lastBeforeLoss.validUntil - 20);
    expect(lease.errorAt - lastBeforeLoss.validUntil).toBeLessThan(1000);
    for (const member of survivors) member.resume();
  });
});
