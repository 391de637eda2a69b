import { EtcdInvalidArgumentError, EtcdValueNotJsonError } from '../errors';
import { asObject, decodeBytes, decodeId, decodeInt } from '../transport/codec';

/**
 * One key as etcd stores it. Key and value are kept as bytes and decoded to text on demand.
 * @example
 * etcd.get('config').subscribe((kv) => kv.some && console.log(kv.val.value, kv.val.modRevision))
 */
export class KeyValue {
  constructor(
    /** The key's raw bytes. */
    readonly keyBuffer: Buffer,
    /** The value's raw bytes. */
    readonly valueBuffer: Buffer,
    /** Revision of the key's last creation. */
    readonly createRevision: number,
    /** Revision of the key's last modification. */
    readonly modRevision: number,
    /** Number of modifications since creation (1 for a new key). */
    readonly version: number,
    /** Id of the lease attached to the key, "0" for none. */
    readonly lease: string,
  ) {}

  /** The key as UTF-8 text. */
  get key(): string {
    return this.keyBuffer.toString('utf8');
  }

  /** The value as UTF-8 text. */
  get value(): string {
    return this.valueBuffer.toString('utf8');
  }

  /**
   * The value parsed as JSON; throws EtcdValueNotJsonError when it is not JSON.
   * @example const config = kv.json<{ port: number }>()
   */
  json<T = unknown>(): T {
    try {
      return JSON.parse(this.value) as T;
    } catch (error) {
      throw new EtcdValueNotJsonError(this.key, error);
    }
  }

  /**
   * Decodes a wire `mvccpb.KeyValue` (a `kvs` entry of the JSON gateway's answers), for code
   * that calls the gateway itself.
   * @example KeyValue.fromWire({ key: 'aw==', value: 'dg==', mod_revision: '7' }).value // 'v'
   */
  static fromWire(field: unknown): KeyValue {
    const kv = asObject(field, 'kv');
    return new KeyValue(
      decodeBytes(kv.key as string | undefined),
      decodeBytes(kv.value as string | undefined),
      decodeInt(kv.create_revision, 'kv.create_revision'),
      decodeInt(kv.mod_revision, 'kv.mod_revision'),
      decodeInt(kv.version, 'kv.version'),
      decodeId(kv.lease, 'kv.lease'),
    );
  }
}

/**
 * The JSON text of a value to store, refusing what JSON cannot hold (undefined, a function, a
 * bigint, a cycle) instead of storing "undefined" or nothing.
 * @example toJsonText({ port: 8080 }) // '{"port":8080}'
 */
export function toJsonText(value: unknown, what = 'putJson'): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EtcdInvalidArgumentError(`${what}: the value cannot be written as JSON: ${(error as Error).message}`, { cause: error });
  }
  if (text === undefined) throw new EtcdInvalidArgumentError(`${what}: the value cannot be written as JSON (got ${typeof value})`);
  return text;
}
