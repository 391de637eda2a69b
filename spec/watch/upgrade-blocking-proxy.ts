/**
 * A reverse proxy in front of a real member that passes plain HTTP (streaming answers included)
 * and refuses every WebSocket upgrade, like some corporate proxies and load balancers do. Real
 * etcd never refuses an upgrade, so this is the one answer the specs have to fake.
 */
import * as http from 'http';
import { AddressInfo, Socket } from 'net';

/** A running proxy; `refusedUpgrades` counts the upgrades it turned down. */
export interface UpgradeBlockingProxy {
  readonly url: string;
  readonly refusedUpgrades: number;
  close(): Promise<void>;
}

/**
 * Starts the proxy on a free loopback port, forwarding to `target`.
 * @example const proxy = await startUpgradeBlockingProxy(member.clientUrl)
 */
export async function startUpgradeBlockingProxy(target: string): Promise<UpgradeBlockingProxy> {
  let refused = 0;
  const server = http.createServer((request, response) => {
    const upstream = http.request(`${target}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  });
  server.on('upgrade', (_request: http.IncomingMessage, socket: Socket) => {
    refused++;
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get refusedUpgrades() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
