/**
 * What the watch specs measure from outside the client: the server's watch gauges, the sockets
 * and timers this process holds, and a writer whose every acknowledged revision is known.
 */
import * as http from 'http';
import { Socket } from 'net';
import { firstValueFrom, lastValueFrom, Observable, Subscription, toArray } from 'rxjs';
import { Etcd, EtcdOutcomeUnknownError, WatchBatch } from '../../src';
import { EtcdMember } from '../../src/testing';

/** A member's watch gauges, read from its `/metrics`. */
export interface WatchGauges {
  /** Watch streams open on the member (one per WebSocket or streaming HTTP watch request). */
  readonly streams: number;
  /** Server-side watches on the member. */
  readonly watchers: number;
}

/**
 * Reads a member's watch gauges (it must be running and not frozen). A one-off connection with a
 * socket timeout leaves no timer or socket behind, so tests can count the client's own.
 */
export async function watchGauges(member: EtcdMember): Promise<WatchGauges> {
  const text = await new Promise<string>((resolve, reject) => {
    const request = http.get(`${member.clientUrl}/metrics`, { agent: false, timeout: 5000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        resolve(Buffer.concat(chunks).toString());
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${member.clientUrl}/metrics did not answer`)));
    request.on('error', reject);
  });
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { streams: gauge('etcd_debugging_mvcc_watch_stream_total'), watchers: gauge('etcd_debugging_mvcc_watcher_total') };
}

/** The sockets this process has open to the given client URLs. */
export function socketsTo(urls: readonly string[]): Socket[] {
  const ports = new Set(urls.map((url) => Number(new URL(url).port)));
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h): h is Socket => h instanceof Socket && !h.destroyed && ports.has(h.remotePort ?? -1));
}

/** Every batch a watch emits, kept as it arrives, and how it ended, if it did. */
export class Recorder {
  readonly batches: WatchBatch[] = [];
  error: unknown;
  completed = false;
  private readonly subscription: Subscription;

  constructor(watch: Observable<WatchBatch>) {
    this.subscription = watch.subscribe({
      next: (b) => this.batches.push(b),
      error: (e: unknown) => (this.error = e),
      complete: () => (this.completed = true),
    });
  }

  get revisions(): number[] {
    return this.batches.map((b) => b.revision);
  }

  get lastRevision(): number {
    return this.batches.length === 0 ? 0 : this.batches[this.batches.length - 1].revision;
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

/** What a writer saw. */
export interface WriteReport {
  /** Revisions of acknowledged puts. */
  readonly acknowledged: number[];
  /** Puts whose outcome is unknown (they may or may not have been applied). */
  readonly unknown: number;
  readonly errors: Error[];
}

/**
 * Puts `count` fresh keys under `prefix`, at most `concurrency` in flight, through the client's
 * own put (with its failover). `onProgress` is told how many are acknowledged so far.
 * @example const report = await writeKeys(etcd, 'w/', 10_000, 24)
 */
export async function writeKeys(etcd: Etcd, prefix: string, count: number, concurrency: number, onProgress?: (done: number) => void): Promise<WriteReport> {
  const acknowledged: number[] = [];
  const errors: Error[] = [];
  let unknown = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const key = `${prefix}${String(next++).padStart(6, '0')}`;
      try {
        acknowledged.push((await firstValueFrom(etcd.put(key, 'v'))).revision);
        onProgress?.(acknowledged.length);
      } catch (error) {
        if (error instanceof EtcdOutcomeUnknownError) unknown++;
        else errors.push(error as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { acknowledged, unknown, errors };
}

/** The modRevision of every key under `prefix` now, sorted: the revisions a watch of it must deliver. */
export async function storedRevisions(etcd: Etcd, prefix: string): Promise<number[]> {
  const kvs = await lastValueFrom(etcd.list({ prefix }).pipe(toArray()));
  return kvs.map((kv) => kv.modRevision).sort((a, b) => a - b);
}
