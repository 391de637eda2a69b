/**
 * Names the key of a refused request. etcd answers "permission denied" without saying what was
 * refused; the request body says it (a key, or a lock's or election's name), base64-encoded.
 */
import { EtcdError, EtcdPermissionDeniedError } from '../errors';

/**
 * `error` itself, or, for a permission refusal, the same refusal naming the key of `body`.
 * @example namingRefusedKey(error, { key: 'YXBwMi94' }) // EtcdPermissionDeniedError: … on key "app2/x"
 */
export function namingRefusedKey(error: EtcdError, body: unknown): EtcdError {
  if (!(error instanceof EtcdPermissionDeniedError) || error.key !== undefined) return error;
  const keys = keysOf(body);
  if (keys.length === 0) return error;
  const named = keys.map((key) => JSON.stringify(key)).join(', ');
  const what = keys.length === 1 ? `key ${named}` : `one of the keys ${named}`;
  return new EtcdPermissionDeniedError(`${error.message}: no right to ${what}`, {
    endpoint: error.endpoint,
    grpcCode: error.grpcCode,
    key: keys[0],
  });
}

/** The keys a request body names: its `key` or `name`, or the keys of a transaction's parts. */
function keysOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const fields = body as Record<string, unknown>;
  const own = [fields.key, fields.name].filter((k): k is string => typeof k === 'string');
  if (own.length > 0) return own.map((k) => Buffer.from(k, 'base64').toString('utf8'));
  const parts = [fields.compare, fields.success, fields.failure].flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []));
  const keys = parts.flatMap((part) => {
    if (typeof part !== 'object' || part === null) return [];
    const inner = Object.values(part as Record<string, unknown>).find((v) => typeof v === 'object' && v !== null);
    return keysOf((part as Record<string, unknown>).key !== undefined ? part : inner);
  });
  return [...new Set(keys)];
}
