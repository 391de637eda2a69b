/**
 * Listing a prefix of 100,000 keys: how long each client takes and how much memory it holds at
 * its peak. Each client lists the way its users would: etcd-rx streams pages (`list`), etcd3
 * gets everything in one answer (`getAll().prefix()`), the bare calls ask for the whole range.
 */
import { performance } from 'perf_hooks';
import { count, lastValueFrom } from 'rxjs';
import { base64, Clients } from './clients';
import { BareGateway } from './bare-gateway';
import { measurePeak } from './memory';

export const LIST_KEYS = 100_000;
const PREFIX = 'bench/list/';
const VALUE = 'v'.repeat(64);
// etcd refuses more than 128 operations in one txn by default.
const TXN_OPS = 128;

/** One client's listing. */
export interface ListResult {
  readonly ms: number;
  readonly peakMb: number;
}

/** The clients this scenario compares. */
export const LIST_CLIENTS = ['bare', 'etcd3', 'rx'] as const;
export type ListClient = (typeof LIST_CLIENTS)[number];

/**
 * Writes the keys (in txns of 128 puts), then lists them with each client, alternating, `rounds` times.
 * @example const results = await listScenario(clients, bare, 2)
 */
export async function listScenario(clients: Clients, bare: BareGateway, rounds: number): Promise<Record<ListClient, ListResult[]>> {
  await load(bare);
  const end = base64(PREFIX.slice(0, -1) + String.fromCharCode(PREFIX.charCodeAt(PREFIX.length - 1) + 1));
  const listings: Record<ListClient, () => Promise<number>> = {
    bare: async () => ((await bare.post('/v3/kv/range', { key: base64(PREFIX), range_end: end })) as { kvs: unknown[] }).kvs.length,
    etcd3: async () => Object.keys(await clients.etcd3.getAll().prefix(PREFIX).strings()).length,
    rx: () => lastValueFrom(clients.rx.list({ prefix: PREFIX }).pipe(count())),
  };
  const results: Record<ListClient, ListResult[]> = { bare: [], etcd3: [], rx: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? LIST_CLIENTS : [...LIST_CLIENTS].reverse();
    for (const client of order) {
      const start = performance.now();
      const { value, peakMb } = await measurePeak(listings[client]);
      const ms = performance.now() - start;
      if (value !== LIST_KEYS) throw new Error(`${client} listed ${value} keys, not ${LIST_KEYS}`);
      results[client].push({ ms, peakMb });
    }
  }
  return results;
}

async function load(bare: BareGateway): Promise<void> {
  const txns = Math.ceil(LIST_KEYS / TXN_OPS);
  let next = 0;
  const worker = async () => {
    for (let t = next++; t < txns; t = next++) {
      const success = [];
      for (let i = t * TXN_OPS; i < Math.min(LIST_KEYS, (t + 1) * TXN_OPS); i++) {
        success.push({ request_put: { key: base64(PREFIX + String(i).padStart(6, '0')), value: base64(VALUE) } });
      }
      await bare.post('/v3/kv/txn', { success });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
