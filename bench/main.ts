/**
 * `npm run bench`: etcd-rx against the gRPC client etcd3, a bare gateway call (the wire's limit)
 * and the same call through node-fetch, on a one-member etcd (the failover rows on a three-member
 * one), the clients alternating in one run; writes bench/RESULTS.md with the ratio etcd-rx / etcd3
 * in every row and the targets met or missed.
 *
 * `npm run bench -- --quick` (or BENCH_QUICK=1) makes a short run (about two minutes) of the
 * get/put/compare-and-set/listing cells that only prints. BENCH_ONLY=kv,list,watch,watches,failover,
 * BENCH_OPS=get,put,cas,listing, BENCH_CONCURRENCY=1,64 and BENCH_CLIENTS=rx,etcd3 narrow a run
 * (a narrowed run only prints too); `node --cpu-prof` on a run narrowed to one client profiles it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom } from 'rxjs';
import { EtcdCluster } from '../src/testing';
import { BareGateway } from './bare-gateway';
import { checkEveryClientWorks, CLIENTS, ClientName, KvOperation, openClients } from './clients';
import { failoverScenario, FREEZE_MS } from './failover-scenario';
import { LIST_CLIENTS, LIST_KEYS, ListResult, listScenario } from './list-scenario';
import { collectGarbage } from './memory';
import { median, runPhase } from './phase';
import { Cell, kvTables, measureTable, OPERATION_NAMES, renderTable, stats, summarize, Table, Target, targetTable } from './report';
import { deliveryScenario, ManyWatchesResult, manyWatchesScenario, WATCH_CLIENTS, WATCHED_PUTS, WATCHES } from './watch-scenarios';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 3;
const PHASE_MS = QUICK ? 400 : 1500;
const WARMUP_MS = QUICK ? 150 : 300;
const ONLY = list(process.env.BENCH_ONLY, QUICK ? ['kv'] : ['kv', 'list', 'watch', 'watches', 'failover']);
const OPERATIONS = list(process.env.BENCH_OPS, ['get', 'put', 'cas', 'listing']) as KvOperation[];
const CONCURRENCIES = list(process.env.BENCH_CONCURRENCY, ['1', '16', '64']).map(Number);
// Only some clients, e.g. under `node --cpu-prof` to profile one of them.
const RUN_CLIENTS = list(process.env.BENCH_CLIENTS, [...CLIENTS]) as ClientName[];
const FULL_RUN = !QUICK && ['BENCH_ONLY', 'BENCH_OPS', 'BENCH_CONCURRENCY', 'BENCH_CLIENTS'].every((name) => process.env[name] === undefined);
// The benchmark runs compiled (see package.json), from the package's root.
const RESULTS = path.resolve('bench', 'RESULTS.md');
// Compare-and-set is measured at 1 and 16 (transactions are not coalesced).
const TXN_CONCURRENCY = 16;
// Rounds of the 2,000 watches cell: its memory swings from round to round.
const WATCHES_ROUNDS = QUICK ? 1 : 3;

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const startedAt = Date.now();
  const tables: Table[] = [];
  const targets: Target[] = [];
  const cluster = await EtcdCluster.start({ size: 1 });
  const endpoint = cluster.endpoints[0];
  const clients = openClients(endpoint);
  const bare = new BareGateway(endpoint);
  let etcdVersion = '?';
  try {
    etcdVersion = (await lastValueFrom(clients.rx.endpointStatus())).version;
    await checkEveryClientWorks(clients);
    const serverPid = cluster.members[0].pid;
    const cell = async (operation: KvOperation, concurrency: number): Promise<Cell> => {
      for (const client of RUN_CLIENTS) await runPhase(clients.kv[client][operation], concurrency, WARMUP_MS);
      const results = Object.fromEntries(CLIENTS.map((client) => [client, []])) as unknown as Cell['results'];
      for (let round = 0; round < ROUNDS; round++) {
        // Reversing the order every round spreads drift in load over every client; a collection
        // before each phase keeps one client's garbage from being charged to the next one's CPU.
        const order = round % 2 === 0 ? RUN_CLIENTS : [...RUN_CLIENTS].reverse();
        for (const client of order) {
          collectGarbage();
          results[client].push(await runPhase(clients.kv[client][operation], concurrency, PHASE_MS, serverPid));
        }
      }
      const measured = { operation, concurrency, results };
      console.log(summarize(measured));
      return measured;
    };

    if (ONLY.includes('kv')) {
      for (const operation of OPERATIONS) {
        const cells: Cell[] = [];
        for (const concurrency of concurrenciesOf(operation)) cells.push(await cell(operation, concurrency));
        tables.push(...kvTables(operation, cells));
        targets.push(...kvTargets(operation, cells));
      }
    }
    if (ONLY.includes('list')) {
      const results = await listScenario(clients, bare, QUICK ? 1 : 2, serverPid);
      const of = (pick: (r: ListResult) => number) =>
        Object.fromEntries(LIST_CLIENTS.map((c) => [c, median(results[c].map(pick))])) as Record<(typeof LIST_CLIENTS)[number], number>;
      const time = of((r) => r.ms);
      const memory = of((r) => r.peakMb);
      tables.push(
        measureTable(
          `list a prefix of ${LIST_KEYS.toLocaleString('en')} keys`,
          LIST_CLIENTS,
          [
            ['time (ms)', time],
            ['peak client memory (MB, heap + buffers)', memory],
            ['client CPU (ms)', of((r) => r.clientCpuMs)],
            ['etcd CPU (ms)', of((r) => r.serverCpuMs)],
          ],
          'etcd-rx streams the keys of pages read at one revision (`list`); etcd3 takes every key in one answer (`getAll().prefix().strings()`); bare asks for the whole range in one call. Medians of 2 rounds.',
        ),
      );
      targets.push(
        { what: `list ${LIST_KEYS.toLocaleString('en')} keys: time, etcd-rx / etcd3`, ratio: time.rx / time.etcd3, bound: 1.0, atLeast: false },
        { what: `list ${LIST_KEYS.toLocaleString('en')} keys: peak memory, etcd-rx / etcd3`, ratio: memory.rx / memory.etcd3, bound: 0.25, atLeast: false },
      );
      console.log('list done');
    }
    if (ONLY.includes('watch')) {
      const results = await deliveryScenario(clients, bare, QUICK ? 1 : 2);
      const of = (pick: (r: { ms: number; p99DelayMs: number }) => number) =>
        Object.fromEntries(WATCH_CLIENTS.map((c) => [c, median(results[c].map(pick))])) as Record<(typeof WATCH_CLIENTS)[number], number>;
      const time = of((r) => r.ms);
      tables.push(
        measureTable(
          `a watch over ${WATCHED_PUTS.toLocaleString('en')} puts`,
          WATCH_CLIENTS,
          [
            ['time until every event was seen (ms)', time],
            ['p99 delay from sending a put to its event (ms)', of((r) => r.p99DelayMs)],
          ],
          'The puts are made by the bare client, 32 at a time, the same for both watchers. Medians of 2 rounds.',
        ),
      );
      targets.push({ what: 'watch delivery time, etcd-rx / etcd3', ratio: time.rx / time.etcd3, bound: 1.0, atLeast: false });
      console.log('watch done');
    }
    if (ONLY.includes('watches')) {
      const r = await manyWatchesScenario(bare, endpoint, WATCHES_ROUNDS);
      const row = (pick: (m: ManyWatchesResult) => number) => ({ etcd3: median(r.etcd3.map(pick)), rx: median(r.rx.map(pick)) });
      tables.push(
        measureTable(
          `${WATCHES.toLocaleString('en')} concurrent watches`,
          WATCH_CLIENTS,
          [
            ['time until each watch saw the put to its key (ms)', row((m) => m.ms)],
            ['TCP connections the client holds', row((m) => m.sockets)],
            ['memory they hold (MB, heap + buffers)', row((m) => m.memoryMb)],
          ],
          `A fresh client of each kind; one watch per key, each from the same start revision; then one put to every key. Medians of ${WATCHES_ROUNDS} rounds, the clients alternating.`,
        ),
      );
      targets.push({
        what: `${WATCHES.toLocaleString('en')} watches: memory, etcd-rx / etcd3`,
        ratio: median(r.rx.map((m) => m.memoryMb)) / median(r.etcd3.map((m) => m.memoryMb)),
        bound: 1.0,
        atLeast: false,
      });
      console.log('watches done');
    }
  } finally {
    bare.close();
    await clients.close();
    await cluster.stop();
  }
  if (ONLY.includes('failover')) {
    const r = await failoverScenario();
    const row = (pick: (m: (typeof r)['rx']) => number) => ({ etcd3: pick(r.etcd3), rx: pick(r.rx) });
    tables.push(
      measureTable(
        'failover gap of a writer at concurrency 1 (3 members)',
        ['etcd3', 'rx'],
        [
          ['longest time without an acknowledged put, member SIGKILLed (ms)', row((m) => m.kill.gapMs)],
          ['failed puts, member SIGKILLed', row((m) => m.kill.failedPuts)],
          [`longest time without an acknowledged put, member SIGSTOPped ${FREEZE_MS / 1000} s (ms)`, row((m) => m.freeze.gapMs)],
          ['failed puts, member SIGSTOPped', row((m) => m.freeze.failedPuts)],
        ],
        "The member that answered the writer's last put is broken, after the leadership was moved away from it if it led (so that each client loses its member, not the leader as well); default options of both clients. One round each.",
      ),
    );
  }

  const markdown = render(tables, targets, {
    etcdVersion,
    loadBefore,
    loadAfter: loadAverage(),
    minutes: (Date.now() - startedAt) / 60_000,
  });
  if (FULL_RUN) {
    fs.writeFileSync(RESULTS, markdown);
    console.log(`\nwrote ${path.relative(process.cwd(), RESULTS)}`);
  } else {
    console.log(`\n${markdown}`);
  }
}

/** A goal of one cell: etcd-rx's throughput (or CPU per operation) against another client's. */
interface Goal {
  readonly operation: KvOperation;
  readonly concurrency: number;
  readonly versus: 'bare' | 'etcd3';
  readonly measure: 'ops' | 'cpu';
  readonly bound: number;
}

const GOALS: readonly Goal[] = [
  ...(['get', 'put', 'cas'] as const).flatMap((operation): Goal[] => [
    { operation, concurrency: 1, versus: 'bare', measure: 'ops', bound: 0.9 },
    { operation, concurrency: 1, versus: 'etcd3', measure: 'cpu', bound: 1.0 },
  ]),
  { operation: 'get', concurrency: 1, versus: 'etcd3', measure: 'ops', bound: 0.95 },
  { operation: 'put', concurrency: 1, versus: 'etcd3', measure: 'ops', bound: 0.95 },
  { operation: 'cas', concurrency: 16, versus: 'bare', measure: 'ops', bound: 0.9 },
  ...(['get', 'put'] as const).flatMap((operation): Goal[] => [
    { operation, concurrency: 16, versus: 'etcd3', measure: 'ops', bound: 1.5 },
    { operation, concurrency: 64, versus: 'etcd3', measure: 'ops', bound: 2.5 },
  ]),
  { operation: 'listing', concurrency: 1, versus: 'bare', measure: 'ops', bound: 1.0 },
];

function kvTargets(operation: KvOperation, cells: readonly Cell[]): Target[] {
  return cells.flatMap((cell) => {
    const s = stats(cell);
    return GOALS.filter((g) => g.operation === operation && g.concurrency === cell.concurrency).map((g) => ({
      what: `${OPERATION_NAMES[operation]} c=${cell.concurrency} ${g.measure === 'ops' ? 'ops/s' : 'client CPU per operation'}, etcd-rx / ${g.versus}`,
      ratio: s.rx[g.measure] / s[g.versus][g.measure],
      bound: g.bound,
      atLeast: g.measure === 'ops',
    }));
  });
}

/** The concurrencies a run measures an operation at. */
function concurrenciesOf(operation: KvOperation): number[] {
  if (operation === 'cas') return CONCURRENCIES.filter((c) => c <= TXN_CONCURRENCY);
  if (operation === 'listing') return [1];
  return CONCURRENCIES;
}

interface RunInfo {
  readonly etcdVersion: string;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly minutes: number;
}

function render(tables: readonly Table[], targets: readonly Target[], info: RunInfo): string {
  const names: Record<ClientName, string> = {
    bare: "**bare** is one `http.request` over a keep-alive agent (the wire's limit)",
    fetch: '**node-fetch** is the same call through node-fetch with an AbortSignal (the floor of any node-fetch client)',
    etcd3: '**etcd3** is the gRPC client `etcd3` with its default options',
    rx: '**etcd-rx** is `etcd.get()` / `etcd.put()` / `etcd.compareAndSet()` / `etcd.list()` with its default options (reads and writes coalesced)',
    'rx-off': '**etcd-rx, coalescing off** is the same with `coalesceReads: false, coalesceWrites: false`',
  };
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} in ${info.minutes.toFixed(1)} minutes.`,
    '',
    `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; load average ${info.loadBefore} before, ${info.loadAfter} after. ` +
      // A one-minute load above half the cores before the run means other work shared them.
      (Number.parseFloat(info.loadBefore) > os.cpus().length / 2
        ? 'The machine was shared with other work during the run: absolute figures are noisy; the ratios, measured in alternating phases of one run, are what to compare.'
        : 'Nothing else ran: client and server had the cores to themselves; the ratios, measured in alternating phases of one run, are what to compare.'),
    `- etcd ${info.etcdVersion}, one member on loopback (three for the failover rows), started by the test harness; client and server share the cores`,
    `- Clients: ${CLIENTS.map((client) => names[client]).join('; ')}`,
    `- Throughput cells: ${ROUNDS} rounds, the clients alternating (their order reversed every round), ${PHASE_MS} ms closed-loop phases after a ${WARMUP_MS} ms warm-up of each; medians over the rounds`,
    '- CPU is user + system time per operation: the client is this process (`process.cpuUsage()`), the server is etcd (`/proc/<pid>/stat`, 10 ms ticks). Latency is per operation, from its call to its answer.',
    '',
  ];
  if (targets.length > 0) lines.push(...renderTable(targetTable(targets)));
  for (const table of tables) lines.push(...renderTable(table));
  return lines.join('\n');
}

function list(value: string | undefined, fallback: string[]): string[] {
  return value === undefined
    ? fallback
    : value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
