/** The public types of the KV service: options of get and list, and what compare-and-set and compact answer. */
import { Option } from 'ts-results';
import { Bytes } from '../transport/codec';
import { ResponseHeader } from '../transport/response-header';
import { KeyValue } from './key-value';

/** Options of a single-key get. */
export interface GetOptions {
  readonly revision?: number;
  readonly serializable?: boolean;
}

/** Options of a paged listing. */
export interface ListOptions {
  /** Keys fetched per request (default 1000); memory stays bounded by one page. */
  readonly pageSize?: number;
  /** List the store as it was at this revision (default: the revision of the first page). */
  readonly revision?: number;
  readonly serializable?: boolean;
  readonly keysOnly?: boolean;
}

/**
 * What a compare-and-set expects of the key's current state. `{ version: 0 }` means "absent".
 * Fields may be combined (`{ value: 'a', version: 3 }`): every one must hold. A `KeyValue` read
 * before means "unchanged since" (its modRevision).
 */
export type Expectation =
  | KeyValue
  | { readonly value: Bytes }
  | { readonly version: number }
  | { readonly createRevision: number }
  | { readonly modRevision: number };

/** A compare-and-set whose expectation did not hold: the key as it is now. */
export interface CompareFailed {
  readonly header: ResponseHeader;
  /** The key's current state; None when it does not exist. */
  readonly current: Option<KeyValue>;
}

/** The answer to a compaction. */
export interface CompactResult {
  readonly header: ResponseHeader;
}
