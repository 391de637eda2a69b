/**
 * The examples run as child processes through tsx, against a real cluster or against the
 * throwaway member they start themselves. They run as `node --import tsx`, one process: the `tsx`
 * command puts a parent in front that relays Ctrl-C and, when the child does not acknowledge the
 * signal within 30 ms (a loaded machine), kills it with exit code 130.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { firstValueFrom } from 'rxjs';
import { CliProcess } from '../cli/support/cli';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

const ROOT = path.join(__dirname, '..', '..');

describe('the examples', () => {
  const { cluster, client } = useClusterWithClients(3);
  const running = new Set<CliProcess>();
  afterEach(async () => {
    await Promise.all([...running].map((p) => p.kill()));
    running.clear();
  });

  /** Starts `examples/<name>.ts` in its own process group, with ETCD_SERVERS set unless `servers` is null, plus `extraEnv`. */
  const start = (name: string, args: string[] = [], servers: string | null = cluster().endpoints.join(','), extraEnv: NodeJS.ProcessEnv = {}): CliProcess => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
    delete env.ETCD_SERVERS;
    delete env.ETCDCTL_ENDPOINTS;
    if (servers !== null) env.ETCD_SERVERS = servers;
    const child = new CliProcess(
      spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples', `${name}.ts`), ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
    );
    running.add(child);
    return child;
  };

  it('demo: runs its tour against a given cluster and removes only the keys it wrote', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('demo/mine', 'kept'));
    await firstValueFrom(etcd.put('demo/services/mine', 'kept too'));
    const demo = start('demo');
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    expect(demo.stdout).toContain('compare-and-set hello -> bonjour: written');
    expect(demo.stdout).toContain('compare-and-set hello -> hola: compare failed, value is now bonjour');
    expect(demo.stdout).toMatch(/demo\/session expired after [\d.]+ s/);
    expect(demo.stdout).toMatch(/^leader: member-\d \(id \d+\) at http:\/\/127\.0\.0\.1:\d+$/m);
    const left = await firstValueFrom(etcd.range({ prefix: 'demo/' }));
    expect(left.kvs.map((kv) => [kv.key, kv.value])).toEqual([
      ['demo/mine', 'kept'],
      ['demo/services/mine', 'kept too'],
    ]);
  });

  it('demo: with no servers configured, starts a throwaway etcd and stops it', async () => {
    const demo = start('demo', [], null);
    expect(await demo.exited).toEqual({ code: 0, signal: null });
    const local = /started a throwaway etcd at (http:\/\/127\.0\.0\.1:\d+)/.exec(demo.stderr)?.[1];
    expect(local).toBeDefined();
    expect(demo.stdout).toContain(`at ${local}`);
    const answer = await fetch(`${local}/health`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(answer).toBe('refused');
  });

  it('config-stream: prints each change made under config/ until Ctrl-C', async () => {
    const etcd = client();
    const stream = start('config-stream');
    await stream.waitForStdout(/following config\/\*/, 'the stream to start');
    await stream.waitForStdout(/\(listed\): 0 key\(s\)/, 'the first listing');
    await firstValueFrom(etcd.putJson('config/web', { port: 8080 }));
    await stream.waitForStdout(/\+ config\/web = \{"port":8080\}/, 'the addition');
    await firstValueFrom(etcd.putJson('config/web', { port: 9090 }));
    await stream.waitForStdout(/~ config\/web: \{"port":8080\} -> \{"port":9090\}/, 'the change');
    await firstValueFrom(etcd.delete('config/web'));
    await stream.waitForStdout(/- config\/web \(was \{"port":9090\}\)/, 'the removal');
    stream.interrupt();
    expect(await stream.exited).toEqual({ code: 0, signal: null });
  });

  it('config-stream: ends with exit code 1, saying why, when a value under config/ is not JSON', async () => {
    const etcd = client();
    const stream = start('config-stream');
    await stream.waitForStdout(/\(listed\): \d+ key\(s\)/, 'the first listing');
    await firstValueFrom(etcd.put('config/broken', '{oops'));
    expect(await stream.exited).toEqual({ code: 1, signal: null });
    expect(stream.stderr).toMatch(/the value of key "config\/broken" is not JSON/);
    await firstValueFrom(etcd.delete('config/broken'));
  });

  it('config-stream: with no servers configured, shows its own changes on a throwaway etcd', async () => {
    const stream = start('config-stream', [], null);
    expect(await stream.exited).toEqual({ code: 0, signal: null });
    expect(stream.stdout).toContain('- config/features (was {"beta":false})');
  });

  it('diagnostics-metrics: prints Prometheus metrics made from the diagnostics channels', async () => {
    const metrics = start('diagnostics-metrics');
    expect(await metrics.exited).toEqual({ code: 0, signal: null });
    expect(metrics.stdout).toMatch(/^# TYPE etcd_rx_attempts_total counter$/m);
    expect(metrics.stdout).toMatch(/^etcd_rx_attempts_total\{method="put",endpoint="http:\/\/127\.0\.0\.1:\d+",outcome="ok"\} \d+$/m);
    // Of ten reads made together, the first went alone and nine as one txn; the listing, alone, as a range.
    expect(metrics.stdout).toMatch(/^etcd_rx_attempt_duration_seconds_bucket\{method="txn",le="\+Inf"\} 1$/m);
    expect(metrics.stdout).toContain('etcd_rx_coalesced_requests_total{kind="reads"} 11\n');
  });

  it('work-queue: three consumers, one killed -9 while it holds claims; every job is done, and recorded, exactly once', async () => {
    const etcd = client();
    // Long enough that carol is killed while her first claims are still being worked on, even
    // when a loaded machine takes a while to see her output and send the signal.
    const env = { WORK_MS: '1500' };
    const consumers = new Map(['alice', 'bob', 'carol'].map((name) => [name, start('work-queue', ['consume', name, '3'], undefined, env)]));
    for (const [name, consumer] of consumers) await consumer.waitForStdout(/consuming work\/jobs\//, `${name} to start`);
    const producer = start('work-queue', ['produce', '30'], undefined, env);
    expect(await producer.exited).toEqual({ code: 0, signal: null });
    const carol = consumers.get('carol') as CliProcess;
    await carol.waitForStdout(/carol: claimed/, 'carol to claim a job');
    await carol.kill();

    await waitFor(async () => (await firstValueFrom(etcd.range({ prefix: 'work-done/' }, { countOnly: true }))).count === 30, 'all 30 jobs to be done', 60_000);
    const done = await firstValueFrom(etcd.range({ prefix: 'work-done/' }));
    expect(done.kvs.every((kv) => kv.version === 1)).toBe(true);
    // Each record names who did the job; a survivor printed each of its own once (carol may have
    // died between recording one and printing it).
    const by = new Map(done.kvs.map((kv) => [kv.key.slice('work-done/'.length), (JSON.parse(kv.value) as { by: string }).by]));
    const said = (name: string, verb: string) =>
      (consumers.get(name) as CliProcess).stdout
        .split('\n')
        .filter((l) => l.startsWith(`${name}: ${verb} `))
        .map((l) => l.split(` ${verb} `)[1]);
    for (const name of ['alice', 'bob']) {
      const recorded = [...by].filter(([, who]) => who === name).map(([id]) => id);
      await waitFor(() => said(name, 'done').length >= recorded.length, `${name} to print what it did`);
      expect(said(name, 'done').sort()).toEqual(recorded.sort());
    }
    // carol died holding claims: those jobs went to the others once her lease ran out.
    expect(said('carol', 'claimed').filter((id) => by.get(id) !== 'carol').length).toBeGreaterThan(0);
    expect((await firstValueFrom(etcd.range({ prefix: 'work/' }, { countOnly: true }))).count).toBe(0);
    for (const name of ['alice', 'bob']) consumers.get(name)?.signal('SIGTERM');
    for (const name of ['alice', 'bob']) expect(await consumers.get(name)?.exited).toEqual({ code: 0, signal: null });
  });

  it('leader-election: three nodes; kill -9 the leader and another takes over, Ctrl-C the next and the last takes over', async () => {
    const nodes = new Map(['alice', 'bob', 'carol'].map((name) => [name, start('leader-election', [name])]));
    const leaders = () => [...nodes].filter(([, node]) => node.running && /I am the leader now/.test(node.stdout)).map(([name]) => name);
    await waitFor(() => leaders().length === 1, 'one node to lead', 30_000);
    const first = leaders()[0];
    const survivors = [...nodes.keys()].filter((name) => name !== first);
    await Promise.all(survivors.map((name) => nodes.get(name)?.waitForStdout(new RegExp(`leader is ${first} `), `${name} to see ${first} lead`)));

    await nodes.get(first)?.kill();
    // Its lease (TTL 5 s) must expire first; well within the wait.
    await waitFor(() => leaders().filter((name) => name !== first).length === 1, 'a survivor to lead', 30_000);
    const second = leaders().find((name) => name !== first) as string;
    const last = survivors.find((name) => name !== second) as string;
    await nodes.get(last)?.waitForStdout(new RegExp(`leader is ${second} `), `${last} to see ${second} lead`);

    nodes.get(second)?.interrupt();
    expect(await nodes.get(second)?.exited).toEqual({ code: 0, signal: null });
    await nodes.get(last)?.waitForStdout(/I am the leader now/, `${last} to lead after ${second} resigned`);
  });
});
