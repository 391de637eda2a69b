/** A `KeyValue` as decoded from etcd's JSON gateway (a `mvccpb.KeyValue`). */
import { EtcdProtocolError, EtcdValueNotJsonError } from '../errors';
import { printsAs, textOrBytes } from '../prints-as';
import { asObject, decodeBytes, decodeId, decodeInt } from '../transport/codec';
import { KeyValue } from './key-value';

/** Bytes, or their base64 as an answer carried them (undefined: the empty bytes proto3 leaves out). */
type Bytes = Buffer | string | undefined;

/**
 * A key as an answer carried it. Key and value stay the answer's base64 text until first read:
 * a listing of 100,000 keys whose consumer reads some of them decodes only those, and the bytes
 * never exist twice (no Buffer made up front beside the text the JSON parser made anyway).
 * @example WireKeyValue.fromWire({ key: 'aw==', value: 'dg==', mod_revision: '7' }).value // 'v'
 */
export class WireKeyValue implements KeyValue {
  private keyBytes: Bytes;
  private valueBytes: Bytes;

  constructor(
    key: Bytes,
    value: Bytes,
    readonly createRevision: number,
    readonly modRevision: number,
    readonly version: number,
    readonly lease: string,
  ) {
    this.keyBytes = key;
    this.valueBytes = value;
  }

  get keyBuffer(): Buffer {
    const bytes = this.keyBytes;
    return typeof bytes === 'object' ? bytes : (this.keyBytes = decodeBytes(bytes));
  }

  get valueBuffer(): Buffer {
    const bytes = this.valueBytes;
    return typeof bytes === 'object' ? bytes : (this.valueBytes = decodeBytes(bytes));
  }

  get key(): string {
    return this.keyBuffer.toString('utf8');
  }

  get value(): string {
    return this.valueBuffer.toString('utf8');
  }

  json<T = unknown>(): T {
    try {
      return JSON.parse(this.value) as T;
    } catch (error) {
      throw new EtcdValueNotJsonError(this.key, error);
    }
  }

  /**
   * The same key-value under another key; the value stays as it is, decoded or not.
   * @example kv.withKey(Buffer.from('k')).key // 'k'
   */
  withKey(key: Buffer): WireKeyValue {
    return new WireKeyValue(key, this.valueBytes, this.createRevision, this.modRevision, this.version, this.lease);
  }

  /**
   * Decodes a wire `mvccpb.KeyValue` (a `kvs` entry of the gateway's answers).
   * @example answer.kvs.map(WireKeyValue.fromWire)
   */
  static fromWire(field: unknown): WireKeyValue {
    const kv = asObject(field, 'kv');
    return new WireKeyValue(
      wireBytes(kv.key, 'kv.key'),
      wireBytes(kv.value, 'kv.value'),
      decodeInt(kv.create_revision, 'kv.create_revision'),
      decodeInt(kv.mod_revision, 'kv.mod_revision'),
      decodeInt(kv.version, 'kv.version'),
      decodeId(kv.lease, 'kv.lease'),
    );
  }
}

/** A bytes field as the answer carried it, checked to be base64 text (decoded once read). */
function wireBytes(field: unknown, name: string): string | undefined {
  if (field === undefined || typeof field === 'string') return field;
  throw new EtcdProtocolError(`field ${name} is not base64 text: ${JSON.stringify(field)}`);
}

printsAs(WireKeyValue, 'KeyValue', (kv) => ({
  key: textOrBytes(kv.keyBuffer),
  value: textOrBytes(kv.valueBuffer),
  createRevision: kv.createRevision,
  modRevision: kv.modRevision,
  version: kv.version,
  lease: kv.lease,
}));
