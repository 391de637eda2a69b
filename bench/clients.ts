/**
 * The clients the benchmark compares, each behind the same small interface: one `get`, one
 * `put` and one 3-operation `txn` by sequence number. `bare` is one `http.request` (the wire's
 * limit), `fetch` the same call through node-fetch (the floor of a node-fetch client), `etcd3`
 * the gRPC client, `rx` etcd-rx with its default options, `rx-off` etcd-rx with coalescing off.
 */
import { Etcd3 } from 'etcd3';
import { lastValueFrom } from 'rxjs';
import { Compare, Etcd, EtcdOptions, Op } from '../src';
import { BareGateway, NodeFetchGateway } from './bare-gateway';
import { Operation } from './phase';

/** The clients, in the order the tables show them. */
export const CLIENTS = ['bare', 'fetch', 'etcd3', 'rx', 'rx-off'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The key-value operations a throughput cell runs. */
export type KvOperation = 'get' | 'put' | 'txn';

/** One client's operations. */
export type KvClient = Record<KvOperation, Operation>;

// Enough distinct keys that concurrent puts do not all hit one key; small values, like config.
export const KEY_COUNT = 256;
export const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `bench/key-${String(i).padStart(4, '0')}`);
export const VALUE = 'x'.repeat(64);
// Always true for the benchmark's keys: the compare every client's txn makes.
const VERSION_BOUND = 1_000_000_000;

const key = (i: number) => KEYS[i % KEY_COUNT];

/** Every client of a run, and how to close them. */
export interface Clients {
  readonly kv: Record<ClientName, KvClient>;
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
    txn: (i) =>
      gateway.post('/v3/kv/txn', {
        compare: [{ key: base64(key(i)), result: 'LESS', target: 'VERSION', version: VERSION_BOUND }],
        success: [
          { request_put: { key: base64(key(i)), value: base64(VALUE) } },
          { request_put: { key: base64(key(i + 1)), value: base64(VALUE) } },
          { request_range: { key: base64(key(i + 2)) } },
        ],
      }),
  };
}

function etcd3Client(etcd3: Etcd3): KvClient {
  return {
    get: (i) => etcd3.get(key(i)).string(),
    put: (i) => etcd3.put(key(i)).value(VALUE).exec(),
    txn: (i) =>
      etcd3
        .if(key(i), 'Version', '<', VERSION_BOUND)
        .then(etcd3.put(key(i)).value(VALUE), etcd3.put(key(i + 1)).value(VALUE), etcd3.get(key(i + 2)))
        .commit(),
  };
}

function rxClient(etcd: Etcd): KvClient {
  return {
    get: (i) => lastValueFrom(etcd.get(key(i))),
    put: (i) => lastValueFrom(etcd.put(key(i), VALUE)),
    txn: (i) =>
      lastValueFrom(
        etcd.txn({
          compare: [Compare.version(key(i), '<', VERSION_BOUND)],
          success: [Op.put(key(i), VALUE), Op.put(key(i + 1), VALUE), Op.get(key(i + 2))],
        }),
      ),
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
  for (const name of CLIENTS) {
    await clients.kv[name].put(3);
    await clients.kv[name].txn(4);
  }
}

/**
 * A string as the gateway's base64.
 * @example base64('a') // 'YQ=='
 */
export function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}
