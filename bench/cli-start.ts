/**
 * `npm run bench:cli`: how long `etcd-rx get KEY` takes as a whole process, start-up included,
 * next to `etcdctl get KEY` and to Node itself doing nothing (the floor no Node program goes
 * under), on a one-member etcd. Runs the bundled CLI (what the package ships) and the same CLI
 * from its compiled modules, the commands alternating run by run; writes bench/cli-start.md with
 * the medians and the ratio to etcdctl (the goal: at most 3×).
 *
 * CLI_BENCH_RUNS sets the number of runs of each command (default 30).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EtcdCluster, findEtcdBinary } from '../src/testing';
import { median } from './phase';

const RUNS = Number(process.env.CLI_BENCH_RUNS ?? 30);
const GOAL = 3;
// Run compiled, from the package's root (see package.json): the bundle is built next to this file.
const BUNDLE = path.join(__dirname, '..', 'cli-bundle', 'main.js');
const MODULES = path.join(__dirname, '..', 'src', 'cli', 'main.js');
const RESULTS = path.resolve('bench', 'cli-start.md');

/** One command measured: its median wall time and peak memory over the runs. */
interface Measured {
  readonly name: string;
  readonly wallMs: number[];
  readonly peakKb: number[];
}

async function main(): Promise<void> {
  const cluster = await EtcdCluster.start({ size: 1 });
  try {
    const endpoint = cluster.endpoints[0];
    const etcdctl = path.join(path.dirname(findEtcdBinary()), 'etcdctl');
    const env = { ...process.env, ETCDCTL_API: '3', ETCD_SERVERS: endpoint };
    const commands: [string, string[]][] = [
      ['etcd-rx (bundled, as shipped)', [process.execPath, BUNDLE, 'get', 'bench/key']],
      ['etcd-rx (compiled modules)', [process.execPath, MODULES, 'get', 'bench/key']],
      ['etcdctl 3.4', [fs.existsSync(etcdctl) ? etcdctl : 'etcdctl', '--endpoints', endpoint, 'get', 'bench/key']],
      ['node -e 0 (Node start-up alone)', [process.execPath, '-e', '0']],
    ];
    check(run([...commands[2][1].slice(0, 3), 'put', 'bench/key', 'value'], env), 'OK\n');
    for (const [, argv] of commands.slice(0, 3)) check(run(argv, env), 'bench/key\nvalue\n');
    const measured: Measured[] = commands.map(([name]) => ({ name, wallMs: [], peakKb: [] }));
    // One warm-up round, then the commands in turn, so that drift in the machine's load hits each alike.
    for (let round = -1; round < RUNS; round++) {
      commands.forEach(([, argv], i) => {
        const timed = run(argv, env);
        if (round < 0) return;
        measured[i].wallMs.push(timed.wallMs);
        if (timed.peakKb !== undefined) measured[i].peakKb.push(timed.peakKb);
      });
    }
    const report = render(measured);
    console.log(report);
    fs.writeFileSync(RESULTS, report);
  } finally {
    await cluster.stop();
  }
}

/** One run: its output, wall time, and (through GNU time, when installed) its peak memory. */
function run(argv: string[], env: NodeJS.ProcessEnv): { stdout: string; wallMs: number; peakKb?: number } {
  const gnuTime = fs.existsSync('/usr/bin/time');
  const [file, args] = gnuTime ? ['/usr/bin/time', ['-f', '%M', ...argv]] : [argv[0], argv.slice(1)];
  const started = process.hrtime.bigint();
  const child = spawnSync(file, args, { env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${argv.join(' ')} exited ${String(child.status)}: ${child.stderr}`);
  const peak = gnuTime ? Number(child.stderr.trim().split('\n').pop()) : NaN;
  return { stdout: child.stdout, wallMs, peakKb: Number.isFinite(peak) ? peak : undefined };
}

function check(result: { stdout: string }, expected: string): void {
  if (result.stdout !== expected) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(result.stdout)}`);
}

function render(measured: readonly Measured[]): string {
  const etcdctlMs = median(measured[2].wallMs);
  const rows = measured.map((m) => {
    const ms = median(m.wallMs);
    const peak = m.peakKb.length === 0 ? '?' : (median(m.peakKb) / 1024).toFixed(1);
    return `| ${m.name} | ${ms.toFixed(1)} | ${(ms / etcdctlMs).toFixed(2)}× | ${peak} |`;
  });
  const bundled = median(measured[0].wallMs) / etcdctlMs;
  return [
    '# CLI start: `get KEY` as a whole process',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, Node ${process.version}, ${RUNS} runs of each command in turn (medians).`,
    '',
    '| command | wall ms | × etcdctl | peak MiB |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    `Goal: the shipped CLI within ${GOAL}× etcdctl's time — ${bundled <= GOAL ? 'met' : 'missed'} (${bundled.toFixed(2)}×).`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
