/**
 * Cuts the rest of a listing into parts of about one page each, by counting: the keys between
 * candidate cuts are counted at the listing's revision (`count_only` ranges, many in one
 * read-only txn, so that etcd walks each key once per round and sends back numbers, not keys),
 * parts that still hold too many keys are cut finer in a next round. The parts can then be
 * fetched in parallel, and each page walks only its own part: etcd 3.4 counts every key from a
 * page's start to its range's end, which makes paging one range quadratic in its pages.
 */
import { forkJoin, map, Observable, of, switchMap } from 'rxjs';
import { cutsBetween } from './key-scale';

/** Consecutive parts of a key range: `[from, to)`, `to` undefined at the end of the key space. */
export interface Part {
  readonly from: Buffer;
  readonly to: Buffer | undefined;
  /** How many keys it holds at the listing's revision. */
  readonly count: number;
}

/** Counts the keys of each part (`[from, to)`) at the listing's revision, in order. */
export type PartCounter = (parts: readonly { readonly from: Buffer; readonly to: Buffer | undefined }[]) => Observable<readonly number[]>;

/** Ranges counted per txn: etcd's default `--max-txn-ops`. */
export const MAX_TXN_OPS = 128;
/** Rounds of counting before the parts are fetched as they are (an oversized part is paged). */
const ROUNDS = 3;
/** A part of more than this many pages is cut again. */
const OVERSIZE = 2;

/**
 * Parts of about `pageSize` keys covering `whole` (which holds `whole.count` keys), cut along the
 * alphabet of `sample` (keys of the range, e.g. its first page).
 * @example splitRange({ from, to, count: 100_000 }, 1000, firstPageKeys, counter).subscribe((parts) => fetchEach(parts))
 */
export function splitRange(whole: Part, pageSize: number, sample: readonly Buffer[], count: PartCounter): Observable<readonly Part[]> {
  const round = (parts: readonly Part[], left: number): Observable<readonly Part[]> => {
    const cut = parts.flatMap((part) => (part.count > OVERSIZE * pageSize ? cutPart(part, pageSize, sample) : [part]));
    if (cut.length === parts.length) return of(parts);
    return countParts(cut, count).pipe(switchMap((counted) => (left > 1 ? round(counted, left - 1) : of(counted))));
  };
  return round([whole], ROUNDS).pipe(map((parts) => joinSmall(parts, pageSize)));
}

/** The part cut into about count/pageSize pieces, not yet counted (count NaN); the part itself when it cannot be cut. */
function cutPart(part: Part, pageSize: number, sample: readonly Buffer[]): Part[] {
  const cuts = cutsBetween(part.from, part.to, Math.min(MAX_TXN_OPS - 1, Math.ceil(part.count / pageSize) - 1), sample);
  if (cuts.length === 0) return [part];
  const bounds = [part.from, ...cuts];
  return bounds.map((from, i) => ({ from, to: i + 1 < bounds.length ? bounds[i + 1] : part.to, count: Number.NaN }));
}

/** Counts the parts that are not counted yet, MAX_TXN_OPS per request, all requests at once. */
function countParts(parts: readonly Part[], count: PartCounter): Observable<readonly Part[]> {
  const unknown = parts.filter((part) => Number.isNaN(part.count));
  const batches: Part[][] = [];
  for (let i = 0; i < unknown.length; i += MAX_TXN_OPS) batches.push(unknown.slice(i, i + MAX_TXN_OPS));
  return forkJoin(batches.map((batch) => count(batch))).pipe(
    map((counts) => {
      const found = new Map<Part, number>();
      counts.forEach((batchCounts, b) => batches[b].forEach((part, i) => found.set(part, batchCounts[i])));
      return parts.map((part) => (found.has(part) ? { ...part, count: found.get(part) ?? 0 } : part));
    }),
  );
}

/** Neighbouring parts joined while together they fit one page; empty parts vanish into a neighbour. */
function joinSmall(parts: readonly Part[], pageSize: number): Part[] {
  const joined: Part[] = [];
  for (const part of parts) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.count + part.count <= pageSize) joined[joined.length - 1] = { from: last.from, to: part.to, count: last.count + part.count };
    else joined.push(part);
  }
  return joined;
}
