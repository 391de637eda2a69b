/**
 * Watches: one watch following 20,000 puts (how long until it has seen them all, and the delay
 * from sending a put to seeing its event), and 2,000 watches at once (how long until each has
 * seen a put to its key, the sockets they need, the memory they hold). The puts are made by the
 * bare gateway client, the same for every watcher.
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { Subscription } from 'rxjs';
import { Watcher } from 'etcd3';
import { Etcd } from '../src';
import { base64, Clients, openEtcd3 } from './clients';
import { BareGateway } from './bare-gateway';
import { percentile } from './phase';
import { settledUsedMb } from './memory';

export const WATCHED_PUTS = 20_000;
export const WATCHES = 2_000;
const WRITERS = 32;

/** The clients these scenarios compare. */
export const WATCH_CLIENTS = ['etcd3', 'rx'] as const;
export type WatchClient = (typeof WATCH_CLIENTS)[number];

/** One watch following many puts. */
export interface DeliveryResult {
  /** From the first put sent to the last event seen. */
  readonly ms: number;
  /** 99th percentile of the delay from sending a put to seeing its event. */
  readonly p99DelayMs: number;
}

/** Many watches at once. */
export interface ManyWatchesResult {
  /** From opening the first watch to every watch having seen the put to its key. */
  readonly ms: number;
  /** TCP connections to etcd the client holds while its watches run. */
  readonly sockets: number;
  /** Memory held by the open watches, in MB. */
  readonly memoryMb: number;
}

/** Calls `onKey` with the key of every put event until the returned function is called. */
type Follow = (prefix: string, fromRevision: number, onKey: (key: string) => void) => Promise<() => void>;

function followers(clients: Pick<Clients, 'etcd3' | 'rx'>): Record<WatchClient, Follow> {
  return {
    etcd3: async (prefix, fromRevision, onKey) => {
      const watcher: Watcher = await clients.etcd3.watch().prefix(prefix).startRevision(String(fromRevision)).create();
      watcher.on('put', (kv) => onKey(kv.key.toString()));
      return () => void watcher.cancel();
    },
    rx: async (prefix, fromRevision, onKey) => {
      const subscription: Subscription = clients.rx.watch({ prefix }, { startRevision: fromRevision }).subscribe((batch) => {
        for (const event of batch.events) onKey(event.kv.key);
      });
      return () => subscription.unsubscribe();
    },
  };
}

/**
 * Each client watches a fresh prefix while 20,000 puts are made to it, `rounds` times, alternating.
 * @example const results = await deliveryScenario(clients, bare, 2)
 */
export async function deliveryScenario(clients: Clients, bare: BareGateway, rounds: number): Promise<Record<WatchClient, DeliveryResult[]>> {
  const follow = followers(clients);
  const results: Record<WatchClient, DeliveryResult[]> = { etcd3: [], rx: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? WATCH_CLIENTS : [...WATCH_CLIENTS].reverse();
    for (const client of order) {
      const prefix = `bench/watch/${client}-${round}/`;
      const sentAt = new Float64Array(WATCHED_PUTS);
      const delays: number[] = [];
      let allSeen!: () => void;
      const done = new Promise<void>((resolve) => (allSeen = resolve));
      const stop = await follow[client](prefix, (await currentRevision(bare)) + 1, (key) => {
        delays.push(performance.now() - sentAt[Number(key.slice(prefix.length))]);
        if (delays.length === WATCHED_PUTS) allSeen();
      });
      const start = performance.now();
      await putEach(
        bare,
        WATCHED_PUTS,
        (i) => prefix + String(i),
        (i) => (sentAt[i] = performance.now()),
      );
      await done;
      const ms = performance.now() - start;
      stop();
      delays.sort((a, b) => a - b);
      results[client].push({ ms, p99DelayMs: percentile(delays, 0.99) });
    }
  }
  return results;
}

/**
 * Each client, opened afresh, opens 2,000 watches, one per key, and a put is made to each key;
 * `rounds` times, the clients alternating.
 * @example const results = await manyWatchesScenario(bare, 'http://127.0.0.1:2379', 3)
 */
export async function manyWatchesScenario(bare: BareGateway, endpoint: string, rounds: number): Promise<Record<WatchClient, ManyWatchesResult[]>> {
  const results: Record<WatchClient, ManyWatchesResult[]> = { etcd3: [], rx: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? WATCH_CLIENTS : [...WATCH_CLIENTS].reverse();
    for (const client of order) results[client].push(await manyWatches(bare, endpoint, client, `bench/watches/${client}-${round}/`));
  }
  return results;
}

async function manyWatches(bare: BareGateway, endpoint: string, client: WatchClient, prefix: string): Promise<ManyWatchesResult> {
  const etcdPort = Number(new URL(endpoint).port);
  const fresh = { etcd3: openEtcd3([endpoint], { ownConnections: true }), rx: new Etcd({ endpoints: [endpoint] }) };
  const follow = followers(fresh);
  await putEach(bare, WRITERS, (i) => `${prefix}warm-up/${i}`);
  const before = await settledUsedMb();
  // Only connections opened since, and not the writer's, are the watcher's: the other idle
  // keep-alive connections of the process may close meanwhile.
  const socketsBefore = socketsTo(etcdPort);
  let seen = 0;
  let allSeen!: () => void;
  const done = new Promise<void>((resolve) => (allSeen = resolve));
  const from = (await currentRevision(bare)) + 1;
  const start = performance.now();
  const stops = await Promise.all(
    Array.from({ length: WATCHES }, (_, i) =>
      follow[client](`${prefix}${i}/`, from, () => {
        if (++seen === WATCHES) allSeen();
      }),
    ),
  );
  await putEach(bare, WATCHES, (i) => `${prefix}${i}/k`);
  await done;
  const ms = performance.now() - start;
  const sockets = [...socketsTo(etcdPort, bare.localPorts())].filter((inode) => !socketsBefore.has(inode)).length;
  const result = { ms, sockets, memoryMb: (await settledUsedMb()) - before };
  for (const stop of stops) stop();
  fresh.etcd3.close();
  await fresh.rx.close();
  return result;
}

async function putEach(bare: BareGateway, n: number, key: (i: number) => string, beforeSend?: (i: number) => void): Promise<void> {
  let next = 0;
  const value = base64('v');
  const writer = async () => {
    for (let i = next++; i < n; i = next++) {
      beforeSend?.(i);
      await bare.post('/v3/kv/put', { key: base64(key(i)), value });
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

async function currentRevision(bare: BareGateway): Promise<number> {
  const answer = (await bare.post('/v3/kv/range', { key: base64('bench/none') })) as { header: { revision: string } };
  return Number(answer.header.revision);
}

/** The sockets of this process connected to `port` on this host, by inode; `except` names local ports to leave out. */
function socketsTo(port: number, except: ReadonlySet<number> = new Set()): Set<string> {
  const ours = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    const match = /^socket:\[(\d+)\]$/.exec(readLink(`/proc/self/fd/${fd}`));
    if (match) ours.add(match[1]);
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '01' || !ours.has(fields[9])) continue;
      const [local, remote] = [fields[1], fields[2]].map((address) => address.slice(address.lastIndexOf(':') + 1));
      if (remote === hexPort && !except.has(parseInt(local, 16))) found.add(fields[9]);
    }
  }
  return found;
}

function readLink(path: string): string {
  try {
    return fs.readlinkSync(path);
  } catch {
    return ''; // the descriptor closed meanwhile
  }
}
