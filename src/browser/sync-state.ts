/**
 * A selector's live state in the page: the stream's frames applied to a table, from this tab's
 * own EventSource or, when tabs share, from whichever tab holds the one EventSource.
 */
import { Observable } from 'rxjs';
import { browserEventSource, EventSourceLike, openStream, StreamListener } from './event-stream.js';
import { FrameKind, SyncState, SyncTable } from './sync-table.js';
import { browserTabWeb, joinTabs, TabMembership, TabWeb } from './tab-share.js';

/** Options of {@link syncState}. */
export interface SyncOptions {
  /** Opens the stream; default: the global `EventSource`. */
  readonly eventSource?: (url: string) => EventSourceLike;
  /** Wait before opening the stream again after the server refused or ended it; default 1000. */
  readonly retryDelayMs?: number;
  /**
   * Share one stream among the tabs of this origin following the same URL (default true): one
   * tab holds the EventSource and relays to the others (its losses of the stream too); when it
   * closes, another takes over and resumes after the last revision it holds, every tab unsynced
   * until the resumed stream's `synced`. Browsers allow 6 connections per host over
   * HTTP/1.1, so without sharing the seventh tab waits. Needs Web Locks and BroadcastChannel
   * (secure contexts); without them each tab has its own stream.
   */
  readonly shareTabs?: boolean;
  /** Told whether this tab holds the shared stream ('holder') or follows it ('follower'). */
  readonly onRole?: (role: 'holder' | 'follower') => void;
}

/**
 * Follows the stream at `url`: one emission per snapshot, change or `synced` event that changes
 * what the page has (`synced` turns the state's `synced` flag on). The stream resumes after
 * the last revision held whenever it breaks, by the browser's reconnection or, when the browser
 * gives up, by opening it again after `retryDelayMs`. Unsubscribing closes it (or hands it to
 * another tab). A message that does not follow the contract ends the Observable with an error.
 * @example syncState('/events').subscribe(({ entries, synced }) => render([...entries], synced))
 */
export function syncState(url: string, options: SyncOptions = {}): Observable<SyncState> {
  return new Observable<SyncState>((subscriber) => {
    const table = new SyncTable();
    const settings = { open: options.eventSource ?? browserEventSource, retryDelayMs: options.retryDelayMs ?? 1000 };
    const web = options.shareTabs === false ? undefined : browserTabWeb();
    let membership: TabMembership | undefined;
    const take = (kind: FrameKind, data: string) => {
      let state: SyncState | undefined;
      try {
        state = table.take(kind, JSON.parse(data));
      } catch (error) {
        subscriber.error(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (state !== undefined) subscriber.next(state);
    };
    const lose = () => {
      const state = table.lost();
      if (state !== undefined) subscriber.next(state);
    };
    const listener: StreamListener = {
      resumeAfter: () => table.revision,
      frame: (kind, data) => {
        membership?.relay(kind, data);
        take(kind, data);
      },
      lost: () => {
        membership?.relayLost();
        lose();
      },
    };
    if (web === undefined) return openStream(url, settings, listener);
    membership = shareStream(url, web, table, options, {
      hold: () => openStream(url, settings, listener),
      take,
      lose,
    });
    return () => membership?.leave();
  });
}

/** Joins the tabs on `url`'s stream: holds it when elected, and takes the holder's frames meanwhile. */
function shareStream(
  url: string,
  web: TabWeb,
  table: SyncTable,
  options: SyncOptions,
  own: { hold(): () => void; take(kind: FrameKind, data: string): void; lose(): void },
): TabMembership {
  options.onRole?.('follower');
  return joinTabs(`etcd-rx:${absolute(url)}`, web, {
    hold: () => {
      options.onRole?.('holder');
      return own.hold();
    },
    receive: (kind, data, joined) => {
      // The state given on joining is older news than a snapshot this tab already has.
      if (joined && kind === 'snapshot' && table.revision !== undefined) return;
      own.take(kind, data);
    },
    lost: own.lose,
    stateForNewcomer: () => {
      const data = table.snapshotData();
      return data === undefined ? undefined : { data: JSON.stringify(data), synced: table.isSynced };
    },
  });
}

function absolute(url: string): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base === undefined ? url : new URL(url, base).href;
}
