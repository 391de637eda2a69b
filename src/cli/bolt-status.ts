/**
 * What `etcdctl snapshot status` tells of a snapshot file, read straight from the bbolt database
 * it is: the CRC-32C of every bucket name, key and value, the store's revision (the last key of
 * the `key` bucket), the number of keys and the database size.
 */

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

/**
 * Reads the status of a bbolt file held in `db`; throws an Error saying what is wrong when it is
 * not one (or is cut).
 * @example snapshotStatus(fs.readFileSync('backup.db')).revision
 */
export function snapshotStatus(db: Buffer): SnapshotStatus {
  const meta = newestMeta(db);
  const crc = new Crc32c();
  let revision = 0;
  let totalKey = 0;
  forEachEntry(db, meta.pageSize, { page: meta.root }, (name, value, flags) => {
    if ((flags & BUCKET_LEAF) === 0) return;
    crc.update(name);
    const isKeyBucket = name.toString('latin1') === 'key';
    forEachEntry(db, meta.pageSize, bucketRoot(value), (key, entry) => {
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

function newestMeta(db: Buffer): Meta {
  const read = (offset: number): Meta | undefined => {
    if (db.length < offset + PAGE_HEADER + 64) return undefined;
    const m = offset + PAGE_HEADER;
    if (db.readUInt32LE(m) !== MAGIC) return undefined;
    return {
      pageSize: db.readUInt32LE(m + 8),
      root: Number(db.readBigUInt64LE(m + 16)),
      highWater: Number(db.readBigUInt64LE(m + 40)),
      txid: db.readBigUInt64LE(m + 48),
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

function forEachEntry(db: Buffer, pageSize: number, root: Root, visit: (key: Buffer, value: Buffer, flags: number) => void): void {
  const page = 'inline' in root ? root.inline : db.subarray(root.page * pageSize);
  if (page.length < PAGE_HEADER) throw new Error('the database is cut short');
  const flags = page.readUInt16LE(8);
  const count = page.readUInt16LE(10);
  for (let i = 0; i < count; i++) {
    const element = PAGE_HEADER + i * 16;
    if (flags & BRANCH) {
      forEachEntry(db, pageSize, { page: Number(page.readBigUInt64LE(element + 8)) }, visit);
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

/** CRC-32 with the Castagnoli polynomial, as Go's hash/crc32 computes it. */
class Crc32c {
  private static readonly table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  private crc = 0xffffffff;

  update(bytes: Buffer): void {
    let crc = this.crc;
    for (const byte of bytes) crc = Crc32c.table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    this.crc = crc;
  }

  digest(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
