/**
 * etcd-rx's own CPU and garbage per call, apart from the wire's: node-fetch is answered by a stub
 * (node-fetch's own Response over a stream, one turn of the event loop later), and `get`, `put`
 * and compare-and-set run one after another (concurrency 1) in alternating rounds, for each build
 * given and for the stub alone. Give builds compiled by tsc (tsx names every closure, which adds
 * garbage), and run with `--expose-gc`:
 *
 *   npx tsc -p tsconfig.build.json --outDir /tmp/after
 *   node --expose-gc --import tsx bench/call-cost.ts /tmp/before /tmp/after
 */
import * as path from 'path';
import { PassThrough } from 'stream';
import * as v8 from 'v8';
import { lastValueFrom, Observable } from 'rxjs';
import { collectGarbage } from './memory';
import { median } from './phase';

/** The part of etcd-rx a build is measured through. */
interface Client {
  get(key: string): Observable<unknown>;
  put(key: string, value: string): Observable<unknown>;
  compareAndSet(key: string, value: string, expected: { value: string }): Observable<unknown>;
}

type Call = () => Promise<unknown>;

const HEADER = '"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"1234","raft_term":"2"}';
const KEY = 'bench/key-0001';
const VALUE = 'x'.repeat(64);
const ANSWERS: Readonly<Record<string, string>> = {
  '/v3/kv/range': `{${HEADER},"kvs":[{"key":"${base64(KEY)}","create_revision":"5","mod_revision":"1234","version":"100","value":"${base64(VALUE)}"}],"count":"1"}`,
  '/v3/kv/put': `{${HEADER}}`,
  '/v3/kv/txn': `{${HEADER},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"1234"}}}]}`,
  '/version': '{"etcdserver":"3.4.0","etcdcluster":"3.4.0"}',
};
const CALLS = Number(process.env.CALLS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

// The transport's one import of node-fetch reads `default` at every call: the stub takes its place.
const nodeFetch = require('node-fetch') as { default: unknown; Response: new (body: PassThrough, init: { status: number }) => unknown };

function stubFetch(url: string): Promise<unknown> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const body = new PassThrough();
      body.end(Buffer.from(ANSWERS[url.slice(url.indexOf('/', 'http://'.length))]));
      resolve(new nodeFetch.Response(body, { status: 200 }));
    }),
  );
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function callsOf(client: Client): Record<string, Call> {
  return {
    get: () => lastValueFrom(client.get(KEY)),
    put: () => lastValueFrom(client.put(KEY, VALUE)),
    cas: () => lastValueFrom(client.compareAndSet(KEY, VALUE, { value: VALUE })),
  };
}

async function measure(call: Call): Promise<{ cpuUs: number; bytes: number }> {
  collectGarbage();
  const allocated = v8.getHeapStatistics().total_allocated_bytes;
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await call();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / CALLS, bytes: (v8.getHeapStatistics().total_allocated_bytes - allocated) / CALLS };
}

async function main(): Promise<void> {
  nodeFetch.default = stubFetch;
  const builds = process.argv.slice(2);
  if (builds.length === 0) throw new Error('usage: node --expose-gc --import tsx bench/call-cost.ts <build dir>...');
  const measured: Record<string, Record<string, Call>> = {};
  for (const dir of builds) {
    const { Etcd } = require(path.resolve(dir, 'index.js')) as { Etcd: new (options: { endpoints: string[] }) => Client };
    measured[path.basename(dir)] = callsOf(new Etcd({ endpoints: ['http://127.0.0.1:2379'] }));
  }
  measured['stub alone'] = {
    get: () => stubFetch('http://x/v3/kv/range'),
    put: () => stubFetch('http://x/v3/kv/put'),
    cas: () => stubFetch('http://x/v3/kv/txn'),
  };
  const results: Record<string, { cpuUs: number; bytes: number }[]> = {};
  for (const calls of Object.values(measured)) for (const call of Object.values(calls)) for (let i = 0; i < 2_000; i++) await call();
  for (let round = 0; round < ROUNDS; round++) {
    const names = round % 2 === 0 ? Object.keys(measured) : Object.keys(measured).reverse();
    for (const operation of ['get', 'put', 'cas'])
      for (const name of names) (results[`${operation} ${name}`] ??= []).push(await measure(measured[name][operation]));
  }
  for (const [cell, runs] of Object.entries(results)) {
    const cpu = median(runs.map((run) => run.cpuUs)).toFixed(1);
    const bytes = median(runs.map((run) => run.bytes)).toFixed(0);
    console.log(`${cell.padEnd(24)} ${cpu.padStart(6)} µs CPU ${bytes.padStart(7)} B allocated per call`);
  }
  process.exit(0);
}

void main();
