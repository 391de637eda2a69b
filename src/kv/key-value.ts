import { EtcdInvalidArgumentError } from '../errors';

/**
 * One key as etcd stores it. Key and value are kept as bytes and decoded to text on demand.
 * @example
 * etcd.get('config').subscribe((kv) => kv.some && console.log(kv.val.value, kv.val.modRevision))
 */
export interface KeyValue {
  /** The key's raw bytes. */
  readonly keyBuffer: Buffer;
  /** The value's raw bytes. */
  readonly valueBuffer: Buffer;
  /** Revision of the key's last creation. */
  readonly createRevision: number;
  /** Revision of the key's last modification. */
  readonly modRevision: number;
  /** Number of modifications since creation (1 for a new key). */
  readonly version: number;
  /** Id of the lease attached to the key, "0" for none. */
  readonly lease: string;
  /** The key as UTF-8 text. */
  readonly key: string;
  /** The value as UTF-8 text. */
  readonly value: string;

  /**
   * The value parsed as JSON; throws EtcdValueNotJsonError when it is not JSON.
   * @example const config = kv.json<{ port: number }>()
   */
  json<T = unknown>(): T;
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
