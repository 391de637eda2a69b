/**
 * A Server-Sent Events reader for tests: what arrived, parsed per the standard's framing, with
 * waits on conditions and the means to stop reading (a slow client).
 */
import * as http from 'http';
import { waitFor } from './wait';

/** One dispatched event, or a comment line. */
export interface SseMessage {
  readonly event?: string;
  readonly id?: string;
  readonly data?: string;
  readonly comment?: string;
}

/**
 * An open stream: its status, headers and messages so far.
 * @example const reader = await SseReader.open(`${base}/events`); await reader.waitForEvents(1, 'the snapshot')
 */
export class SseReader {
  readonly messages: SseMessage[] = [];
  body = '';
  ended = false;
  private pending = '';

  private constructor(
    private readonly request: http.ClientRequest,
    readonly response: http.IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.take(chunk));
    response.on('end', () => (this.ended = true));
    response.on('error', () => (this.ended = true));
  }

  /** Sends the GET and resolves once the response's headers arrived. */
  static open(url: string, headers: Record<string, string> = {}, agent?: http.Agent): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers }, agent }, (response) => resolve(new SseReader(request, response)));
      request.on('error', reject);
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  /** The dispatched events (not the comments). */
  get events(): SseMessage[] {
    return this.messages.filter((m) => m.event !== undefined);
  }

  /** The dispatched events of one type. */
  eventsOf(type: string): SseMessage[] {
    return this.events.filter((m) => m.event === type);
  }

  /** The data of each event, parsed. */
  data<T = { revision: number }>(): T[] {
    return this.events.map((m) => JSON.parse(m.data ?? 'null') as T);
  }

  async waitForEvents(count: number, what: string, timeoutMs?: number): Promise<void> {
    await waitFor(() => this.events.length >= count, `${what} (${count} events; got ${this.events.length})`, timeoutMs);
  }

  async waitForEnd(what: string, timeoutMs?: number): Promise<void> {
    await waitFor(() => this.ended, what, timeoutMs);
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.request.destroy();
  }

  private take(chunk: string): void {
    this.body += chunk;
    this.pending += chunk;
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) >= 0) {
      const block = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 2);
      const message: { event?: string; id?: string; data?: string; comment?: string } = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        else if (line.startsWith('event: ')) message.event = line.slice(7);
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('data: ')) message.data = line.slice(6);
      }
      this.messages.push(message);
    }
  }
}
