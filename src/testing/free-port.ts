/**
 * Free TCP ports on loopback, found by asking the kernel: bind to port 0, read the port, close.
 * The ports are only free at the moment they are read; whoever uses them must retry when one was
 * taken in the meantime (EtcdCluster.start does).
 */
import * as net from 'net';

/**
 * Returns `count` distinct ports that were free on `host` a moment ago. All servers stay bound
 * until every port is known, so the kernel cannot hand out the same port twice.
 * @example const [clientPort, peerPort] = await freePorts(2)
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: 0, host, exclusive: true }, () => resolve());
      });
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))));
  }
}
