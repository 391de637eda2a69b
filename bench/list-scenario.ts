/**
 * Listing a prefix of 100,000 keys: how long each client takes and how much memory it holds at
 * its peak. Each client lists the way its users would: etcd-rx streams pages (`list`), etcd3
 * gets everything in one answer (`getAll().prefix()`), the bare calls ask for the whole range.
 */
import { performance } from 'perf_hooks';
import { count, lastValueFrom } from 'rxjs';
import { base64, Clients, prefixEnd, writeKeys } from './clients';
import { BareGateway } from './bare-gateway';
import { measurePeak } from './memory';
import { serverCpuUs } from './phase';

export const LIST_KEYS = 100_000;
const PREFIX = 'bench/list/';
const VALUE = 'v'.repeat(64);

/** One client's listing. */
export interface ListResult {
  readonly ms: number;
  readonly peakMb: number;
  /** CPU time this process spent on the listing. */
  readonly clientCpuMs: number;
  /** CPU time etcd spent on it (NaN when unknown). */
  readonly serverCpuMs: number;
}

/** The clients this scenario compares. */
export const LIST_CLIENTS = ['bare', 'etcd3', 'rx'] as const;
export type ListClient = (typeof LIST_CLIENTS)[number];

/**
 * Writes the keys (in txns of 128 puts), then lists them with each client, alternating, `rounds` times.
 * @example const results = await listScenario(clients, bare, 2)
 */
export async function listScenario(clients: Clients, bare: BareGateway, rounds: number, serverPid?: number): Promise<Record<ListClient, ListResult[]>> {
  await writeKeys(bare, PREFIX, LIST_KEYS, VALUE);
  const end = base64(prefixEnd(PREFIX));
  const listings: Record<ListClient, () => Promise<number>> = {
    bare: async () => ((await bare.post('/v3/kv/range', { key: base64(PREFIX), range_end: end })) as { kvs: unknown[] }).kvs.length,
    etcd3: async () => Object.keys(await clients.etcd3.getAll().prefix(PREFIX).strings()).length,
    rx: () => lastValueFrom(clients.rx.list({ prefix: PREFIX }).pipe(count())),
  };
  const results: Record<ListClient, ListResult[]> = { bare: [], etcd3: [], rx: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? LIST_CLIENTS : [...LIST_CLIENTS].reverse();
    for (const client of order) {
      const server0 = serverCpuUs(serverPid);
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      const { value, peakMb } = await measurePeak(listings[client]);
      const ms = performance.now() - start;
      const cpu = process.cpuUsage(cpu0);
      if (value !== LIST_KEYS) throw new Error(`${client} listed ${value} keys, not ${LIST_KEYS}`);
      results[client].push({ ms, peakMb, clientCpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs: (serverCpuUs(serverPid) - server0) / 1000 });
    }
  }
  return results;
}
