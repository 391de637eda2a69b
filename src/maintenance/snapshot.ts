/**
 * The backup of a member's whole database, streamed (`/v3/maintenance/snapshot`), and a helper
 * that writes it to a file and checks it: etcd ends the stream with the SHA-256 of everything
 * before it, which `etcdctl snapshot restore` checks again.
 */
import type * as crypto from 'crypto';
import { createWriteStream, rename, rm } from 'fs';
import { concatMap, defer, from, map, Observable, of } from 'rxjs';
import { CallOptions } from '../call-options';
import { heldTo } from '../resilience/held-to';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError, EtcdProtocolError } from '../errors';
import { EndpointPool } from '../resilience/endpoint-pool';
import { decodeBytes, decodeInt } from '../transport/codec';
import { SnapshotChunk, SnapshotSaved } from './types';

const SHA256_LENGTH = 32;

/**
 * Snapshot calls.
 * @example new Snapshots(pool).save('backup.db').subscribe((s) => console.log(s.size))
 */
export class Snapshots {
  constructor(private readonly pool: EndpointPool) {}

  /** Streams the database of `endpoint` (default: the client's current choice) as chunks. */
  stream(endpoint?: string): Observable<SnapshotChunk> {
    return this.pool.ifOpen(() => {
      const chosen = endpoint === undefined ? this.pool.pick(new Set()) : this.pool.named(endpoint);
      const exchange = { kind: 'lines', path: '/v3/maintenance/snapshot', body: {} } as const;
      return this.pool.send({ method: 'maintenance/snapshot', endpoint: chosen, attempt: 1, exchange }).pipe(
        map((result) => ({
          endpoint: chosen.url,
          bytes: decodeBytes(typeof result.blob === 'string' ? result.blob : undefined),
          remainingBytes: decodeInt(result.remaining_bytes, 'remaining_bytes'),
        })),
      );
    });
  }

  /**
   * Writes the snapshot to `file` (through `file.part`, renamed once complete and checked), and
   * emits what was saved. A stream that ends early or whose SHA-256 does not match fails with
   * EtcdProtocolError and leaves no file; so does unsubscribing, an aborted signal or a passed
   * deadline before the end.
   */
  save(file: string, options: { endpoint?: string } & CallOptions = {}): Observable<SnapshotSaved> {
    return defer(() => {
      if (typeof file !== 'string' || file === '') throw new EtcdInvalidArgumentError(`snapshot file must be a path, got ${describe(file)}`);
      return heldTo(writeChecked(this.stream(options.endpoint), file), options, this.pool.clock);
    });
  }
}

function writeChecked(chunks: Observable<SnapshotChunk>, file: string): Observable<SnapshotSaved> {
  return new Observable<SnapshotSaved>((subscriber) => {
    const part = `${file}.part`;
    const out = createWriteStream(part, { mode: 0o600 });
    // Loaded here, not at start-up: crypto is costly to load and only a snapshot needs it.
    const hash = (require('crypto') as typeof crypto).createHash('sha256');
    // The last 32 bytes seen are held back from the hash: they may be the SHA-256 itself.
    let tail = Buffer.alloc(0);
    let size = 0;
    let endpoint = '';
    let done = false;
    // The file is opened asynchronously: removed before the open completes, it would come back.
    const removePart = (then: () => void) => {
      out.destroy();
      if (out.closed) rm(part, { force: true }, then);
      else out.once('close', () => rm(part, { force: true }, then));
    };
    const fail = (error: unknown) => {
      done = true;
      removePart(() => subscriber.error(error));
    };
    out.on('error', fail);
    const subscription = chunks
      .pipe(
        concatMap((chunk) => {
          endpoint = chunk.endpoint;
          size += chunk.bytes.length;
          const joined = Buffer.concat([tail, chunk.bytes]);
          const cut = Math.max(0, joined.length - SHA256_LENGTH);
          hash.update(joined.subarray(0, cut));
          tail = Buffer.from(joined.subarray(cut));
          // Back-pressure: wait for the disk when it is slower than the network.
          return out.write(chunk.bytes) ? of(undefined) : from(new Promise<void>((resolve) => out.once('drain', resolve)));
        }),
      )
      .subscribe({
        error: fail,
        complete: () => {
          const expected = hash.digest();
          if (tail.length < SHA256_LENGTH || !expected.equals(tail)) {
            fail(
              new EtcdProtocolError(`the snapshot from ${endpoint || 'etcd'} is damaged: its SHA-256 does not match its content (${size} bytes received)`, {
                endpoint,
              }),
            );
            return;
          }
          out.end(() =>
            rename(part, file, (error) => {
              if (error !== null) return fail(error);
              done = true;
              subscriber.next({ file, endpoint, size, sha256: tail.toString('hex') });
              subscriber.complete();
            }),
          );
        },
      });
    return () => {
      subscription.unsubscribe();
      if (!done) removePart(() => undefined);
    };
  });
}
