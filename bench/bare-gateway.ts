/**
 * The wire's limit: the least a client can do for one gateway call, i.e. one `http.request`
 * over a keep-alive agent, the JSON body written, the answer read and parsed. No timeout, no
 * abort, no failover, no typed errors; etcd-rx is measured against this. Also the same call
 * through node-fetch, which etcd-rx is built on.
 */
import * as http from 'http';
import fetch from 'node-fetch';

/**
 * Bare POSTs of JSON to one etcd member's gateway.
 * @example
 * const bare = new BareGateway('http://127.0.0.1:2379')
 * await bare.post('/v3/kv/put', { key: 'Zm9v', value: 'YmFy' })
 * bare.close()
 */
export class BareGateway {
  private readonly agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
  private readonly host: string;
  private readonly port: number;

  constructor(url: string) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port);
  }

  /**
   * POSTs `body` as JSON to `path` and resolves with the parsed answer; rejects on a non-200 status.
   * @example await bare.post('/v3/kv/range', { key: 'Zm9v' })
   */
  post(path: string, body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200) reject(new Error(`HTTP ${response.statusCode}: ${text}`));
            else resolve(JSON.parse(text));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  /** The local ports of the agent's connections, busy or idle: what the benchmark leaves out when it counts another client's. */
  localPorts(): Set<number> {
    const ports = new Set<number>();
    for (const sockets of [this.agent.sockets, this.agent.freeSockets])
      for (const list of Object.values(sockets)) for (const socket of list ?? []) if (socket.localPort !== undefined) ports.add(socket.localPort);
    return ports;
  }

  /** Closes the agent's idle connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * The same bare POST through node-fetch (over the same kind of agent, with an AbortSignal as
 * etcd-rx passes one): the floor of any client built on node-fetch, so the benchmark can tell
 * node-fetch's cost from etcd-rx's own.
 * @example await new NodeFetchGateway('http://127.0.0.1:2379').post('/v3/kv/range', { key: 'Zm9v' })
 */
export class NodeFetchGateway {
  private readonly agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });

  constructor(private readonly url: string) {}

  async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(this.url + path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: JSON_HEADERS,
      agent: this.agent,
      compress: false,
      signal: new AbortController().signal,
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text}`);
    return JSON.parse(text);
  }

  close(): void {
    this.agent.destroy();
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };
