import { firstValueFrom } from 'rxjs';
import { Etcd } from '../../src';
import { useCluster } from '../support/cluster';

describe('cluster questions against a real 3-member cluster', () => {
  const cluster = useCluster(3);
  let etcd: Etcd;
  beforeAll(() => {
    etcd = new Etcd({ endpoints: cluster().endpoints });
  });
  afterAll(() => etcd.close());

  it('lists the members with their names and URLs', async () => {
    const members = (await firstValueFrom(etcd.memberList())).members;
    expect(members.map((m) => BigInt(`0x${m.idHex}`).toString())).toEqual(members.map((m) => m.id));
    expect(members.map((m) => m.name).sort()).toEqual(
      cluster()
        .members.map((m) => m.name)
        .sort(),
    );
    expect(members.flatMap((m) => m.clientUrls).sort()).toEqual([...cluster().endpoints].sort());
    for (const m of members) expect(m.id).toMatch(/^\d+$/);
  });

  it('names the leader the cluster itself reports', async () => {
    const leader = await firstValueFrom(etcd.leaderMember());
    const expected = await cluster().leader();
    expect(leader.name).toBe(expected.name);
    expect(leader.clientUrls).toEqual([expected.clientUrl]);
  });

  it('reports the status of each member, all agreeing on the leader', async () => {
    const statuses = await Promise.all(cluster().endpoints.map((e) => firstValueFrom(etcd.endpointStatus(e))));
    expect(new Set(statuses.map((s) => s.leader)).size).toBe(1);
    for (const [i, s] of statuses.entries()) {
      expect(s.endpoint).toBe(cluster().endpoints[i]);
      expect(s.version).toMatch(/^3\.\d+\.\d+/);
      expect(s.dbSize).toBeGreaterThan(0);
      expect(s.raftTerm).toBeGreaterThan(0);
    }
    await expect(firstValueFrom(etcd.endpointStatus('http://127.0.0.1:1'))).rejects.toThrow(/not one of this client's endpoints/);
  });
});
