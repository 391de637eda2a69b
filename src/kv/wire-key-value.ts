/** A `KeyValue` as decoded from etcd's JSON gateway (a `mvccpb.KeyValue`). */
import { EtcdValueNotJsonError } from '../errors';
import { printsAs, textOrBytes } from '../prints-as';
import { asObject, decodeBytes, decodeId, decodeInt } from '../transport/codec';
import { KeyValue } from './key-value';

/**
 * A key as an answer carried it.
 * @example WireKeyValue.fromWire({ key: 'aw==', value: 'dg==', mod_revision: '7' }).value // 'v'
 */
export class WireKeyValue implements KeyValue {
  constructor(
    readonly keyBuffer: Buffer,
    readonly valueBuffer: Buffer,
    readonly createRevision: number,
    readonly modRevision: number,
    readonly version: number,
    readonly lease: string,
  ) {}

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
   * Decodes a wire `mvccpb.KeyValue` (a `kvs` entry of the gateway's answers).
   * @example answer.kvs.map(WireKeyValue.fromWire)
   */
  static fromWire(field: unknown): WireKeyValue {
    const kv = asObject(field, 'kv');
    return new WireKeyValue(
      decodeBytes(kv.key as string | undefined),
      decodeBytes(kv.value as string | undefined),
      decodeInt(kv.create_revision, 'kv.create_revision'),
      decodeInt(kv.mod_revision, 'kv.mod_revision'),
      decodeInt(kv.version, 'kv.version'),
      decodeId(kv.lease, 'kv.lease'),
    );
  }
}

printsAs(WireKeyValue, 'KeyValue', (kv) => ({
  key: textOrBytes(kv.keyBuffer),
  value: textOrBytes(kv.valueBuffer),
  createRevision: kv.createRevision,
  modRevision: kv.modRevision,
  version: kv.version,
  lease: kv.lease,
}));
