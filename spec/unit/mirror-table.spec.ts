import { EtcdValueNotJsonError, KeyValue } from '../../src';
import { MirrorTable } from '../../src/watch/mirror';
import { WatchPosition } from '../../src/watch/watch-position';
import { watchRequest } from '../../src/watch/watch-request';
import { watchAnswer, wireEvent } from './wire';

describe('the mirror table', () => {
  // Key-values as a watch decodes them, at the revision of their last change.
  const kv = (key: string, value: string, revision: number): KeyValue => watchAnswer(revision, { events: [wireEvent(key, value, revision)] }).events[0].kv;
  const batchOf = (revision: number, ...events: Record<string, unknown>[]) =>
    new WatchPosition(watchRequest({ prefix: '' }, { startRevision: revision })).accept(watchAnswer(revision, { events }), 'http://a:1')[0];

  it('lists, then applies each revision, saying what changed', () => {
    const table = new MirrorTable((k) => k.value.toUpperCase());
    const listed = table.replace(5, [kv('a', 'x', 3), kv('b', 'y', 5)]);
    expect(listed).toMatchObject({ revision: 5, relisted: true });
    expect([...listed.entries]).toEqual([
      ['a', 'X'],
      ['b', 'Y'],
    ]);
    expect(listed.changes.map((c) => `${c.type} ${c.key}`)).toEqual(['added a', 'added b']);

    const next = table.apply(batchOf(6, wireEvent('a', 'z', 6), wireEvent('b', undefined, 6), wireEvent('c', 'w', 6)));
    expect([...next.entries]).toEqual([
      ['a', 'Z'],
      ['c', 'W'],
    ]);
    expect(next.changes).toEqual([
      { type: 'modified', key: 'a', value: 'Z', previous: 'X' },
      { type: 'removed', key: 'b', previous: 'Y' },
      { type: 'added', key: 'c', value: 'W' },
    ]);
    expect([...listed.entries]).toEqual([
      ['a', 'X'],
      ['b', 'Y'],
    ]);
  });

  it('after a new listing reports only the difference from what it held', () => {
    const table = new MirrorTable((k) => k.value);
    table.replace(5, [kv('a', 'x', 3), kv('b', 'y', 5)]);
    const relisted = table.replace(9, [kv('a', 'x', 3), kv('c', 'v', 8)]);
    expect(relisted.changes.map((c) => `${c.type} ${c.key}`)).toEqual(['removed b', 'added c']);
    expect(relisted.relisted).toBe(true);
  });

  it('ignores the delete of a key it never held', () => {
    const table = new MirrorTable((k) => k.value);
    table.replace(5, []);
    expect(table.apply(batchOf(6, wireEvent('ghost', undefined, 6))).changes).toEqual([]);
  });

  describe('with values that are not JSON', () => {
    const json = (k: KeyValue) => k.json<{ port: number }>();
    const keysOf = (errors: readonly EtcdValueNotJsonError[]) => errors.map((e) => e.key);

    it("'keep-last' keeps the last good value, reports the bad one, and takes the next good one", () => {
      const table = new MirrorTable(json, 'keep-last');
      const listed = table.replace(5, [kv('web', '{"port":80}', 3), kv('db', 'port=5432', 5)]);
      expect([...listed.entries]).toEqual([['web', { port: 80 }]]);
      expect(keysOf(listed.invalid)).toEqual(['db']);
      const broken = table.apply(batchOf(6, wireEvent('web', 'port=8080', 6)));
      expect([...broken.entries]).toEqual([['web', { port: 80 }]]);
      expect(broken.changes).toEqual([]);
      expect(keysOf(broken.invalid)).toEqual(['web']);
      const fixed = table.apply(batchOf(7, wireEvent('web', '{"port":8080}', 7)));
      expect(fixed.changes).toEqual([{ type: 'modified', key: 'web', value: { port: 8080 }, previous: { port: 80 } }]);
      expect(fixed.invalid).toEqual([]);
    });

    it("'skip' treats the key as absent while its value is not JSON", () => {
      const table = new MirrorTable(json, 'skip');
      table.replace(5, [kv('web', '{"port":80}', 3)]);
      const broken = table.apply(batchOf(6, wireEvent('web', 'port=8080', 6)));
      expect(broken.changes).toEqual([{ type: 'removed', key: 'web', previous: { port: 80 } }]);
      expect(keysOf(broken.invalid)).toEqual(['web']);
      const fixed = table.apply(batchOf(7, wireEvent('web', '{"port":8080}', 7)));
      expect(fixed.changes).toEqual([{ type: 'added', key: 'web', value: { port: 8080 } }]);
      // Deleting a key held only as a bad value removes nothing that was shown.
      table.apply(batchOf(8, wireEvent('web', 'bad again', 8)));
      expect(table.apply(batchOf(9, wireEvent('web', undefined, 9))).changes).toEqual([]);
    });

    it("'fail' ends with EtcdValueNotJsonError naming the key", () => {
      const table = new MirrorTable(json, 'fail');
      expect(() => table.replace(5, [kv('web', 'port=8080', 5)])).toThrow(EtcdValueNotJsonError);
    });
  });
});
