/**
 * The clients the benchmark compares, each behind the same small interface: one `get`, one
 * `put` and one compare-and-set by sequence number, and one listing of 5,000 keys. `bare` is one `http.request` (the wire's
 * limit), `fetch` the same call through node-fetch (the floor of a node-fetch client), `etcd3`
 * the gRPC client, `rx` etcd-rx with its default options, `rx-off` etcd-rx with coalescing off.
 */
import { Etcd3 } from 'etcd3';
import { count, lastValueFrom } from 'rxjs';
import { Etcd, EtcdOptions } from '../src';
import { BareGateway, NodeFetchGateway } from './bare-gateway';
import { Operation } from './phase';

/** The clients, in the order the tables show them. */
export const CLIENTS = ['bare', 'fetch', 'etcd3', 'rx', 'rx-off'] as const;
export type ClientName = (typeof CLIENTS)[number];

/**
 * The operations a throughput cell runs: `get`, `put`, a compare-and-set (a txn: compare the
 * value; put, or else get) and one `listing` of every key under LISTING_PREFIX.
 */
export type KvOperation = 'get' | 'put' | 'cas' | 'listing';

/** One client's operations. */
export type KvClient = Record<KvOperation, Operation>;

// Enough distinct keys that concurrent puts do not all hit one key; small values, like config.
export const KEY_COUNT = 256;
export const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `bench/key-${String(i).padStart(4, '0')}`);
export const VALUE = 'x'.repeat(64);
// What one listing reads: a few pages' worth of mid-sized values.
export const LISTING_KEYS = 5_000;
export const LISTING_VALUE = 'v'.repeat(256);
export const LISTING_PREFIX = 'bench/listing/';
const LISTING_RANGE = { key: base64(LISTING_PREFIX), range_end: base64(prefixEnd(LISTING_PREFIX)) };

const key = (i: number) => KEYS[i % KEY_COUNT];

/** Every client of a run, and how to close them. */
export interface Clients {
  readonly kv: Record<ClientName, KvClient>;
  readonly bare: BareGateway;
  readonly etcd3: Etcd3;
  readonly rx: Etcd;
  close(): Promise<void>;
}

/**
 * Opens every client against one endpoint.
 * @example const clients = openClients('http://127.0.0.1:2379'); ...; await clients.close()
 */
export function openClients(endpoint: string): Clients {
  const bare = new BareGateway(endpoint);
  const viaFetch = new NodeFetchGateway(endpoint);
  const etcd3 = openEtcd3([endpoint]);
  const rx = new Etcd({ endpoints: [endpoint] });
  const rxOff = new Etcd({ endpoints: [endpoint], ...COALESCING_OFF });
  return {
    kv: { bare: gatewayClient(bare), fetch: gatewayClient(viaFetch), etcd3: etcd3Client(etcd3), rx: rxClient(rx), 'rx-off': rxClient(rxOff) },
    bare,
    etcd3,
    rx,
    close: async () => {
      bare.close();
      viaFetch.close();
      etcd3.close();
      await Promise.all([rx.close(), rxOff.close()]);
    },
  };
}

/**
 * An etcd3 client as a user would open it for large answers (gRPC's default 4 MB limit on a
 * received message would refuse a listing of 100,000 keys).
 * @example const etcd3 = openEtcd3(cluster.endpoints)
 */
export function openEtcd3(hosts: string[], options: { ownConnections?: boolean } = {}): Etcd3 {
  // gRPC shares connections between clients of one process unless told to keep its own.
  const own = options.ownConnections === true ? { 'grpc.use_local_subchannel_pool': 1 } : {};
  return new Etcd3({ hosts, grpcOptions: { 'grpc.max_receive_message_length': -1, ...own } });
}

/** etcd-rx's options with every kind of coalescing turned off. */
export const COALESCING_OFF: EtcdOptions = { coalesceReads: false, coalesceWrites: false };

function gatewayClient(gateway: BareGateway | NodeFetchGateway): KvClient {
  return {
    get: (i) => gateway.post('/v3/kv/range', { key: base64(key(i)) }),
    put: (i) => gateway.post('/v3/kv/put', { key: base64(key(i)), value: base64(VALUE) }),
    cas: (i) =>
      gateway.post('/v3/kv/txn', {
        compare: [{ key: base64(key(i)), target: 'VALUE', result: 'EQUAL', value: base64(VALUE) }],
        success: [{ request_put: { key: base64(key(i)), value: base64(VALUE) } }],
        failure: [{ request_range: { key: base64(key(i)) } }],
      }),
    listing: () => gateway.post('/v3/kv/range', LISTING_RANGE).then(countKvs),
  };
}

function etcd3Client(etcd3: Etcd3): KvClient {
  return {
    get: (i) => etcd3.get(key(i)).string(),
    put: (i) => etcd3.put(key(i)).value(VALUE).exec(),
    cas: (i) =>
      etcd3
        .if(key(i), 'Value', '==', VALUE)
        .then(etcd3.put(key(i)).value(VALUE))
        .else(etcd3.get(key(i)))
        .commit(),
    listing: async () => Object.keys(await etcd3.getAll().prefix(LISTING_PREFIX).strings()).length,
  };
}

function rxClient(etcd: Etcd): KvClient {
  return {
    get: (i) => lastValueFrom(etcd.get(key(i))),
    put: (i) => lastValueFrom(etcd.put(key(i), VALUE)),
    // The keys always hold VALUE, so the write is made, as in the other clients' compare-and-set.
    cas: (i) => lastValueFrom(etcd.compareAndSet(key(i), VALUE, { value: VALUE })),
    listing: () => lastValueFrom(etcd.list({ prefix: LISTING_PREFIX }).pipe(count())),
  };
}

/**
 * Every client must really do each operation, or the comparison means nothing: what one wrote,
 * the others read back.
 * @example await checkEveryClientWorks(clients)
 */
export async function checkEveryClientWorks(clients: Clients): Promise<void> {
  for (let i = 0; i < KEY_COUNT; i++) await clients.kv.bare.put(i);
  const rx = await lastValueFrom(clients.rx.get(key(0)));
  if (!rx.some || rx.val.value !== VALUE) throw new Error('etcd-rx did not read back what the bare client wrote');
  if ((await clients.etcd3.get(key(1)).string()) !== VALUE) throw new Error('etcd3 did not read back what the bare client wrote');
  for (const name of ['bare', 'fetch'] as const) {
    const answer = (await clients.kv[name].get(2)) as { kvs?: { value?: string }[] };
    if (answer.kvs?.[0]?.value !== base64(VALUE)) throw new Error(`the ${name} client did not read back what the bare client wrote`);
  }
  await writeKeys(clients.bare, LISTING_PREFIX, LISTING_KEYS, LISTING_VALUE);
  for (const name of CLIENTS) {
    await clients.kv[name].put(3);
    const cas = (await clients.kv[name].cas(4)) as { succeeded?: boolean; ok?: boolean };
    if (cas.succeeded !== true && cas.ok !== true) throw new Error(`the ${name} client's compare-and-set did not write`);
    const listed = await clients.kv[name].listing(0);
    if (listed !== LISTING_KEYS) throw new Error(`the ${name} client listed ${String(listed)} keys, not ${LISTING_KEYS}`);
  }
}

/**
 * A string as the gateway's base64.
 * @example base64('a') // 'YQ=='
 */
export function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

// etcd refuses more than 128 operations in one txn by default.
const TXN_OPS = 128;

/**
 * Writes `total` keys `prefix` + a zero-padded number, each holding `value`, in txns of 128 puts.
 * @example await writeKeys(bare, 'bench/list/', 100_000, 'v'.repeat(64))
 */
export async function writeKeys(bare: BareGateway, prefix: string, total: number, value: string): Promise<void> {
  const txns = Math.ceil(total / TXN_OPS);
  const encodedValue = base64(value);
  let next = 0;
  const worker = async () => {
    for (let t = next++; t < txns; t = next++) {
      const success = [];
      for (let i = t * TXN_OPS; i < Math.min(total, (t + 1) * TXN_OPS); i++) {
        success.push({ request_put: { key: base64(prefix + String(i).padStart(6, '0')), value: encodedValue } });
      }
      await bare.post('/v3/kv/txn', { success });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * The end of the range of keys starting with `prefix` (its last character incremented).
 * @example prefixEnd('a/') // 'a0'
 */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function countKvs(answer: unknown): number {
  return (answer as { kvs?: unknown[] }).kvs?.length ?? 0;
}
