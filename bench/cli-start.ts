/**
 * `npm run bench:cli`: how long `etcd-rx get KEY` takes as a whole process, start-up included,
 * next to `etcdctl get KEY`, to Node itself doing nothing (the floor no Node program goes under)
 * and to Node making the same request with a bare `http.request` (the floor of any Node client),
 * on a one-member etcd. Runs the bundled CLI (what the package ships) with its code cache made
 * (every run after a command's first) and without (a first run, which also makes the cache), and
 * the same CLI from its compiled modules; the commands alternate run by run, so that drift in the
 * machine's load falls on all of them alike. Writes bench/cli-start.md with the medians and the
 * ratio to etcdctl (the goal: at most 3×), keeping what the file says from "## Before and after" on.
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
const KEPT = '## Before and after';

// The same read as `get KEY`, with nothing but Node's http module.
const BARE_GET = `
const body = JSON.stringify({ key: Buffer.from(process.argv[1]).toString('base64') });
const request = require('http').request(process.env.ETCD_SERVERS + '/v3/kv/range', { method: 'POST' }, (response) => {
  let text = '';
  response.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => {
    const kv = JSON.parse(text).kvs[0];
    process.stdout.write(Buffer.from(kv.key, 'base64') + '\\n' + Buffer.from(kv.value, 'base64') + '\\n');
  });
});
request.end(body);`;

/** One command: how to run it (a fresh environment per run, for a first run), and what it took. */
interface Command {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: () => NodeJS.ProcessEnv;
  readonly wallMs: number[];
  readonly peakKb: number[];
}

async function main(): Promise<void> {
  const cluster = await EtcdCluster.start({ size: 1 });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-cli-bench-'));
  try {
    const endpoint = cluster.endpoints[0];
    const etcdctl = path.join(path.dirname(findEtcdBinary()), 'etcdctl');
    const base = { ...process.env, ETCDCTL_API: '3', ETCD_SERVERS: endpoint, NODE_COMPILE_CACHE: path.join(scratch, 'warm') };
    let firstRuns = 0;
    const fresh = () => ({ ...base, NODE_COMPILE_CACHE: path.join(scratch, `cold-${firstRuns++}`) });
    const command = (name: string, argv: readonly string[], env: () => NodeJS.ProcessEnv = () => base): Command => ({
      name,
      argv,
      env,
      wallMs: [],
      peakKb: [],
    });
    const commands = [
      command('etcd-rx, code cache made (every run after the first)', [process.execPath, BUNDLE, 'get', 'bench/key']),
      command('etcd-rx, first run (makes the code cache)', [process.execPath, BUNDLE, 'get', 'bench/key'], fresh),
      command('etcd-rx from its compiled modules', [process.execPath, MODULES, 'get', 'bench/key']),
      command('etcdctl 3.4', [fs.existsSync(etcdctl) ? etcdctl : 'etcdctl', '--endpoints', endpoint, 'get', 'bench/key']),
      command('node: bare http.request of the same read', [process.execPath, '-e', BARE_GET, 'bench/key']),
      command('node -e 0 (Node start-up alone)', [process.execPath, '-e', '0']),
    ];
    const [warm, , , etcdctlRuns] = commands;
    check(run([...etcdctlRuns.argv.slice(0, 3), 'put', 'bench/key', 'value'], base), 'OK\n');
    for (const c of commands.slice(0, 5)) check(run(c.argv, c.env()), 'bench/key\nvalue\n');
    // One warm-up round, then the commands in turn, so that drift in the machine's load hits each alike.
    for (let round = -1; round < RUNS; round++) {
      for (const c of commands) {
        const timed = run(c.argv, c.env());
        if (round < 0) continue;
        c.wallMs.push(timed.wallMs);
        if (timed.peakKb !== undefined) c.peakKb.push(timed.peakKb);
      }
    }
    const report = render(commands, warm, etcdctlRuns);
    console.log(report);
    fs.writeFileSync(RESULTS, `${report}${kept()}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    await cluster.stop();
  }
}

/** One run: its output, wall time, and (through GNU time, when installed) its peak memory. */
function run(argv: readonly string[], env: NodeJS.ProcessEnv): { stdout: string; wallMs: number; peakKb?: number } {
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

/** The median of the run-by-run ratios: the two ran one after the other, on the same machine load. */
function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]));
}

function render(commands: readonly Command[], shipped: Command, etcdctl: Command): string {
  const rows = commands.map((c) => {
    const peak = c.peakKb.length === 0 ? '?' : (median(c.peakKb) / 1024).toFixed(1);
    return `| ${c.name} | ${median(c.wallMs).toFixed(1)} | ${pairedRatio(c.wallMs, etcdctl.wallMs).toFixed(2)}× | ${peak} |`;
  });
  const ratio = pairedRatio(shipped.wallMs, etcdctl.wallMs);
  return [
    '# CLI start: `get KEY` as a whole process',
    '',
    `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, Node ${process.version}, a one-member etcd.`,
    `${RUNS} runs of each command in turn after a round of warm-up (\`npm run bench:cli\`, bench/cli-start.ts).`,
    'Wall times and peak memory are medians; × etcdctl is the median of the run-by-run ratios of wall',
    'times. The first run of each command word has no code cache yet and makes it',
    '(scripts/cli-launcher.ts); every later run reads it.',
    '',
    '| command | wall ms | × etcdctl | peak MiB |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    `Goal: the shipped CLI within ${GOAL}× etcdctl's time — ${ratio <= GOAL ? 'met' : 'missed'} (${ratio.toFixed(2)}×).`,
    '',
  ].join('\n');
}

/** What the results file says from KEPT on: notes written by hand, which a new run keeps. */
function kept(): string {
  const text = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '';
  const at = text.indexOf(KEPT);
  return at < 0 ? '' : `\n${text.slice(at)}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
