import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { CliResult, jsonLines, ok, useCli } from './support/cli';

/** etcdctl's `endpoint status -w json`: member ids (decimal) and who leads. */
interface EtcdctlStatus {
  Endpoint: string;
  Status: { header: { member_id: string }; leader: string; version: string };
}

/** etcdctl's JSON, with its 64-bit ids kept as strings (as numbers they would lose digits). */
const etcdctlJson = <T>(result: CliResult): T => JSON.parse(ok(result).stdout.replace(/:(\d{16,})/g, ':"$1"')) as T;

describe('etcd-rx cluster commands against a real 3-member etcd', () => {
  const cluster = useCluster(3);
  const cli = useCli(cluster);
  const hex = (id: string) => BigInt(id).toString(16);

  it("has one name per command, etcdctl's: the old duplicates are unknown commands", async () => {
    for (const old of [['members'], ['status'], ['set', 'k', 'v'], ['compact', '1'], ['lease', 'ttl', '1'], ['delete', 'k']]) {
      const result = await cli.run(old);
      expect({ old, code: result.code }).toEqual({ old, code: 1 });
      expect(result.stderr).toContain('unknown command');
    }
  });

  it('leader names the member that leads, as etcdctl sees it', async () => {
    const leader = await cluster().leader();
    const shown = jsonLines(ok(await cli.run(['leader', '-o', 'json'])))[0];
    expect(shown).toMatchObject({ name: leader.name, clientUrls: [leader.clientUrl] });
    const statuses = etcdctlJson<EtcdctlStatus[]>(await cli.etcdctl(['endpoint', 'status', '-w', 'json']));
    expect(shown.id).toBe(hex(statuses[0].Status.leader));
    expect(ok(await cli.run(['leader'])).stdout).toContain(`${shown.id as string}  ${leader.name}`);
  });

  it('endpoint status shows every given member, and exits 1 naming a member that is down', async () => {
    const all = etcdctlJson<EtcdctlStatus[]>(await cli.run(['endpoint', 'status', '-w', 'json']));
    expect(all.map((s) => s.Endpoint)).toEqual(cluster().endpoints);
    const leaderId = all[0].Status.leader;
    expect(all.filter((s) => s.Status.header.member_id === leaderId)).toHaveLength(1);

    const follower = cluster().members.find((m) => m.clientUrl !== all.find((s) => s.Status.header.member_id === leaderId)?.Endpoint);
    if (follower === undefined) throw new Error('no follower');
    await follower.kill();
    try {
      const partial = await cli.run(['endpoint', 'status']);
      expect(partial.code).toBe(1);
      expect(partial.stderr).toContain(follower.clientUrl);
      const rows = partial.stdout.split('\n').filter((line) => line.startsWith('http'));
      expect(rows.map((row) => row.split(',')[0]).sort()).toEqual(
        cluster()
          .endpoints.filter((e) => e !== follower.clientUrl)
          .sort(),
      );
    } finally {
      await follower.restart();
      await cluster().waitHealthy();
    }
  });

  it("compaction discards old revisions: reading one then fails with etcd's message", async () => {
    const revision = async (value: string) =>
      String(etcdctlJson<{ header: { revision: number } }>(await cli.run(['put', 'compact/k', value, '-w', 'json'])).header.revision);
    const first = await revision('v1');
    const second = await revision('v2');
    expect(ok(await cli.run(['get', 'compact/k', '--rev', first])).stdout).toBe('compact/k\nv1\n');
    expect(ok(await cli.run(['compaction', second, '--physical'])).stdout).toBe(`compacted revision ${second}\n`);
    await waitFor(async () => (await cli.run(['get', 'compact/k', '--rev', first])).code === 1, 'the compaction to apply');
    const old = await cli.run(['get', 'compact/k', '--rev', first]);
    expect(old.stderr).toContain('required revision has been compacted');
    expect(ok(await cli.run(['get', 'compact/k'])).stdout).toBe('compact/k\nv2\n');
  });
});
