import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { watchGauges } from '../watch/watch-helpers';
import { useCli } from './support/cli';

describe('etcd-rx watch across the failure of the member serving it', () => {
  const cluster = useCluster(3);
  const cli = useCli(cluster);

  it('keeps printing every write made by etcdctl, each once and in order, while that member is down', async () => {
    const watching = cli.start(['watch', 'wf/', '--prefix', '-o', 'json']);
    const serving = async () => {
      const gauges = await Promise.all(cluster().members.map(async (m) => (m.state === 'running' ? (await watchGauges(m)).watchers : 0)));
      return cluster().members.filter((_, i) => gauges[i] > 0);
    };
    await waitFor(async () => (await serving()).length > 0 || !watching.running, 'the watch to be created');
    const [member] = await serving();
    // etcdctl is given only running members: the point is how etcd-rx copes, not how etcdctl does.
    const put = async (n: number) => {
      const running = cluster()
        .members.filter((m) => m.state === 'running')
        .map((m) => m.clientUrl);
      const result = await cli.etcdctl(['put', `wf/${n}`, `v${n}`], { endpoints: running });
      expect([result.code, result.stderr]).toEqual([0, '']);
    };

    await put(1);
    await waitFor(() => watching.json.length === 1 || !watching.running, 'the first event');
    await member.kill();
    try {
      await cluster().leader();
      for (let n = 2; n <= 5; n++) await put(n);
      await waitFor(() => watching.json.length >= 5 || !watching.running, 'the events written while the member was down', 60_000);
      const events = watching.json;
      expect(events.map((e) => e.key)).toEqual(['wf/1', 'wf/2', 'wf/3', 'wf/4', 'wf/5']);
      const revisions = events.map((e) => e.revision as number);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      expect((await serving()).length).toBe(1);
    } finally {
      await member.restart();
      await cluster().waitHealthy();
    }
    await put(6);
    await waitFor(() => watching.json.length >= 6 || !watching.running, 'an event after the member came back');
    expect(watching.json.map((e) => e.key)).toEqual(['wf/1', 'wf/2', 'wf/3', 'wf/4', 'wf/5', 'wf/6']);
    watching.interrupt();
    expect((await watching.exited).code).toBe(0);
    expect(watching.stderr).toBe('');
  }, 180_000);
});
