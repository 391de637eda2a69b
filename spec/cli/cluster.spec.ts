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

  it('members lists every member, with the IDs etcdctl shows', async () => {
    const listed = jsonLines(ok(await cli.run(['members', '-o', 'json'])));
    expect(listed.map((m) => m.name).sort()).toEqual(
      cluster()
        .members.map((m) => m.name)
        .sort(),
    );
    const theirs = ok(await cli.etcdctl(['member', 'list'])).stdout;
    for (const member of listed) expect(theirs).toContain(`${member.id as string}, started, ${member.name as string}`);
    const text = ok(await cli.run(['members'])).stdout.split('\n');
    expect(text[0]).toMatch(/^ID\s+NAME\s+PEER ADDRS\s+CLIENT ADDRS\s+IS LEARNER$/);
    expect(text.filter((line) => /^[0-9a-f]+\s/.test(line))).toHaveLength(3);
  });

  it('leader names the member that leads, as etcdctl sees it', async () => {
    const leader = await cluster().leader();
    const shown = jsonLines(ok(await cli.run(['leader', '-o', 'json'])))[0];
    expect(shown).toMatchObject({ name: leader.name, clientUrls: [leader.clientUrl] });
    const statuses = etcdctlJson<EtcdctlStatus[]>(await cli.etcdctl(['endpoint', 'status', '-w', 'json']));
    expect(shown.id).toBe(hex(statuses[0].Status.leader));
    expect(ok(await cli.run(['leader'])).stdout).toContain(`${shown.id as string}  ${leader.name}`);
  });

  it('status shows every given member, and exits 1 naming a member that is down', async () => {
    const all = jsonLines(ok(await cli.run(['status', '-o', 'json'])));
    expect(all.map((s) => s.endpoint)).toEqual(cluster().endpoints);
    expect(all.filter((s) => s.isLeader)).toHaveLength(1);
    expect(all.every((s) => s.version === all[0].version && typeof s.raftIndex === 'number')).toBe(true);
    const theirs = etcdctlJson<EtcdctlStatus[]>(await cli.etcdctl(['endpoint', 'status', '-w', 'json']));
    expect(all.map((s) => s.id)).toEqual(theirs.map((s) => hex(s.Status.header.member_id)));

    const follower = cluster().members.find((m) => m.clientUrl !== all.find((s) => s.isLeader)?.endpoint);
    if (follower === undefined) throw new Error('no follower');
    await follower.kill();
    try {
      const partial = await cli.run(['status']);
      expect(partial.code).toBe(1);
      expect(partial.stderr).toContain(follower.clientUrl);
      const rows = partial.stdout.split('\n').filter((line) => line.startsWith('http'));
      expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual(
        cluster()
          .endpoints.filter((e) => e !== follower.clientUrl)
          .sort(),
      );
    } finally {
      await follower.restart();
      await cluster().waitHealthy();
    }
  });

  it("compact discards old revisions: reading one then fails with etcd's message", async () => {
    const first = jsonLines(ok(await cli.run(['put', 'compact/k', 'v1', '-o', 'json'])))[0].revision as number;
    const second = jsonLines(ok(await cli.run(['put', 'compact/k', 'v2', '-o', 'json'])))[0].revision as number;
    expect(ok(await cli.run(['get', 'compact/k', '--rev', String(first)])).stdout).toBe('compact/k\nv1\n');
    expect(ok(await cli.run(['compact', String(second)])).stdout).toBe(`compacted revision ${second}\n`);
    await waitFor(async () => (await cli.run(['get', 'compact/k', '--rev', String(first)])).code === 1, 'the compaction to apply');
    const old = await cli.run(['get', 'compact/k', '--rev', String(first)]);
    expect(old.stderr).toContain('required revision has been compacted');
    expect(ok(await cli.run(['get', 'compact/k'])).stdout).toBe('compact/k\nv2\n');
  });
});
