import { lastValueFrom, from, toArray } from 'rxjs';
import { EtcdUnavailableError } from '../../src';
import { reassembleFragments } from '../../src/watch/fragments';
import { WatchPosition } from '../../src/watch/watch-position';
import { WatchCompactedError } from '../../src/errors';
import { watchRequest } from '../../src/watch/watch-request';
import { watchAnswer, wireEvent } from './wire';

describe('a watch position', () => {
  const endpoint = 'http://a:1';

  it('starts a "from now" watch after the revision it was created at, and moves past each delivered revision', () => {
    const position = new WatchPosition(watchRequest({ prefix: 'p/' }));
    expect(position.next).toBe(0);
    expect(position.accept(watchAnswer(9, { created: true }), endpoint)).toEqual([]);
    expect(position.next).toBe(10);
    const batches = position.accept(
      watchAnswer(11, { events: [wireEvent('p/a', '1', 10), wireEvent('p/b', '2', 10), wireEvent('p/a', undefined, 11)] }),
      endpoint,
    );
    // Both revisions came in one answer: each batch carries that answer's header revision.
    expect(batches.map((b) => [b.revision, b.headerRevision, b.events.map((e) => `${e.type} ${e.kv.key}`)])).toEqual([
      [10, 11, ['put p/a', 'put p/b']],
      [11, 11, ['delete p/a']],
    ]);
    expect(position.next).toBe(12);
  });

  it('announces a created watch with the first revision it delivers and the revision the server was at', () => {
    const position = new WatchPosition(watchRequest({ prefix: 'p/' }, { startRevision: 5, createdNotify: true }));
    expect(position.accept(watchAnswer(9, { created: true }), endpoint)).toEqual([
      { revision: 5, headerRevision: 9, events: [], progress: false, created: true },
    ]);
  });

  it('drops revisions already delivered, whatever a resumed stream replays', () => {
    const position = new WatchPosition(watchRequest({ prefix: 'p/' }, { startRevision: 5 }));
    position.accept(watchAnswer(6, { events: [wireEvent('p/a', '1', 5), wireEvent('p/a', '2', 6)] }), endpoint);
    const replayed = position.accept(watchAnswer(7, { events: [wireEvent('p/a', '2', 6), wireEvent('p/a', '3', 7)] }), endpoint);
    expect(replayed.map((b) => b.revision)).toEqual([7]);
    expect(position.next).toBe(8);
  });

  it('moves a quiet watch forward on progress, and reports progress only when asked to', () => {
    const quiet = new WatchPosition(watchRequest({ key: 'k' }, { startRevision: 3 }));
    expect(quiet.accept(watchAnswer(20), endpoint)).toEqual([]);
    expect(quiet.next).toBe(21);
    const asked = new WatchPosition(watchRequest({ key: 'k' }, { startRevision: 3, progressNotify: true }));
    expect(asked.accept(watchAnswer(20), endpoint)).toEqual([{ revision: 20, headerRevision: 20, events: [], progress: true, created: false }]);
    expect(asked.accept(watchAnswer(15), endpoint)).toEqual([]);
    expect(asked.next).toBe(21);
  });

  it('fails with WatchCompactedError naming the revisions, and with a transient error when cancelled', () => {
    const position = new WatchPosition(watchRequest({ key: 'k' }, { startRevision: 3 }));
    expect(() => position.accept(watchAnswer(50, { compact_revision: '40', canceled: true }), endpoint)).toThrow(WatchCompactedError);
    expect(() => position.accept(watchAnswer(50, { canceled: true, cancel_reason: 'bye' }), endpoint)).toThrow(EtcdUnavailableError);
  });
});

describe('fragment reassembly', () => {
  it('joins the pieces of a fragmented answer into one, and passes whole answers through', async () => {
    const answers = [
      watchAnswer(7, { events: [wireEvent('a', '1', 7)], fragment: true }),
      watchAnswer(7, { events: [wireEvent('b', '1', 7)], fragment: true }),
      watchAnswer(7, { events: [wireEvent('c', '1', 7)] }),
      watchAnswer(8, { events: [wireEvent('d', '1', 8)] }),
    ];
    const whole = await lastValueFrom(from(answers).pipe(reassembleFragments(), toArray()));
    expect(whole.map((answer) => answer.events.map((e) => e.kv.key).join(''))).toEqual(['abc', 'd']);
    expect(whole.map((answer) => answer.fragment)).toEqual([false, false]);
  });
});
