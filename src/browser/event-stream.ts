/**
 * One page's EventSource on an `etcd-rx/sse` stream, kept open: the browser reconnects by itself
 * after a blip, and when it gives up (the server refused the stream, or was away) the stream is
 * opened again after a delay, resuming after the last revision held.
 */
import type { FrameKind } from './sync-table.js';

/** A message of the stream as an EventSource delivers it. */
export interface SyncMessage {
  readonly data: string;
}

/** What is needed of an EventSource: the browser's own, or any implementation of the standard. */
export interface EventSourceLike {
  readonly readyState: number;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: FrameKind, listener: (message: SyncMessage) => void): void;
  close(): void;
}

/** How the stream is opened and reopened. */
export interface StreamSettings {
  readonly open: (url: string) => EventSourceLike;
  readonly retryDelayMs: number;
}

/** What the stream tells its user. */
export interface StreamListener {
  /** The revision to resume after, when the page holds one. */
  resumeAfter(): number | undefined;
  frame(kind: FrameKind, data: string): void;
  /** The connection broke; the browser, or this stream, is reconnecting. */
  lost(): void;
}

const CLOSED = 2;
const KINDS: readonly FrameKind[] = ['snapshot', 'change', 'synced'];

/**
 * Opens the stream at `url` and keeps it open until the returned function is called.
 * @example const close = openStream('/events', { open: (u) => new EventSource(u), retryDelayMs: 1000 }, listener)
 */
export function openStream(url: string, settings: StreamSettings, listener: StreamListener): () => void {
  let source: EventSourceLike | undefined;
  let reopening: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    const after = listener.resumeAfter();
    const stream = settings.open(after === undefined ? url : withLastEventId(url, after));
    source = stream;
    for (const kind of KINDS) stream.addEventListener(kind, (message) => listener.frame(kind, message.data));
    stream.onerror = () => {
      if (source !== stream) return;
      listener.lost();
      if (stream.readyState !== CLOSED) return;
      stream.close();
      // Real time: a browser's EventSource is reopened, outside any etcd client and its clock.
      reopening = setTimeout(connect, settings.retryDelayMs);
    };
  };
  connect();
  return () => {
    clearTimeout(reopening);
    source?.close();
    source = undefined;
  };
}

/**
 * The browser's EventSource, or a clear error where there is none.
 * @example openStream(url, { open: browserEventSource, retryDelayMs: 1000 }, listener)
 */
export function browserEventSource(url: string): EventSourceLike {
  const EventSourceClass = (globalThis as { EventSource?: new (url: string) => EventSourceLike }).EventSource;
  if (EventSourceClass === undefined) throw new Error('etcd-rx/browser: no EventSource here; pass options.eventSource');
  return new EventSourceClass(url);
}

function withLastEventId(url: string, revision: number): string {
  const base = url.replace(/([?&])lastEventId=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return `${base}${base.includes('?') ? '&' : '?'}lastEventId=${revision}`;
}
