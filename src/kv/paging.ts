/**
 * A listing cut into pages, all read at the revision of the first: the one place that knows how
 * to ask for the page after another. `list`, `scan` and `scanPages` differ only in when they ask.
 */
import { concat, defer, EMPTY, firstValueFrom, from, map, mergeMap, Observable, ObservableInput } from 'rxjs';
import { KeyValue } from './key-value';
import { encodeSelector, KeySelector } from './key-selector';
import { RangeOptions, RangeResult } from './range';
import { checkCount, optionsOf } from '../validate';
import { CallOptions } from '../call-options';

/** Options of a paged listing (`list`, `scan`, `scanPages`); `deadlineMs` applies to each page, `signal` to the whole listing. */
export interface ListOptions extends CallOptions {
  /**
   * Keys per page (default 1000). `scan` and `scanPages` fetch one page per request and hold one
   * at a time; `list` asks for up to five pages in its first request (a listing that small is one
   * request) and fetches the rest in parts of about a page, four at a time: it holds five pages at most.
   */
  readonly pageSize?: number;
  /** List the store as it was at this revision (default: the revision of the first page). */
  readonly revision?: number;
  /** Read a member's local state instead of a linearizable read. */
  readonly serializable?: boolean;
  /** Fetch the keys without their values. */
  readonly keysOnly?: boolean;
}

/** A range of keys, `[from, to)`; `to` undefined at the end of the key space. */
export interface Span {
  readonly from: Buffer;
  readonly to: Buffer | undefined;
}

/** One page of a listing, and where the next one starts. */
export interface Page {
  readonly kvs: readonly KeyValue[];
  /** The revision every page is read at. */
  readonly revision: number;
  /** How many keys the range this page was asked from holds, this page's included. */
  readonly count: number;
  /** The range of the rest, or undefined when this page is the last. */
  readonly rest: Span | undefined;
}

/** How a listing reads one range request. */
export type RangeReader = (selector: KeySelector, options: RangeOptions) => Observable<RangeResult>;

const ZERO = Buffer.from([0]);

/**
 * The pages of `selector`, each fetched by `pageAt`: the first with `pageAt(first)`, every other
 * with `pageAt(previous.rest)`. Validates the options (EtcdInvalidArgumentError, thrown: call it
 * inside `defer` or an async function).
 * @example const pages = paging(reader, { prefix: 'jobs/' }, { pageSize: 500 }, 'scan'); pages.first()
 */
export function paging(read: RangeReader, selector: KeySelector, given: ListOptions | undefined, what: string) {
  const options: ListOptions = optionsOf(given, what);
  const limit = checkCount(options.pageSize ?? 1000, 'pageSize', 1);
  const fetch = (at: KeySelector, revision: number | undefined, keys = limit): Observable<Page> =>
    read(at, {
      limit: keys,
      revision,
      serializable: options.serializable,
      keysOnly: options.keysOnly,
      deadlineMs: options.deadlineMs,
      signal: options.signal,
    }).pipe(
      map((result) => {
        const last = result.kvs[result.kvs.length - 1];
        const more = result.more && last !== undefined;
        const rest = more ? { from: Buffer.concat([last.keyBuffer, ZERO]), to: endOf(at) } : undefined;
        return { kvs: result.kvs, revision: revision ?? result.header.revision, count: result.count, rest };
      }),
    );
  return {
    /** Keys per page. */
    pageSize: limit,
    /** Whether the listing reads a member's local state. */
    serializable: options.serializable === true,
    /** The first page; `keys` sets its size (a listing fetched in parallel asks for several pages' worth). */
    first: (keys?: number): Observable<Page> => fetch(selector, options.revision, keys),
    /** The first page of `span` (the rest after a page, or a part of the listing), at the listing's revision; `keys` sets its size. */
    after: (span: Span, revision: number, keys?: number): Observable<Page> => fetch(span, revision, keys),
  };
}

/** Where a selector's range ends: undefined for the end of the key space. */
function endOf(selector: KeySelector): Buffer | undefined {
  const rangeEnd = encodeSelector(selector).range_end;
  const to = rangeEnd === undefined ? undefined : Buffer.from(rangeEnd, 'base64');
  return to === undefined || to.equals(ZERO) ? undefined : to;
}

/** A listing's pages, as `paging` gives them. */
export type Paging = ReturnType<typeof paging>;

/**
 * Runs `work` on each page in turn, asking for the next page only once the work on the previous
 * one has completed: however slow the work, at most one page waits in memory.
 * @example pagedWork(paging(reader, { prefix: 'jobs/' }, {}, 'scanPages'), (kvs) => handle(kvs))
 */
export function pagedWork<R>(pages: Paging, work: (kvs: readonly KeyValue[]) => ObservableInput<R>): Observable<R> {
  const workFrom = (page$: Observable<Page>): Observable<R> =>
    page$.pipe(
      mergeMap((page) => {
        const rest = page.rest;
        return concat(from(work(page.kvs)), rest === undefined ? EMPTY : defer(() => workFrom(pages.after(rest, page.revision))));
      }),
    );
  return workFrom(pages.first());
}

/**
 * The keys of the pages, one at a time, asking for the next page only when the consumer has
 * taken every key of the current one.
 * Bad options are thrown by the first `next()`.
 * @example for await (const kv of pagedKeys(() => paging(reader, { prefix: 'jobs/' }, {}, 'scan'))) console.log(kv.key)
 */
export async function* pagedKeys(pages: () => Paging): AsyncGenerator<KeyValue, void, undefined> {
  const listing = pages();
  let page = await firstValueFrom(listing.first());
  for (;;) {
    yield* page.kvs;
    if (page.rest === undefined) return;
    page = await firstValueFrom(listing.after(page.rest, page.revision));
  }
}

/**
 * The keys of every page, as one stream.
 * @example keysOfPages(parallelPages(pages, countPart)).subscribe((kv) => console.log(kv.key))
 */
export function keysOfPages(pages: Observable<Page>): Observable<KeyValue> {
  return pages.pipe(mergeMap((page) => from(page.kvs)));
}
