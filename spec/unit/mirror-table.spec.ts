import { KeyValue } from '../../src';
import { MirrorTable } from '../../src/watch/mirror';
import { WatchPosition } from '../../src/watch/resumable-watch';
import { watchRequest } from '../../src/watch/watch-request';
import { watchAnswer, wireEvent } from './wire';

describe('the mirror table', () => {
  // Key-values as a watch decodes them, at the revision of their last change.
  const kv = (key: string, value: string, revision: number): KeyValue =>
    watchAnswer(revision, { events: [wireEvent(key, value, revision)] }).events[0].kv;
  const batchOf = (revision: number, ...events: Record<string, unknown>[]) =>
    new WatchPosition(watchRequest({ prefix: '' }, { startRevision: revision })).accept(watchAnswer(revision, { events }), 'http://a:1')[0];

  it('lists, then applies each revision, saying what changed', () => {
    const table = new MirrorTable((k) => k.value.toUpperCase());
    const listed = table.replace(5, [kv('a', 'x', 3), kv('b', 'y', 5)]);
    expect(listed).toMatchObject({ revision: 5, relisted: true });
    expect([...listed.entries]).toEqual([['a', 'X'], ['b', 'Y']]);
    expect(listed.changes.map((c) => `${c.type} ${c.key}`)).toEqual(['added a', 'added b']);

    const next = table.apply(batchOf(6, wireEvent('a', 'z', 6), wireEvent('b', undefined, 6), wireEvent('c', 'w', 6)));
    expect([...next.entries]).toEqual([['a', 'Z'], ['c', 'W']]);
    expect(next.changes).toEqual([
      { type: 'modified', key: 'a', value: 'Z', previous: 'X' },
      { type: 'removed', key: 'b', previous: 'Y' },
      { type: 'added', key: 'c', value: 'W' },
    ]);
    expect([...listed.entries]).toEqual([['a', 'X'], ['b', 'Y']]);
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
});
