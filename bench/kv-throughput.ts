/**
 * `npm run bench`: put and get throughput of etcd-rx against a bare gateway call (the wire's
 * limit) and the same bare call through node-fetch (the floor of a node-fetch client) on a
 * one-member etcd, at concurrency 1, 16 and 64, alternating the clients over several rounds;
 * writes the medians to bench/RESULTS.md.
 *
 * `npm run bench -- --quick` (or BENCH_QUICK=1) makes a short run that only prints its table.
 * BENCH_OPS=put,get and BENCH_CONCURRENCY=1,16,64 narrow a run (a narrowed run only prints too).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom } from 'rxjs';
import { Etcd } from '../src';
import { EtcdCluster } from '../src/testing';
import { BareGateway, NodeFetchGateway } from './bare-gateway';
import { Operation, runPhase } from './phase';
import { Cell, CLIENTS, ClientName, renderResults, RunInfo, summarize } from './report';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const ROUNDS = QUICK ? 2 : 5;
const PHASE_MS = QUICK ? 500 : 2000;
const WARMUP_MS = QUICK ? 200 : 500;
const OPERATIONS = list(process.env.BENCH_OPS, ['put', 'get']);
const CONCURRENCIES = list(process.env.BENCH_CONCURRENCY, ['1', '16', '64']).map(Number);
const FULL_RUN = !QUICK && process.env.BENCH_OPS === undefined && process.env.BENCH_CONCURRENCY === undefined;
// The benchmark runs compiled (see package.json), from the package's root.
const RESULTS = path.resolve('bench', 'RESULTS.md');

// Enough distinct keys that puts at concurrency 64 do not all hit one key; small values, like config.
const KEY_COUNT = 256;
const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `bench/key-${String(i).padStart(4, '0')}`);
const VALUE = 'x'.repeat(64);

type Client = Record<'put' | 'get', Operation>;

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const cluster = await EtcdCluster.start({ size: 1 });
  const endpoint = cluster.endpoints[0];
  const etcd = new Etcd({ endpoints: [endpoint] });
  const bare = new BareGateway(endpoint);
  const viaFetch = new NodeFetchGateway(endpoint);
  try {
    const etcdVersion = (await lastValueFrom(etcd.status())).version;
    const gatewayClient = (gateway: BareGateway | NodeFetchGateway): Client => ({
      put: (i) => gateway.post('/v3/kv/put', { key: base64(KEYS[i % KEY_COUNT]), value: base64(VALUE) }),
      get: (i) => gateway.post('/v3/kv/range', { key: base64(KEYS[i % KEY_COUNT]) }),
    });
    const clients: Record<ClientName, Client> = {
      bare: gatewayClient(bare),
      fetch: gatewayClient(viaFetch),
      rx: {
        put: (i) => lastValueFrom(etcd.put(KEYS[i % KEY_COUNT], VALUE)),
        get: (i) => lastValueFrom(etcd.get(KEYS[i % KEY_COUNT])),
      },
    };
    await checkEveryClientWorks(clients, etcd);

    const serverPid = cluster.members[0].pid;
    const cells: Cell[] = [];
    for (const operation of OPERATIONS) {
      if (operation !== 'put' && operation !== 'get') throw new Error(`BENCH_OPS: unknown operation ${operation}`);
      for (const concurrency of CONCURRENCIES) {
        for (const client of CLIENTS) await runPhase(clients[client][operation], concurrency, WARMUP_MS);
        const cell: Cell = { operation, concurrency, results: { bare: [], fetch: [], rx: [] } };
        for (let round = 0; round < ROUNDS; round++) {
          // Reversing the order every round spreads drift in load and GC debt over every client.
          const order = round % 2 === 0 ? CLIENTS : [...CLIENTS].reverse();
          for (const client of order) cell.results[client].push(await runPhase(clients[client][operation], concurrency, PHASE_MS, serverPid));
        }
        console.log(summarize(cell));
        cells.push(cell);
      }
    }

    const info: RunInfo = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      node: process.version,
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      etcdVersion,
      command: QUICK ? 'npm run bench -- --quick' : 'npm run bench',
      rounds: ROUNDS,
      phaseMs: PHASE_MS,
      warmupMs: WARMUP_MS,
      loadBefore,
      loadAfter: loadAverage(),
    };
    const markdown = renderResults(info, cells);
    if (FULL_RUN) {
      fs.writeFileSync(RESULTS, markdown);
      console.log(`\nwrote ${path.relative(process.cwd(), RESULTS)}`);
    } else {
      console.log(`\n${markdown}`);
    }
  } finally {
    await etcd.close();
    bare.close();
    viaFetch.close();
    await cluster.stop();
  }
}

/** Every client must really do the operation, or the comparison means nothing. */
async function checkEveryClientWorks(clients: Record<ClientName, Client>, etcd: Etcd): Promise<void> {
  for (let i = 0; i < KEY_COUNT; i++) await clients.bare.put(i);
  const viaRx = await lastValueFrom(etcd.get(KEYS[0]));
  if (!viaRx.some || viaRx.val.value !== VALUE) throw new Error('etcd-rx did not read back what the bare client wrote');
  const viaBare = (await clients.bare.get(1)) as { kvs?: { value?: string }[] };
  if (viaBare.kvs?.[0]?.value !== base64(VALUE)) throw new Error('the bare client did not read back what it wrote');
  const viaFetch = (await clients.fetch.get(2)) as { kvs?: { value?: string }[] };
  if (viaFetch.kvs?.[0]?.value !== base64(VALUE)) throw new Error('the node-fetch client did not read back what the bare client wrote');
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function list(value: string | undefined, fallback: string[]): string[] {
  return value === undefined ? fallback : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
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
