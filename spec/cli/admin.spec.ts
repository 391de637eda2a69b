/**
 * The administration commands and etcdctl's habits, each run side by side with etcdctl 3.4 on the
 * same real cluster and compared byte for byte (except where a duration or a fresh id differs).
 */
import { EtcdCluster } from '../../src/testing';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { CliResult, ok, useCli } from './support/cli';

const FORMATS = ['simple', 'json', 'table', 'fields'];

describe('etcd-rx admin commands next to etcdctl on a real 3-member cluster', () => {
  const cluster = useCluster(3);
  const cli = useCli(cluster);
  const one = () => [cluster().endpoints[0]];
  const same = (args: readonly string[], endpoints?: readonly string[]) => cli.same(args, { endpoints });

  it('prints member list, endpoint status, endpoint hashkv and alarm list as etcdctl does, in every format', async () => {
    await ok(await cli.run(['put', 'compat/a', '1']));
    for (const w of FORMATS) {
      await same(['member', 'list', '-w', w], one());
      await same(['endpoint', 'status', '--cluster', '-w', w]);
      await same(['endpoint', 'hashkv', '-w', w]);
      // etcdctl 3.4 crashes (exit 2) printing an empty alarm list as fields; etcd-rx prints the empty header.
      if (w !== 'fields') await same(['alarm', 'list', '-w', w], one());
    }
  });

  it('reads with --print-value-only, --hex, --sort-by/--order, --consistency and -w json of an absent key as etcdctl does', async () => {
    for (const [k, v] of [
      ['compat/b', 'two'],
      ['compat/c', 'three'],
      ['compat/a', 'one'],
    ])
      ok(await cli.run(['put', k, v]));
    await same(['get', 'compat/', '--prefix', '--print-value-only'], one());
    await same(['get', 'compat/', '--prefix', '--hex'], one());
    await same(['get', 'compat/', '--prefix', '--sort-by', 'MODIFY', '--order', 'DESCEND'], one());
    await same(['get', 'compat/', '--prefix', '--order=DESCEND'], one());
    await same(['get', 'compat/a', '--consistency=s', '--command-timeout=3s', '--dial-timeout', '2s'], one());
    await same(['get', 'compat/absent', '-w', 'json'], one());
  });

  it('reports endpoint health as etcdctl does (on stderr for simple), and defragments each endpoint', async () => {
    const health = await cli.run(['endpoint', 'health', '--cluster']);
    expect(health.code).toBe(0);
    expect(masked(health.stderr)).toEqual(
      cluster()
        .endpoints.map((e) => `${e} is healthy: successfully committed proposal: took = D`)
        .sort()
        .join('\n') + '\n',
    );
    for (const w of ['json', 'table', 'fields']) {
      const [expected, actual] = [
        await cli.etcdctl(['endpoint', 'health', '-w', w], { endpoints: one() }),
        await cli.run(['endpoint', 'health', '-w', w], { env: { ETCD_SERVERS: one().join(',') } }),
      ];
      expect(masked(actual.stdout)).toEqual(masked(expected.stdout));
    }
    await same(['defrag']);
  });

  it('saves a snapshot whose status both tools read alike', async () => {
    const file = cli.tempFile('backup.db');
    expect(ok(await cli.run(['snapshot', 'save', file], { env: { ETCD_SERVERS: one().join(',') } })).stdout).toBe(`Snapshot saved at ${file}\n`);
    for (const w of FORMATS) await same(['snapshot', 'status', file, '-w', w]);
    expect((await cli.run(['snapshot', 'status', cli.tempFile('missing.db')])).code).toBe(1);
  });

  it('adds a learner, updates and removes it, printing what etcdctl prints', async () => {
    // etcd refuses membership changes until every member has been connected for 5 s.
    let added: CliResult | undefined;
    await waitFor(
      async () => (added = await cli.run(['member', 'add', 'newcomer', '--peer-urls', 'http://127.0.0.1:1', '--learner'])).code === 0,
      'the member to be added',
    );
    const [heading, blank, ...settings] = (added as CliResult).stdout.trimEnd().split('\n');
    const [, id, clusterId] = /^Member +([0-9a-f]+) added to cluster +([0-9a-f]+)$/.exec(heading) ?? [];
    expect(id).toBeDefined();
    expect(blank).toBe('');
    const names = await cli.etcdctl(['member', 'list']);
    expect(names.stdout).toContain(`${id}, unstarted, , http://127.0.0.1:1, , true`);
    const initial = names.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(', '))
      .map(([memberId, , name, peers]) => `${memberId === id ? 'newcomer' : name}=${peers}`);
    expect(settings).toEqual([
      'ETCD_NAME="newcomer"',
      `ETCD_INITIAL_CLUSTER="${initial.join(',')}"`,
      'ETCD_INITIAL_ADVERTISE_PEER_URLS="http://127.0.0.1:1"',
      'ETCD_INITIAL_CLUSTER_STATE="existing"',
    ]);
    expect(ok(await cli.run(['member', 'update', id, '--peer-urls=http://127.0.0.1:2'])).stdout).toMatch(
      new RegExp(`^Member +${id} updated in cluster +${clusterId}\n$`),
    );
    const promote = await cli.run(['member', 'promote', id]);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toMatch(/can only promote a learner member which is in sync with leader/);
    let removed: CliResult | undefined;
    await waitFor(async () => (removed = await cli.run(['member', 'remove', id])).code === 0, 'the member to be removed');
    expect((removed as CliResult).stdout).toMatch(new RegExp(`^Member +${id} removed from cluster +${clusterId}\n$`));
  });

  it('moves the leadership as etcdctl reports it', async () => {
    const leader = await cluster().leader();
    const target = (await memberIds(cli, cluster())).find(([, name]) => name !== leader.name) as [string, string];
    const moved = ok(await cli.run(['move-leader', target[0]]));
    expect(moved.stdout).toMatch(new RegExp(`^Leadership transferred from [0-9a-f]+ to ${target[0]}\n$`));
    await waitFor(async () => (await cluster().leader()).name === target[1], 'the new leader');
  });

  it('runs lock NAME COMMAND without --, exiting with its status; elect -l listens', async () => {
    expect((await cli.run(['lock', 'compat-lock', 'sh', '-c', 'echo "$ETCD_LOCK_KEY"; exit 3'])).code).toBe(3);
    expect(ok(await cli.run(['lock', 'compat-lock', 'echo', '-n', 'held'])).stdout).toMatch(/held$/);
    const listener = cli.start(['elect', 'compat-el', '-l']);
    const candidate = cli.start(['elect', 'compat-el', 'proposal-1']);
    await listener.waitForStdout(/proposal-1/, 'the listener to see the leader');
    const etcdctlListener = await cli.etcdctl(['elect', 'compat-el', '-l'], { timeoutMs: 1000 });
    expect(etcdctlListener.stdout).toMatch(/^compat-el\/[0-9a-f]+\nproposal-1\n/);
    await candidate.kill();
    await listener.kill();
  });
});

/** Replaces Go durations ("took") by D and sorts lines, which etcdctl prints in the order its checks end. */
function masked(text: string): string {
  // Table borders and padding follow the width of the durations: collapse them too.
  const lines = text
    .replace(/\d+(\.\d+)?(ns|µs|ms|s)\b/g, 'D')
    .replace(/-+/g, '-')
    .replace(/ +/g, ' ')
    .split('\n')
    .filter((l) => l !== '');
  return lines.sort().join('\n') + '\n';
}

async function memberIds(cli: ReturnType<typeof useCli>, cluster: EtcdCluster): Promise<[string, string][]> {
  const list = await cli.etcdctl(['member', 'list'], { endpoints: cluster.endpoints });
  return list.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(', '))
    .map(([id, , name]) => [id, name] as [string, string]);
}
