/** The DeleteRange request of the KV service: its options, wire form and result. */
import { CallOptions } from '../call-options';
import { asArray, asObject, decodeInt } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { KeyValue } from './key-value';
import { encodeSelector, KeySelector } from './key-selector';
import { optionsOf } from '../validate';

/** Options of a delete. */
export interface DeleteOptions extends CallOptions {
  /** Answer with the deleted keys as they were. */
  readonly prevKv?: boolean;
}

/** The answer to a delete. */
export interface DeleteResult {
  readonly header: ResponseHeader;
  /** How many keys were deleted. */
  readonly deleted: number;
  /** The deleted keys, when `prevKv` was asked. */
  readonly prevKvs: readonly KeyValue[];
}

/** Encodes a delete request. */
export function encodeDelete(selector: KeySelector, given?: DeleteOptions): Record<string, unknown> {
  const options: DeleteOptions = optionsOf(given, 'delete');
  const request: Record<string, unknown> = { ...encodeSelector(selector) };
  if (options.prevKv) request.prev_kv = true;
  return request;
}

/** Decodes a DeleteRangeResponse. */
export function decodeDelete(json: unknown): DeleteResult {
  const response = asObject(json, 'delete response');
  return {
    header: decodeHeader(response.header),
    deleted: decodeInt(response.deleted, 'deleted'),
    prevKvs: asArray(response.prev_kvs, 'prev_kvs').map(KeyValue.fromWire),
  };
}
