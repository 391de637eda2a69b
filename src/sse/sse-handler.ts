/**
 * The request handler of `etcd-rx/sse`: mounted in any Node HTTP server, it streams the live
 * state of the keys a request may see as Server-Sent Events, resumable by revision.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import type { Etcd, KeySelector } from '../index';
import { textOrBytes, ValueTransform } from './frames';
import { SelectorFeed } from './selector-feed';
import { SseStream } from './sse-stream';

/** The handler's answer to a request that may not see anything: an HTTP status and why. */
export interface SseRefusal {
  readonly status: number;
  readonly message: string;
}

/** Options of {@link sseHandler}. */
export interface SseHandlerOptions {
  /**
   * Access control: the keys this request may see, or a refusal (sent as its status with its
   * message as text). A function that throws or rejects answers 500.
   */
  readonly select: (request: IncomingMessage) => KeySelector | SseRefusal | Promise<KeySelector | SseRefusal>;
  /**
   * What clients see of a key's value: text, bytes (sent as base64 with a `binary` flag), or
   * undefined to leave the key out. It must depend on the key only, not on the request: every
   * client of a selector shares its result. Default: the value as text when it is valid UTF-8,
   * else its bytes. A transform that throws ends that selector's streams (clients reconnect).
   */
  readonly transform?: ValueTransform;
  /** A `: ping` comment after this long without an event (default 15 000 ms). */
  readonly pingIntervalMs?: number;
  /**
   * Bytes that may wait to be sent to one client (default 256 KiB). A client that reads more
   * slowly than the keys change is sent nothing more until it has read them, and goes on from
   * the shared history; one that falls behind the history is dropped with a reason (in a
   * comment), and its EventSource reconnects and resumes after the last event it got.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Recent change events kept per selector, in bytes (default 1 MiB): slow clients and
   * reconnecting ones resume from it; one that resumes from further back catches up on an etcd
   * watch of its own (until the next change), or gets a snapshot if etcd compacted it away.
   */
  readonly historyBytes?: number;
}

/** A mountable request handler, with the means to stop it. */
export interface SseHandler {
  (request: IncomingMessage, response: ServerResponse): void;
  /** How many selectors are being followed now: each holds one etcd watch for all its clients. */
  readonly watchedSelectors: number;
  /** Ends every stream (their clients will reconnect) and cancels every watch. */
  close(): void;
}

/**
 * Serves `GET` requests as `text/event-stream`: a `snapshot` event (id = its revision), then
 * one `change` event per revision that changed a selected key. A request with `Last-Event-ID`
 * (or `?lastEventId=`) gets every change after that revision instead, or a fresh snapshot when
 * etcd compacted it away; one that is not a revision answers 400. All clients of one selector
 * share one etcd watch, cancelled when the last leaves.
 * @example
 * const events = sseHandler(etcd, { select: (req) => (isUser(req) ? { prefix: 'ui/' } : { status: 403, message: 'log in first' }) })
 * http.createServer((req, res) => (req.url?.startsWith('/events') ? events(req, res) : app(req, res))).listen(8080)
 */
export function sseHandler(etcd: Etcd, options: SseHandlerOptions): SseHandler {
  const feeds = new Map<string, SelectorFeed>();
  const settings = {
    transform: options.transform ?? textOrBytes,
    prevKv: options.transform !== undefined,
    historyBytes: options.historyBytes ?? 1024 * 1024,
  };
  const streamSettings = { pingIntervalMs: options.pingIntervalMs ?? 15_000, maxBufferedBytes: options.maxBufferedBytes ?? 256 * 1024 };

  /** The feed every client of `selector` shares; it forgets itself when it stops. */
  const feedOf = (selector: KeySelector): SelectorFeed => {
    const id = selectorId(selector);
    const known = feeds.get(id);
    if (known !== undefined) return known;
    const created: SelectorFeed = new SelectorFeed(etcd, selector, settings, () => feeds.get(id) === created && feeds.delete(id));
    feeds.set(id, created);
    return created;
  };

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET') return answer(response, 405, 'only GET serves events', { Allow: 'GET' });
    const resumeAfter = lastEventId(request);
    if (resumeAfter === 'invalid') return answer(response, 400, 'Last-Event-ID must be a revision (a whole number)');
    let selected: KeySelector | SseRefusal;
    try {
      selected = await options.select(request);
    } catch (error) {
      return answer(response, 500, `cannot tell what this request may see: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (isRefusal(selected)) return answer(response, selected.status, selected.message);
    if (response.destroyed) return;
    const feed = feedOf(selected);
    const stream: SseStream = new SseStream(
      response,
      streamSettings,
      () => feed.leave(stream),
      () => feed.drained(stream),
    );
    feed.join(stream, resumeAfter);
  };

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    serve(request, response).catch((error: unknown) => response.destroy(error instanceof Error ? error : undefined));
  };
  return Object.defineProperties(handler, {
    watchedSelectors: { get: () => feeds.size },
    close: { value: () => [...feeds.values()].forEach((feed) => feed.close('the server is closing')) },
  }) as SseHandler;
}

/** The revision a request resumes after: undefined for none, 'invalid' for anything but a revision. */
function lastEventId(request: IncomingMessage): number | undefined | 'invalid' {
  const header = request.headers['last-event-id'];
  const text = typeof header === 'string' && header !== '' ? header : new URL(request.url ?? '/', 'http://x').searchParams.get('lastEventId');
  if (text === null || text === '') return undefined;
  const revision = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(revision) ? revision : 'invalid';
}

function isRefusal(selected: KeySelector | SseRefusal): selected is SseRefusal {
  return typeof selected === 'object' && selected !== null && 'status' in selected;
}

/** One name per selector, so that equal selectors share a feed. */
function selectorId(selector: KeySelector): string {
  return JSON.stringify(selector, (_, value: unknown) => (value instanceof Uint8Array ? `bytes:${Buffer.from(value).toString('base64')}` : value));
}

function answer(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(`${message}\n`);
}
