/** The Put request of the KV service: its options, wire form and result. */
import { CallOptions } from '../call-options';
import { None, Option, Some } from 'ts-results';
import { Bytes, asObject, encodeBytes } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { KeyValue } from './key-value';
import { checkKey, checkValue, Key } from './key-selector';
import { encodeLeaseId, LeaseId } from '../lease/lease-id';
import { optionsOf } from '../validate';

/** Options of a put. */
export interface PutOptions extends CallOptions {
  /** Attach the key to this lease: the key is deleted when the lease ends. */
  readonly lease?: LeaseId;
  /** Grant a new lease of this many seconds and attach the key to it (the key expires). */
  readonly ttl?: number;
  /** Answer with the key as it was before the put. */
  readonly prevKv?: boolean;
  /** Keep the current value (update only the lease). */
  readonly ignoreValue?: boolean;
  /** Keep the current lease (update only the value). */
  readonly ignoreLease?: boolean;
}

/** The answer to a put. */
export interface PutResult {
  readonly header: ResponseHeader;
  /** The revision the put created. */
  readonly revision: number;
  /** The key before the put, when `prevKv` was asked and the key existed. */
  readonly prevKv: Option<KeyValue>;
}

/** Encodes a put request (without `ttl`, which the service turns into a lease first). */
export function encodePut(key: Key, value: Bytes, given?: Omit<PutOptions, 'ttl'>): Record<string, unknown> {
  const options: Omit<PutOptions, 'ttl'> = optionsOf(given, 'put');
  const request: Record<string, unknown> = {
    key: encodeBytes(checkKey(key)),
    value: encodeBytes(checkValue(value)),
  };
  if (options.lease !== undefined) request.lease = encodeLeaseId(options.lease);
  if (options.prevKv) request.prev_kv = true;
  if (options.ignoreValue) request.ignore_value = true;
  if (options.ignoreLease) request.ignore_lease = true;
  return request;
}

/** Decodes a PutResponse. */
export function decodePut(json: unknown): PutResult {
  const response = asObject(json, 'put response');
  const header = decodeHeader(response.header);
  return {
    header,
    revision: header.revision,
    prevKv: response.prev_kv === undefined ? None : Some(KeyValue.fromWire(response.prev_kv)),
  };
}
