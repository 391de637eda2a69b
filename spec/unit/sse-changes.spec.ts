/** Which changes of a revision reach clients when a transform hides keys (no etcd: decoded wire events). */
import { WatchBatch } from '../../src';
import { changesOf, syncedFrame, textOrBytes, ValueTransform } from '../../src/sse/frames';
import { decodeEvent } from '../../src/watch/watch-event';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const wireKv = (key: string, value: string, version: number, revision: number) => ({
  key: b64(key),
  value: b64(value),
  version: String(version),
  mod_revision: String(revision),
  create_revision: String(revision - version + 1),
});

/** A put of `key` making it version `version`, with its previous value when there was one. */
const put = (key: string, value: string, version: number, prev?: string) =>
  decodeEvent({ kv: wireKv(key, value, version, 10), ...(prev === undefined ? {} : { prev_kv: wireKv(key, prev, version - 1, 9) }) });
/** A delete of `key`, with its previous value when etcd sent it. */
const del = (key: string, prev?: string) =>
  decodeEvent({ type: 'DELETE', kv: { key: b64(key), mod_revision: '10' }, ...(prev === undefined ? {} : { prev_kv: wireKv(key, prev, 3, 9) }) });
const batch = (...events: ReturnType<typeof decodeEvent>[]): WatchBatch => ({ revision: 10, headerRevision: 10, events, progress: false, created: false });

const hideSecrets: ValueTransform = (kv) => (kv.value.startsWith('secret') ? undefined : kv.value);
const unknown = () => undefined;

describe('changesOf with a transform that hides keys', () => {
  it.each([
    ['hidden, created', put('k', 'secret', 1), []],
    ['hidden → hidden', put('k', 'secret 2', 2, 'secret 1'), []],
    ['hidden, deleted', del('k', 'secret'), []],
    ['shown → hidden', put('k', 'secret', 2, 'plain'), [{ type: 'delete', key: 'k' }]],
    ['hidden → shown', put('k', 'plain', 2, 'secret'), [{ type: 'put', key: 'k', value: 'plain' }]],
    ['shown, created', put('k', 'plain', 1), [{ type: 'put', key: 'k', value: 'plain' }]],
    ['shown, deleted', del('k', 'plain'), [{ type: 'delete', key: 'k' }]],
  ])('%s', (_, event, expected) => {
    expect(changesOf(batch(event), hideSecrets, unknown)).toEqual(expected);
  });

  it('without a previous value from etcd, asks the caller, and says when nobody can tell', () => {
    const hiddenNow = put('k', 'secret', 3);
    expect(changesOf(batch(hiddenNow), hideSecrets, () => true)).toEqual([{ type: 'delete', key: 'k' }]);
    expect(changesOf(batch(hiddenNow), hideSecrets, () => false)).toEqual([]);
    expect(changesOf(batch(put('a', 'plain', 1), del('k')), hideSecrets, unknown)).toBeUndefined();
    // Without a transform every key is shown, so a delete needs no previous value.
    expect(changesOf(batch(del('k')), textOrBytes, () => true)).toEqual([{ type: 'delete', key: 'k' }]);
  });
});

describe('syncedFrame', () => {
  it('is exactly event, id and {"revision":R}', () => {
    expect(syncedFrame(42)).toBe('event: synced\nid: 42\ndata: {"revision":42}\n\n');
  });
});
