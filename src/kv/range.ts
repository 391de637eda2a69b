/** The Range request (`get`) of the KV service: its options, wire form and result. */
import { CallOptions } from '../call-options';
import { EtcdInvalidArgumentError } from '../errors';
import { asArray, asObject, decodeInt } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { KeyValue } from './key-value';
import { encodeSelector, KeySelector } from './key-selector';
import { checkCount, oneOf, optionsOf } from '../validate';

/** What a range sorts by. */
export type SortTarget = 'key' | 'version' | 'createRevision' | 'modRevision' | 'value';

/** Options of a range read. */
export interface RangeOptions extends CallOptions {
  /** At most this many keys (0: no limit). */
  readonly limit?: number;
  /** Read the store as it was at this revision (0: now). */
  readonly revision?: number;
  readonly sort?: { readonly target?: SortTarget; readonly order?: 'ascend' | 'descend' };
  /** Return keys without values. */
  readonly keysOnly?: boolean;
  /** Return only the count of matching keys. */
  readonly countOnly?: boolean;
  /** Let the member answer from its local copy without asking the leader (faster, maybe stale). */
  readonly serializable?: boolean;
  readonly minModRevision?: number;
  readonly maxModRevision?: number;
  readonly minCreateRevision?: number;
  readonly maxCreateRevision?: number;
}

/** The answer to a range read. */
export interface RangeResult {
  readonly header: ResponseHeader;
  readonly kvs: readonly KeyValue[];
  /** How many keys matched in all (more than `kvs.length` when a limit cut the list). */
  readonly count: number;
  /** Whether more keys matched than were returned. */
  readonly more: boolean;
}

const SORT_TARGETS: Record<SortTarget, string> = {
  key: 'KEY',
  version: 'VERSION',
  createRevision: 'CREATE',
  modRevision: 'MOD',
  value: 'VALUE',
};

/** Encodes a range request, validating every option. */
export function encodeRange(selector: KeySelector, given?: RangeOptions): Record<string, unknown> {
  const options: RangeOptions = optionsOf(given, 'range');
  const request: Record<string, unknown> = { ...encodeSelector(selector) };
  if (options.limit !== undefined) request.limit = checkCount(options.limit, 'limit');
  if (options.revision !== undefined) request.revision = checkCount(options.revision, 'revision');
  if (options.sort !== undefined) {
    const target = options.sort.target ?? 'key';
    const order = options.sort.order ?? 'ascend';
    if (order !== 'ascend' && order !== 'descend') throw new EtcdInvalidArgumentError(`sort.order must be 'ascend' or 'descend', got ${String(order)}`);
    request.sort_target = oneOf(SORT_TARGETS, target, 'sort.target');
    request.sort_order = order === 'ascend' ? 'ASCEND' : 'DESCEND';
  }
  if (options.keysOnly) request.keys_only = true;
  if (options.countOnly) request.count_only = true;
  if (options.serializable) request.serializable = true;
  if (options.minModRevision !== undefined) request.min_mod_revision = checkCount(options.minModRevision, 'minModRevision');
  if (options.maxModRevision !== undefined) request.max_mod_revision = checkCount(options.maxModRevision, 'maxModRevision');
  if (options.minCreateRevision !== undefined) request.min_create_revision = checkCount(options.minCreateRevision, 'minCreateRevision');
  if (options.maxCreateRevision !== undefined) request.max_create_revision = checkCount(options.maxCreateRevision, 'maxCreateRevision');
  return request;
}

/** Decodes a RangeResponse. */
export function decodeRange(json: unknown): RangeResult {
  const response = asObject(json, 'range response');
  return {
    header: decodeHeader(response.header),
    kvs: asArray(response.kvs, 'kvs').map(KeyValue.fromWire),
    count: decodeInt(response.count, 'count'),
    more: response.more === true,
  };
}
