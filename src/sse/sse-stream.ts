/**
 * One client's event stream: its response headers, its writes, the keep-alive pings, and the
 * rule that keeps a slow reader from growing the server's memory.
 */
import type { ServerResponse } from 'http';
import { comment } from './frames';

/** How one stream behaves. */
export interface StreamSettings {
  /** A `: ping` comment is written after this long without a write. */
  readonly pingIntervalMs: number;
  /** More than this many bytes waiting to be sent to a client, and it is sent nothing more for now. */
  readonly maxBufferedBytes: number;
}

/** How long a client that was ended may take to read what is left before its socket is destroyed. */
const DROP_GRACE_MS = 10_000;

/**
 * A client's stream. The response's headers go out with `open()` (so that a failure before it
 * can still answer with an HTTP status); frames after `end` are ignored.
 * @example const stream = new SseStream(response, settings, () => feed.leave(stream), () => feed.drained(stream)); stream.open()
 */
export class SseStream {
  private opened = false;
  private ended = false;
  private ping: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly response: ServerResponse,
    private readonly settings: StreamSettings,
    /** Called once, when the stream ends for whatever reason (the client left, or was dropped). */
    private readonly onEnd: () => void,
    onDrained: () => void,
  ) {
    response.once('close', () => this.stop());
    response.on('drain', onDrained);
  }

  /**
   * Sends the headers of an event stream: no caching, no buffering by proxies.
   * @example stream.open()
   */
  open(): void {
    if (this.ended || this.opened) return;
    this.opened = true;
    this.response.writeHead(200, {
      // Exactly this: the standard's media type, always UTF-8.
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.response.flushHeaders();
    this.response.socket?.setNoDelay(true);
    // Real time: the pings keep a real HTTP response alive through proxies (the SSE adapter has no client clock).
    this.ping = setInterval(() => this.write(comment('ping')), this.settings.pingIntervalMs);
  }

  /**
   * False while more than `maxBufferedBytes` wait to be sent to the client: a reader slower than
   * the keys change then costs at most that much here (plus one frame); `onDrained` says when
   * it may take more.
   * @example if (stream.writable) stream.send(frame)
   */
  get writable(): boolean {
    return !this.ended && this.response.writableLength <= this.settings.maxBufferedBytes;
  }

  /**
   * Writes one frame.
   * @example stream.send(comment('hello'))
   */
  send(frame: string): void {
    this.write(frame);
  }

  /**
   * Ends the stream with `reason`: as a comment when the stream is open (the client reconnects
   * and resumes), else as an HTTP `status` answer.
   * @example stream.end('the server is closing')
   */
  end(reason: string, status = 503): void {
    if (this.ended) return;
    const opened = this.opened;
    this.stop();
    if (!opened) {
      this.response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${reason}\n`);
      return;
    }
    this.response.end(comment(reason));
    // What is already queued may still drain to a client that wakes up; one that never reads
    // must not hold the socket, and its buffer, for ever.
    // Real time: the grace is for a real socket's buffer to drain.
    setTimeout(() => this.response.destroy(), DROP_GRACE_MS).unref();
  }

  private write(text: string): void {
    if (this.ended || !this.opened) return;
    this.response.write(text);
    this.ping?.refresh();
  }

  private stop(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.ping);
    this.onEnd();
  }
}
