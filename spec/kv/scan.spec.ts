/**
 * Paced listings: `scan` (an async iterable) and `scanPages` (its Rx form) ask for the next page
 * only when the consumer is done with the current one, all pages at one revision; a slow consumer
 * of 20,000 values of 1 KB holds little memory (measured in a child process run with --expose-gc).
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { firstValueFrom, from, lastValueFrom, mergeMap, Observable, toArray } from 'rxjs';
import { promisify } from 'util';
import { Etcd, EtcdInvalidArgumentError, KeyValue, Op } from '../../src';
import { useCluster } from '../support/cluster';

const run = promisify(execFile);
const KEYS = 20_000;
const MB = 1 << 20;

describe('paced listings against a real etcd', () => {
  const cluster = useCluster(1);
  let etcd: Etcd;
  beforeAll(() => {
    etcd = new Etcd({ endpoints: cluster().endpoints });
  });
  afterAll(() => etcd.close());

  /** Writes `count` keys under `prefix`, 100 to a transaction, four transactions at a time. */
  const fill = async (prefix: string, count: number, value: string) => {
    const batches = Array.from({ length: Math.ceil(count / 100) }, (_, b) =>
      Array.from({ length: Math.min(100, count - b * 100) }, (_, i) => Op.put(`${prefix}${String(b * 100 + i).padStart(6, '0')}`, value)),
    );
    await lastValueFrom(
      from(batches).pipe(
        mergeMap((puts) => etcd.txn({ success: puts }), 4),
        toArray(),
      ),
    );
  };

  it('scan lists every key in order, page by page; breaking out of the loop stops it', async () => {
    await fill('scan/', 25, 'v');
    const keys: string[] = [];
    for await (const kv of etcd.scan({ prefix: 'scan/' }, { pageSize: 10 })) keys.push(kv.key);
    expect(keys).toEqual(Array.from({ length: 25 }, (_, i) => `scan/${String(i).padStart(6, '0')}`));
    const firstThree: string[] = [];
    for await (const kv of etcd.scan({ prefix: 'scan/' }, { pageSize: 2 })) {
      firstThree.push(kv.key);
      if (firstThree.length === 3) break;
    }
    expect(firstThree).toEqual(keys.slice(0, 3));
  });

  it('scan reads every page at the revision of the first: a write made meanwhile is not seen', async () => {
    await fill('snap/', 30, 'before');
    const values: string[] = [];
    for await (const kv of etcd.scan({ prefix: 'snap/' }, { pageSize: 10 })) {
      if (values.length === 0) await firstValueFrom(etcd.put('snap/000029', 'after'));
      values.push(kv.value);
    }
    expect(values).toEqual(Array(30).fill('before'));
  });

  it('scanPages runs the work page by page, asking for the next page only once the work on the last one completed', async () => {
    await fill('pages/', 25, 'v');
    const events: string[] = [];
    const work = (kvs: readonly KeyValue[]) =>
      new Observable<number>((subscriber) => {
        events.push(`work on ${kvs.length}`);
        const timer = setTimeout(() => {
          events.push(`done with ${kvs.length}`);
          subscriber.next(kvs.length);
          subscriber.complete();
        }, 20);
        return () => clearTimeout(timer);
      });
    const sizes = await lastValueFrom(etcd.scanPages({ prefix: 'pages/' }, work, { pageSize: 10 }).pipe(toArray()));
    expect(sizes).toEqual([10, 10, 5]);
    expect(events).toEqual(['work on 10', 'done with 10', 'work on 10', 'done with 10', 'work on 5', 'done with 5']);
    const keys = await lastValueFrom(etcd.scanPages({ prefix: 'pages/' }, (kvs) => from(kvs.map((kv) => kv.key)), { pageSize: 7 }).pipe(toArray()));
    expect(keys).toHaveLength(25);
  });

  it('refuses bad options: scan from its first step, scanPages on the error channel', async () => {
    const iterator = etcd.scan({ prefix: 'x/' }, { pageSize: 0 })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBeInstanceOf(EtcdInvalidArgumentError);
    await expect(firstValueFrom(etcd.scanPages({ prefix: 'x/' }, () => [1], { pageSize: -1 }))).rejects.toBeInstanceOf(EtcdInvalidArgumentError);
  });

  it('holds under 15 MB above its baseline while 20,000 values of 1 KB go to a slow consumer, in both forms', async () => {
    await fill('memory/', KEYS, 'x'.repeat(1024));
    const script = path.join(__dirname, 'fixtures', 'scan-memory.ts');
    for (const form of ['scan', 'scanPages']) {
      const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script, cluster().endpoints.join(','), 'memory/', form], {
        cwd: path.join(__dirname, '..', '..'),
        timeout: 240_000,
      });
      const { seen, peakBytes } = JSON.parse(stdout) as { seen: number; peakBytes: number };
      expect(seen).toBe(KEYS);
      expect(peakBytes).toBeLessThan(15 * MB);
      console.log(`${form}: ${KEYS} keys of 1 KB, at most ${(peakBytes / MB).toFixed(1)} MB held above the baseline`);
    }
  }, 300_000);
});
