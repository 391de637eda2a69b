/**
 * What `etcdctl snapshot status` tells of a snapshot file, read straight from the bbolt database
 * it is: the CRC-32C of every bucket name, key and value, the store's revision (the last key of
 * the `key` bucket), the number of keys and the database size. Pages are read one at a time, where
 * they are, so a database of any size is read in memory of the size of its largest page.
 */
import { closeSync, openSync, readSync } from 'fs';

/** The status of a snapshot file, as etcdctl reports it. */
export interface SnapshotStatus {
  readonly hash: number;
  readonly revision: number;
  readonly totalKey: number;
  readonly totalSize: number;
}

const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const BRANCH = 0x01;
const LEAF = 0x02;
const BUCKET_LEAF = 0x01;

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ReadAt = (position: number, length: number) => Buffer;

/**
 * Reads the status of the bbolt file `file`; throws an Error saying what is wrong when it is not
 * one (or is cut).
 * @example snapshotStatusOfFile('backup.db').revision
 */
export function snapshotStatusOfFile(file: string): SnapshotStatus {
  const fd = openSync(file, 'r');
  try {
    return snapshotStatus((position, length) => {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(fd, buffer, 0, length, position));
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the status of the bbolt database `readAt` reads from.
 * @example snapshotStatus((position, length) => db.subarray(position, position + length))
 */
export function snapshotStatus(readAt: ReadAt): SnapshotStatus {
  const db: Pages = { readAt, pageSize: 0 };
  const meta = newestMeta(readAt);
  db.pageSize = meta.pageSize;
  const crc = new Crc32c();
  let revision = 0;
  let totalKey = 0;
  forEachEntry(db, { page: meta.root }, (name, value, flags) => {
    if ((flags & BUCKET_LEAF) === 0) return;
    crc.update(name);
    const isKeyBucket = name.toString('latin1') === 'key';
    forEachEntry(db, bucketRoot(value), (key, entry) => {
      crc.update(key);
      crc.update(entry);
      // A revision key starts with the main revision, 8 bytes big-endian.
      if (isKeyBucket && key.length >= 8) revision = Number(key.readBigUInt64BE(0));
      totalKey++;
    });
  });
  return { hash: crc.digest(), revision, totalKey, totalSize: meta.highWater * meta.pageSize };
}

type Meta = { pageSize: number; root: number; highWater: number; txid: bigint };
type Root = { page: number } | { inline: Buffer };

/** Where pages are read from, once the page size is known. */
type Pages = { readonly readAt: ReadAt; pageSize: number };

function newestMeta(readAt: ReadAt): Meta {
  const read = (offset: number): Meta | undefined => {
    const meta = readAt(offset + PAGE_HEADER, 64);
    if (meta.length < 64 || meta.readUInt32LE(0) !== MAGIC) return undefined;
    return {
      pageSize: meta.readUInt32LE(8),
      root: Number(meta.readBigUInt64LE(16)),
      highWater: Number(meta.readBigUInt64LE(40)),
      txid: meta.readBigUInt64LE(48),
    };
  };
  const first = read(0);
  if (first === undefined) throw new Error('not a bbolt database (no valid meta page): is this an etcd snapshot?');
  const second = read(first.pageSize);
  return second !== undefined && second.txid > first.txid ? second : first;
}

function bucketRoot(value: Buffer): Root {
  const page = Number(value.readBigUInt64LE(0));
  // A small bucket is stored inline: its one page follows the bucket header in the value.
  return page === 0 ? { inline: value.subarray(16) } : { page };
}

function forEachEntry(db: Pages, root: Root, visit: (key: Buffer, value: Buffer, flags: number) => void): void {
  const page = 'inline' in root ? root.inline : readPage(db, root.page);
  const flags = page.readUInt16LE(8);
  const count = page.readUInt16LE(10);
  for (let i = 0; i < count; i++) {
    const element = PAGE_HEADER + i * 16;
    if (flags & BRANCH) {
      forEachEntry(db, { page: Number(page.readBigUInt64LE(element + 8)) }, visit);
    } else if (flags & LEAF) {
      const start = element + page.readUInt32LE(element + 4);
      const keySize = page.readUInt32LE(element + 8);
      const valueSize = page.readUInt32LE(element + 12);
      visit(page.subarray(start, start + keySize), page.subarray(start + keySize, start + keySize + valueSize), page.readUInt32LE(element));
    } else {
      throw new Error(`page ${'page' in root ? root.page : 'inline'} is neither a branch nor a leaf: the database is damaged`);
    }
  }
}

/** Page `id` with its overflow pages (a page holding more than one page's worth continues into them). */
function readPage(db: Pages, id: number): Buffer {
  const position = id * db.pageSize;
  const first = db.readAt(position, db.pageSize);
  if (first.length < PAGE_HEADER) throw new Error('the database is cut short');
  const overflow = first.readUInt32LE(12);
  if (overflow === 0) return first;
  const whole = db.readAt(position, (overflow + 1) * db.pageSize);
  if (whole.length < (overflow + 1) * db.pageSize) throw new Error('the database is cut short');
  return whole;
}

/** CRC-32 with the Castagnoli polynomial, as Go's hash/crc32 computes it. */
class Crc32c {
  // Made by the first snapshot read, not by every command's start.
  private static table: readonly number[] | undefined;
  private crc = 0xffffffff;

  update(bytes: Buffer): void {
    const table = (Crc32c.table ??= Array.from({ length: 256 }, (_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      return c >>> 0;
    }));
    let crc = this.crc;
    for (const byte of bytes) crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    this.crc = crc;
  }

  digest(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
