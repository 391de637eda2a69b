/**
 * A TCP proxy in front of a real member that can silently stall connections through it (bytes
 * are swallowed both ways, nothing is closed), as a middlebox that dropped a connection's state
 * does: only the WebSocket connections open now, or every connection, now and to come (a member
 * hung as far as this client can tell, while the cluster is fine). Real etcd never does this to
 * one client alone, so it has to be faked.
 */
import { AddressInfo, createServer, Socket, connect } from 'net';

/** A running proxy. */
export interface StallingProxy {
  readonly url: string;
  /** WebSocket upgrades seen so far. */
  readonly webSocketConnections: number;
  /** Stalls every WebSocket connection open now. */
  stallWebSockets(): void;
  /** Stalls every connection, open now or opened later. */
  hang(): void;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  webSocket?: boolean;
  stalled: boolean;
}

/**
 * Starts the proxy on a free loopback port, forwarding to `target`.
 * @example const proxy = await startStallingProxy(member.clientUrl)
 */
export async function startStallingProxy(target: string): Promise<StallingProxy> {
  const { hostname, port } = new URL(target);
  const links = new Set<Link>();
  let webSockets = 0;
  let hung = false;
  const server = createServer((client) => {
    const link: Link = { client, upstream: connect(Number(port), hostname), stalled: hung };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.webSocket === undefined) {
        link.webSocket = /^GET [^\r\n]*\r\n(.*\r\n)*upgrade: websocket/im.test(chunk.toString('latin1'));
        if (link.webSocket) webSockets++;
      }
      if (!link.stalled) link.upstream.write(chunk);
    });
    link.upstream.on('data', (chunk: Buffer) => {
      if (!link.stalled) client.write(chunk);
    });
    const end = () => {
      links.delete(link);
      client.destroy();
      link.upstream.destroy();
    };
    for (const socket of [client, link.upstream]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get webSocketConnections() {
      return webSockets;
    },
    stallWebSockets() {
      for (const link of links) if (link.webSocket) link.stalled = true;
    },
    hang() {
      hung = true;
      for (const link of links) link.stalled = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of links) {
          link.client.destroy();
          link.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
