/**
 * etcd-rx/browser's tabs in Node: Node's own BroadcastChannel, a Web Lock manager that grants
 * each name to one holder at a time in order of request, and EventSources the test drives.
 */
import { Subscription } from 'rxjs';
import { syncState, SyncState, SyncStore, syncStore } from '../../src/browser';
import type { EventSourceLike, SyncMessage } from '../../src/browser';
import { SyncTable } from '../../src/browser/sync-table';
import { waitFor } from '../support/wait';

/** An EventSource whose events the test sends. */
class FakeEventSource implements EventSourceLike {
  readyState = 1;
  onerror: ((event: unknown) => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, (message: SyncMessage) => void>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (message: SyncMessage) => void): void {
    this.listeners.set(type, listener);
  }
  close(): void {
    this.closed = true;
  }
  send(type: 'snapshot' | 'change' | 'synced', data: object): void {
    this.listeners.get(type)?.({ data: JSON.stringify(data) });
  }
}

/** Web Locks as the browser grants them: one holder per name, the next in line when it releases. */
class FakeLocks {
  private readonly lines = new Map<string, { grant: () => void; signal: AbortSignal }[]>();
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const line = this.lines.get(name) ?? [];
      this.lines.set(name, line);
      const waiter = {
        signal: options.signal,
        grant: (): void => {
          callback().then(() => {
            line.shift();
            line[0]?.grant();
            resolve(undefined);
          }, reject);
        },
      };
      options.signal.addEventListener('abort', () => {
        const at = line.indexOf(waiter);
        if (at > 0) line.splice(at, 1);
        if (at !== 0) reject(new Error('AbortError'));
      });
      line.push(waiter);
      if (line.length === 1) waiter.grant();
    });
  }
}

describe('tabs sharing one stream', () => {
  const sources: FakeEventSource[] = [];
  const subscriptions: Subscription[] = [];
  const open = (url: string) => {
    const source = new FakeEventSource(url);
    sources.push(source);
    return source;
  };
  beforeEach(() => {
    Object.defineProperty(globalThis, 'navigator', { value: { locks: new FakeLocks() }, configurable: true });
  });
  afterEach(() => {
    subscriptions.splice(0).forEach((s) => s.unsubscribe());
    sources.splice(0);
    delete (globalThis as { navigator?: unknown }).navigator;
  });

  /** A tab following the stream, with what it saw as "revision kind". */
  const tab = (roles: string[] = []) => {
    const seen: string[] = [];
    const subscription = syncState('http://app/events', { eventSource: open, onRole: (role) => roles.push(role) }).subscribe((s: SyncState) =>
      seen.push(
        `${s.revision} ${s.snapshot ? 'snapshot' : s.changes.length > 0 ? s.changes.map((c) => `${c.type} ${c.key}`).join(',') : s.synced ? 'synced' : 'lost'}`,
      ),
    );
    subscriptions.push(subscription);
    return { seen, subscription };
  };

  it('one tab holds the EventSource and relays; a late tab gets the state so far; the next in line resumes after its revision, with nothing lost or repeated', async () => {
    const roles: string[] = [];
    const a = tab(roles);
    const b = tab();
    expect(sources.map((s) => s.url)).toEqual(['http://app/events']);
    expect(roles).toEqual(['follower', 'holder']);
    sources[0].send('snapshot', { revision: 5, entries: { k: '1' } });
    sources[0].send('synced', { revision: 5 });
    await waitFor(() => b.seen.length === 2, 'the relayed snapshot');
    const c = tab();
    await waitFor(() => c.seen.length === 2, 'the state so far');
    expect(c.seen).toEqual(['5 snapshot', '5 synced']);
    sources[0].send('change', { revision: 6, changes: [{ type: 'put', key: 'k', value: '2' }] });
    await waitFor(() => b.seen.length === 3 && c.seen.length === 3, 'the relayed change');

    a.subscription.unsubscribe();
    expect(sources[0].closed).toBe(true);
    await waitFor(() => sources.length === 2, 'the next tab to open the stream');
    expect(sources[1].url).toBe('http://app/events?lastEventId=6');
    // The resumed stream may repeat what the tab holds; it is taken once.
    sources[1].send('change', { revision: 6, changes: [{ type: 'put', key: 'k', value: '2' }] });
    sources[1].send('change', { revision: 7, changes: [{ type: 'delete', key: 'k' }] });
    sources[1].send('synced', { revision: 7 });
    await waitFor(() => c.seen.length === 6, 'the changes after the hand-over, then synced');
    // Unsynced while the stream changes hands, until the resumed stream says it has caught up.
    for (const { seen } of [b, c]) expect(seen).toEqual(['5 snapshot', '5 synced', '6 put k', '6 lost', '7 delete k', '7 synced']);
    expect(a.seen).toEqual(['5 snapshot', '5 synced', '6 put k']);
  });

  it("the holder's lost stream unsyncs every tab, and its resumed stream's synced syncs them again", async () => {
    const a = tab();
    const b = tab();
    sources[0].send('snapshot', { revision: 5, entries: { k: '1' } });
    sources[0].send('synced', { revision: 5 });
    await waitFor(() => b.seen.length === 2, 'the relayed snapshot');
    // The browser reconnects by itself: the source stays, CONNECTING.
    sources[0].readyState = 0;
    sources[0].onerror?.({});
    await waitFor(() => b.seen.length === 3, 'the relayed loss');
    sources[0].readyState = 1;
    sources[0].send('change', { revision: 6, changes: [{ type: 'put', key: 'k', value: '2' }] });
    sources[0].send('synced', { revision: 6 });
    await waitFor(() => b.seen.length === 5, 'the replayed change, then synced');
    for (const { seen } of [a, b]) expect(seen).toEqual(['5 snapshot', '5 synced', '5 lost', '6 put k', '6 synced']);
    expect(sources).toHaveLength(1);
  });

  it('without Web Locks each subscription has its own stream', () => {
    delete (globalThis as { navigator?: unknown }).navigator;
    tab();
    tab();
    expect(sources).toHaveLength(2);
  });
});

describe('the page table', () => {
  it('marks synced, skips a change it holds, and is not synced after a loss or a snapshot', () => {
    const table = new SyncTable();
    expect(table.take('change', { revision: 3, changes: [] })).toBeUndefined();
    expect(table.take('snapshot', { revision: 3, entries: { a: '1' } })).toMatchObject({ revision: 3, synced: false, snapshot: true });
    expect(table.take('synced', { revision: 3 })).toMatchObject({ revision: 3, synced: true, changes: [] });
    expect(table.take('synced', { revision: 3 })).toBeUndefined();
    expect(table.take('change', { revision: 3, changes: [{ type: 'delete', key: 'a' }] })).toBeUndefined();
    expect(table.lost()).toMatchObject({ revision: 3, synced: false });
    expect(table.take('synced', { revision: 4 })).toMatchObject({ revision: 4, synced: true });
    expect(() => table.take('synced', { revision: -1 })).toThrow(/not a synced event/);
  });
});

describe('the store', () => {
  let store: SyncStore | undefined;
  afterEach(() => store?.close());
  const started = () => {
    let source: FakeEventSource | undefined;
    store = syncStore('/events', { eventSource: (url) => (source = new FakeEventSource(url)) });
    (source as FakeEventSource).send('snapshot', { revision: 5, entries: { a: '1' } });
    return { store, source: source as FakeEventSource };
  };

  it('shows a write at once and confirms it when the state reaches its revision', async () => {
    const { store, source } = started();
    let answer: (revision: number) => void = () => undefined;
    const written = store.write({ type: 'put', key: 'a', value: '2' }, () => new Promise((resolve) => (answer = resolve)));
    expect(store.current).toMatchObject({ revision: 5, pending: new Set(['a']), changes: [{ type: 'put', key: 'a', value: '2' }] });
    expect(store.current?.entries.get('a')).toBe('2');
    answer(7);
    source.send('change', { revision: 6, changes: [{ type: 'put', key: 'b', value: 'x' }] });
    await waitFor(() => store.current?.revision === 6, 'the next change');
    expect(store.current?.entries.get('a')).toBe('2');
    source.send('change', { revision: 7, changes: [{ type: 'put', key: 'a', value: '2' }] });
    const confirmed = await written;
    expect(confirmed).toMatchObject({ revision: 7, pending: new Set() });
    expect(await store.waitForRevision(6)).toBe(store.current);
  });

  it('rolls a refused write back and rejects with its error', async () => {
    const { store } = started();
    const refused = store.write({ type: 'delete', key: 'a' }, () => Promise.reject(new Error('403 not yours')));
    expect(store.current?.entries.has('a')).toBe(false);
    await expect(refused).rejects.toThrow('403 not yours');
    expect(store.current).toMatchObject({ pending: new Set(), changes: [{ type: 'put', key: 'a', value: '1' }] });
    expect(store.current?.entries.get('a')).toBe('1');
  });
});
