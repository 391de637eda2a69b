/** The public types of the KV service: options of get and list, and what compare-and-set and compact answer. */
import { Option } from 'ts-results';
import { CallOptions } from '../call-options';
import { Bytes } from '../transport/codec';
import { ResponseHeader } from '../transport/response-header';
import { KeyValue } from './key-value';

/**
 * What a compare-and-set expects of the key's current state. `{ version: 0 }` means "absent".
 * Fields may be combined (`{ value: 'a', version: 3 }`): every one must hold. A `KeyValue` read
 * before means "unchanged since" (its modRevision).
 */
export type Expectation =
  KeyValue | { readonly value: Bytes } | { readonly version: number } | { readonly createRevision: number } | { readonly modRevision: number };

/** A compare-and-set whose expectation did not hold: the key as it is now. */
export interface CompareFailed {
  readonly header: ResponseHeader;
  /** The key's current state; None when it does not exist. */
  readonly current: Option<KeyValue>;
}

/** Options of a compaction. */
export interface CompactOptions extends CallOptions {
  /** Wait until the space is reclaimed. */
  readonly physical?: boolean;
}

/** The answer to a compaction. */
export interface CompactResult {
  readonly header: ResponseHeader;
}

/** Options of a single-key get. */
export interface GetOptions extends CallOptions {
  readonly revision?: number;
  readonly serializable?: boolean;
}
