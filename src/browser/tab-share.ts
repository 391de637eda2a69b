/**
 * The tabs of one origin on one stream: they elect one holder of the EventSource with a Web
 * Lock (the browser grants it to one tab at a time, and to the next in line when that tab
 * closes), and the holder relays every frame on a BroadcastChannel, and says when its stream
 * was lost. A tab that joins asks for the state so far and gets it from the holder.
 */
import type { FrameKind } from './sync-table.js';

/** What is needed of the browser's Web Locks. */
export interface LockManagerLike {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** What is needed of a BroadcastChannel. */
export interface ChannelLike {
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

/** The browser's means to share: present in every current browser, absent in Node. */
export interface TabWeb {
  readonly locks: LockManagerLike;
  readonly channel: (name: string) => ChannelLike;
}

/** What the tabs say to one another. */
type TabMessage =
  | { readonly type: 'frame'; readonly kind: FrameKind; readonly data: string }
  | { readonly type: 'lost' }
  | { readonly type: 'hello'; readonly from: string }
  | { readonly type: 'state'; readonly to: string; readonly data: string; readonly synced: boolean };

/** One tab's part. */
export interface TabPeer {
  /** This tab now holds the stream: open it; returns how to close it. */
  hold(): () => void;
  /** A frame relayed by the holder; `joined` marks the state given to this tab when it joined. */
  receive(kind: FrameKind, data: string, joined: boolean): void;
  /** The holder's stream was lost, or is changing hands: what this tab has may be behind until the next `synced`. */
  lost(): void;
  /** The state so far for a tab that joins, as a snapshot's data (JSON), when there is one. */
  stateForNewcomer(): { readonly data: string; readonly synced: boolean } | undefined;
}

/** A tab's membership: the holder relays with it, and every tab leaves with it. */
export interface TabMembership {
  relay(kind: FrameKind, data: string): void;
  /** Tells the other tabs that the stream was lost. */
  relayLost(): void;
  leave(): void;
}

/**
 * The browser's Web Locks and BroadcastChannel, when both are there (secure contexts: https
 * and localhost).
 * @example const web = browserTabWeb(); if (web) joinTabs('etcd-rx:/events', web, peer)
 */
export function browserTabWeb(): TabWeb | undefined {
  const scope = globalThis as unknown as { navigator?: { locks?: LockManagerLike }; BroadcastChannel?: new (name: string) => ChannelLike };
  const locks = scope.navigator?.locks;
  const Channel = scope.BroadcastChannel;
  if (locks === undefined || Channel === undefined) return undefined;
  return { locks, channel: (name) => new Channel(name) };
}

/**
 * Joins the tabs sharing `name`: waits in line for the lock, holds the stream while it has it,
 * and follows the holder's frames meanwhile.
 * @example const membership = joinTabs('etcd-rx:https://app/events', browserTabWeb(), peer); membership.leave()
 */
export function joinTabs(name: string, web: TabWeb, peer: TabPeer): TabMembership {
  // Not a time: the clock only makes this tab's name unlikely to repeat.
  const me = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const channel = web.channel(name);
  const leaving = new AbortController();
  let holding = false;
  let release: (() => void) | undefined;
  let close: (() => void) | undefined;
  const relayLost = () => channel.postMessage({ type: 'lost' } satisfies TabMessage);
  channel.onmessage = ({ data }) => {
    const message = data as TabMessage;
    if (message.type === 'hello') {
      const state = holding ? peer.stateForNewcomer() : undefined;
      if (state !== undefined) channel.postMessage({ type: 'state', to: message.from, ...state } satisfies TabMessage);
    } else if (message.type === 'frame') {
      peer.receive(message.kind, message.data, false);
    } else if (message.type === 'lost') {
      peer.lost();
    } else if (message.type === 'state' && message.to === me) {
      peer.receive('snapshot', message.data, true);
      if (message.synced) peer.receive('synced', JSON.stringify({ revision: (JSON.parse(message.data) as { revision: number }).revision }), true);
    }
  };
  channel.postMessage({ type: 'hello', from: me } satisfies TabMessage);
  web.locks
    .request(name, { signal: leaving.signal }, () => {
      holding = true;
      // The stream changes hands: every tab may be behind until the resumed stream's `synced`.
      relayLost();
      peer.lost();
      close = peer.hold();
      return new Promise<void>((resolve) => (release = resolve));
    })
    // Aborted while waiting in line: this tab left first.
    .catch(() => undefined);
  return {
    relay: (kind, data) => channel.postMessage({ type: 'frame', kind, data } satisfies TabMessage),
    relayLost,
    leave: () => {
      leaving.abort();
      close?.();
      release?.();
      channel.onmessage = null;
      channel.close();
    },
  };
}
