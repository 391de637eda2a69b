/**
 * A whole listing, fetched in parallel at one revision: the first request asks for up to
 * FIRST_PAGES pages and answers the revision and how many keys the range holds, so a listing
 * that small is one request, as a single range would be; a rest of a few pages is fetched in one
 * more request, a bigger one is cut into parts of about a page (`splitRange`), which are
 * fetched a few at a time and handed on in key order (`inOrder`).
 */
import { Observable, switchMap } from 'rxjs';
import { inOrder } from './in-order';
import { Page, Paging } from './paging';
import { PartCounter, splitRange } from './range-split';

/**
 * Pages in flight or waiting at once. Two would already keep etcd and this process busy at the
 * same time; a few more let etcd encode pages on several cores while this process decodes.
 */
export const PARALLEL_PAGES = 4;

/**
 * Pages the first request asks for: no more than the first page and the parts in flight would
 * hold later anyway, so a listing that small costs one round trip and no more memory.
 */
export const FIRST_PAGES = 1 + PARALLEL_PAGES;

/**
 * Every page of the listing, in key order, each key once, all at the revision of the first page
 * (or the listing's own). `counter(revision)` counts parts of the range at that revision.
 * @example parallelPages(paging(reader, { prefix: 'jobs/' }, {}, 'list'), (revision) => countAt(revision))
 */
export function parallelPages(pages: Paging, counter: (revision: number) => PartCounter): Observable<Page> {
  return pages.first(FIRST_PAGES * pages.pageSize).pipe(
    switchMap((first) => {
      const { rest, revision } = first;
      if (rest === undefined) return handOn(first, undefined);
      const count = first.count - first.kvs.length;
      // No more than the pages that would be in flight at once: one request, no counting round trip.
      if (count <= PARALLEL_PAGES * pages.pageSize) return handOn(first, pages.after(rest, revision, count));
      // Only the keys are kept for the cuts: the first answer's values go once they are handed on.
      const sample = first.kvs.map((kv) => kv.keyBuffer);
      const parts = splitRange({ ...rest, count }, pages.pageSize, sample, counter(revision));
      const following = parts.pipe(
        switchMap((cut) =>
          inOrder(
            cut.map((part) => pages.after(part, revision)),
            (page) => (page.rest === undefined ? undefined : pages.after(page.rest, revision)),
            PARALLEL_PAGES,
          ),
        ),
      );
      return handOn(first, following);
    }),
  );
}

/**
 * `page`, then the pages of `rest`, for the one subscription a listing makes. The page is let go
 * once handed on: it is a listing's biggest (several pages' worth), and `concat(of(page), rest)`
 * would hold it until the listing ends.
 */
function handOn(page: Page, rest: Observable<Page> | undefined): Observable<Page> {
  let held: Page | undefined = page;
  return new Observable<Page>((subscriber) => {
    if (held !== undefined) subscriber.next(held);
    held = undefined;
    return rest === undefined ? subscriber.complete() : rest.subscribe(subscriber);
  });
}
