/**
 * A WebSocket to ONE endpoint: the only two-way channel etcd's JSON gateway offers (it wraps
 * `/v3/<stream>` in a WebSocket proxy). One JSON request per message goes out, one
 * `{"result": …}` per message comes back. Knows nothing of what the messages mean or of retries.
 *
 * Measured on etcd 3.4: the proxy never answers a close frame (a polite `close()` waits 30 s for
 * the `ws` library's own timeout), while dropping the TCP connection makes the server release the
 * stream and its watches at once; and a message that is not JSON leaks the server-side stream
 * for good. So this channel only ever sends `JSON.stringify` output, and closes by terminating.
 */
import { connect as tcpConnect, type createConnection, type NetConnectOpts, type Socket as TcpSocket } from 'net';
import { Observable, Subject } from 'rxjs';
import type * as tls from 'tls';
import type WebSocket from 'ws';
import { EtcdConnectionError, EtcdError, EtcdTimeoutError, EtcdWebSocketRefusedError } from '../errors';
import { tlsFailure } from './tls-options';
import { Headers } from './http-call';
import { parseLine } from './http-stream';
import { unwrapStreamMessage } from './server-error';

/** How a channel is opened. */
export interface WsChannelOptions {
  /** Extra headers of the upgrade request. */
  readonly headers?: Headers;
  /** The `Sec-WebSocket-Protocol` values of the upgrade (etcd's gateway reads a token from them). */
  readonly protocols?: readonly string[];
  /** How long the TCP connection plus the upgrade may take: a frozen member accepts TCP and never answers. */
  readonly openTimeoutMs: number;
  /** For a `https://` endpoint: the CA, client certificate and verification settings. */
  readonly tls?: tls.ConnectionOptions;
}

/**
 * An open (or opening) WebSocket to `endpoint + path`. Messages sent before the socket is open
 * are queued. `messages` emits each message's `result`; it errors once, with a typed EtcdError,
 * when the channel breaks (connection refused or reset, upgrade refused or timed out, the server
 * closing, an `{"error": …}` message, garbage), and completes when `close()` is called.
 * @example
 * const channel = new WsChannel('http://127.0.0.1:2379', '/v3/watch', { openTimeoutMs: 5000 })
 * channel.messages.subscribe(console.log)
 * channel.send({ create_request: { key: 'Zm9v' } })
 * await channel.close()
 */
export class WsChannel {
  /** Every message's `result`, until the channel breaks (error) or is closed (complete). */
  readonly messages: Observable<Record<string, unknown>>;
  private readonly incoming = new Subject<Record<string, unknown>>();
  private readonly socket: WebSocket;
  private readonly queue: string[] = [];
  private readonly openTimer: NodeJS.Timeout;
  private readonly closed: Promise<void>;
  private ended = false;

  constructor(
    readonly endpoint: string,
    path: string,
    options: WsChannelOptions,
  ) {
    this.messages = this.incoming.asObservable();
    let tcp: TcpSocket | undefined;
    // The TCP (or TLS) connection is made here so that close() can wait until it is released:
    // `ws` reports an aborted handshake closed a tick before the connection really is.
    const connect = (connectOptions: NetConnectOpts & tls.ConnectionOptions): TcpSocket =>
      (tcp = endpoint.startsWith('https:') ? (require('tls') as typeof tls).connect({ ...connectOptions, ...options.tls }) : tcpConnect(connectOptions));
    // ws (and tls) are loaded at the first WebSocket: most processes (a CLI command, a client that
    // only reads and writes) never open one.
    const Socket = require('ws') as typeof WebSocket;
    this.socket = new Socket(endpoint.replace(/^http/, 'ws') + path, [...(options.protocols ?? [])], {
      headers: options.headers,
      perMessageDeflate: false,
      createConnection: connect as typeof createConnection,
    });
    const wsClosed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.closed = wsClosed.then(() => released(tcp));
    // Real time, not the client's clock: it bounds a real socket's handshake, which no virtual clock can advance.
    this.openTimer = setTimeout(
      () => this.fail(new EtcdTimeoutError(options.openTimeoutMs, true, { endpoint, what: 'WebSocket upgrade' })),
      options.openTimeoutMs,
    );
    this.socket.on('open', () => {
      clearTimeout(this.openTimer);
      for (const message of this.queue.splice(0)) this.socket.send(message);
    });
    this.socket.on('message', (data: WebSocket.RawData) => {
      try {
        this.incoming.next(unwrapStreamMessage(parseLine(toBuffer(data), endpoint), endpoint));
      } catch (error) {
        this.fail(error as EtcdError);
      }
    });
    this.socket.on('unexpected-response', (_request, response) => {
      response.resume();
      this.fail(new EtcdWebSocketRefusedError(endpoint, response.statusCode ?? 0));
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) =>
      this.fail(tlsFailure(error, endpoint) ?? new EtcdConnectionError(`${endpoint}: ${error.message}`, true, { endpoint, cause: error, errno: error.code })),
    );
    this.socket.on('close', (code: number) => this.fail(new EtcdConnectionError(`${endpoint}: the WebSocket closed (code ${code})`, true, { endpoint })));
  }

  /** Sends one request message (queued until the socket is open; dropped once it has ended). */
  send(message: unknown): void {
    if (this.ended) return;
    const text = JSON.stringify(message);
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(text);
    else this.queue.push(text);
  }

  /**
   * Drops the connection (the server then releases everything the stream held) and resolves
   * once the socket is closed. `messages` completes.
   */
  close(): Promise<void> {
    this.end();
    this.incoming.complete();
    return this.closed;
  }

  private fail(error: EtcdError): void {
    if (this.ended) return;
    this.end();
    this.incoming.error(error);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.openTimer);
    this.socket.terminate();
  }
}

/** Resolves once a connection's handle is closed (at once when there is none). */
function released(tcp: TcpSocket | undefined): Promise<void> | undefined {
  if (tcp === undefined || tcp.closed) return undefined;
  return new Promise<void>((resolve) => tcp.once('close', () => resolve()));
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
