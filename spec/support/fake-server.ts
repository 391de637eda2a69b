/**
 * A hand-written HTTP server for the answers no real etcd gives: garbage, truncated bodies,
 * silence. Everything else is tested against real etcd.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

/** How the fake server treats each request. */
export type Behaviour = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A running fake server; `requests` counts what arrived, `closedEarly` what the client abandoned. */
export interface FakeServer {
  readonly url: string;
  readonly requests: string[];
  readonly closedEarly: string[];
  close(): Promise<void>;
}

/**
 * Starts a fake server on a free loopback port.
 * @example const server = await startFakeServer((req, res) => res.end('garbage'))
 */
export async function startFakeServer(behaviour: Behaviour): Promise<FakeServer> {
  const requests: string[] = [];
  const closedEarly: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.on('close', () => {
      if (!response.writableFinished) closedEarly.push(`${request.method} ${request.url}`);
    });
    behaviour(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closedEarly,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers /version like etcd (so liveness probes pass) and everything else with `rest`. */
export function versionThen(rest: Behaviour): Behaviour {
  return (request, response) => {
    if (request.url === '/version') {
      response.setHeader('content-type', 'application/json');
      response.end('{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}');
      return;
    }
    rest(request, response);
  };
}
