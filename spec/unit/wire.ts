/** Watch answers in the gateway's wire form, decoded as the client decodes them. */
import { decodeWatchResponse, WatchResponse } from '../../src/watch/watch-response';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A put of `key` = `value` at `revision` (a delete when `value` is undefined). */
export function wireEvent(key: string, value: string | undefined, revision: number): Record<string, unknown> {
  const kv = { key: b64(key), mod_revision: String(revision), create_revision: String(revision), version: '1' };
  return value === undefined ? { type: 'DELETE', kv } : { kv: { ...kv, value: b64(value) } };
}

/** One decoded watch answer at header revision `revision`. */
export function watchAnswer(revision: number, fields: Record<string, unknown> = {}): WatchResponse {
  return decodeWatchResponse({ header: { revision: String(revision) }, watch_id: '1', ...fields });
}
