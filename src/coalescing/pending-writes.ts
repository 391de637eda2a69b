/**
 * The writes of one client still pending, found by the keys they change. Most writes and reads
 * name one key: those are looked up by it, so that a client with many writes in flight (a burst
 * of puts under load) does not compare each new call with every one of them.
 */

/** The keys a write changes, or a read reads: one key, or the range [key, end) (end undefined: every key from key on). */
export interface KeyRange {
  /** base64, as on the wire. */
  readonly key: string;
  /** base64 range end; absent for one key. */
  readonly rangeEnd: string | undefined;
}

/** A write pending and the calls waiting for it (made when the first one waits: most writes have none). */
export interface PendingWrite {
  readonly ranges: readonly KeyRange[];
  waiting?: Set<() => void>;
}

const NONE: readonly PendingWrite[] = [];

/**
 * Pending writes, indexed by the one keys they change.
 * @example const pending = new PendingWrites(); pending.add(write); pending.writesTo([{ key: 'YQ==', rangeEnd: undefined }])
 */
export class PendingWrites {
  /** Writes of one key, by that key; a write of several keys is under each. */
  private readonly byKey = new Map<string, PendingWrite[]>();
  /** Writes of a range of keys (a range delete). */
  private readonly ranged = new Set<PendingWrite>();
  private readonly all = new Set<PendingWrite>();

  /** How many writes are pending. */
  get size(): number {
    return this.all.size;
  }

  /**
   * Tracks `write` until `delete(write)`.
   * @example pending.add({ ranges: [{ key: 'YQ==', rangeEnd: undefined }], waiting: new Set() })
   */
  add(write: PendingWrite): void {
    this.all.add(write);
    for (const range of write.ranges) {
      if (range.rangeEnd !== undefined) this.ranged.add(write);
      else {
        const writes = this.byKey.get(range.key);
        if (writes === undefined) this.byKey.set(range.key, [write]);
        else if (!writes.includes(write)) writes.push(write);
      }
    }
  }

  /**
   * Takes `write` out; false when it was not pending.
   * @example if (pending.delete(write)) for (const resume of write.waiting) resume()
   */
  delete(write: PendingWrite): boolean {
    if (!this.all.delete(write)) return false;
    this.ranged.delete(write);
    for (const range of write.ranges) {
      const writes = range.rangeEnd === undefined ? this.byKey.get(range.key) : undefined;
      if (writes === undefined) continue;
      const at = writes.indexOf(write);
      if (at >= 0) writes.splice(at, 1);
      if (writes.length === 0) this.byKey.delete(range.key);
    }
    return true;
  }

  /**
   * The pending writes that change a key of `ranges` (a copy: later writes do not join it).
   * @example pending.writesTo([{ key: 'YQ==', rangeEnd: undefined }]).length // writes of "a" pending
   */
  writesTo(ranges: readonly KeyRange[]): readonly PendingWrite[] {
    if (this.all.size === 0) return NONE;
    // The common case: one key, and no range delete pending.
    if (ranges.length === 1 && ranges[0].rangeEnd === undefined && this.ranged.size === 0) return this.byKey.get(ranges[0].key)?.slice() ?? NONE;
    const found = new Set<PendingWrite>();
    for (const range of ranges) {
      if (range.rangeEnd === undefined) for (const write of this.byKey.get(range.key) ?? NONE) found.add(write);
      else for (const [key, writes] of this.byKey) if (overlaps({ key, rangeEnd: undefined }, range)) for (const write of writes) found.add(write);
      for (const write of this.ranged) if (write.ranges.some((written) => overlaps(written, range))) found.add(write);
    }
    return [...found];
  }
}

function overlaps(a: KeyRange, b: KeyRange): boolean {
  // One key against one key, the common case: equal bytes are equal base64.
  if (a.rangeEnd === undefined && b.rangeEnd === undefined) return a.key === b.key;
  const [aFrom, aTo] = bounds(a);
  const [bFrom, bTo] = bounds(b);
  return below(aFrom, bTo) && below(bFrom, aTo);
}

/** A range as [from, to): `to` undefined means no end. */
function bounds(range: KeyRange): [Buffer, Buffer | undefined] {
  const from = Buffer.from(range.key, 'base64');
  if (range.rangeEnd === undefined) return [from, Buffer.concat([from, ZERO])];
  const to = Buffer.from(range.rangeEnd, 'base64');
  // etcd reads a range end of "\0" as "every key from key on".
  return [from, to.length === 1 && to[0] === 0 ? undefined : to];
}

/** Whether `key` lies before the exclusive end `to` (no end: always). */
function below(key: Buffer, to: Buffer | undefined): boolean {
  return to === undefined || Buffer.compare(key, to) < 0;
}

const ZERO = Buffer.from([0]);
