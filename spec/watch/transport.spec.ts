import * as http from 'http';
import { Socket } from 'net';
import { firstValueFrom, lastValueFrom, Observable, take, tap, timeout, toArray } from 'rxjs';
import { WebSocketServer } from 'ws';
import { EtcdInvalidArgumentError, EtcdProtocolError, EtcdTimeoutError, EtcdUnavailableError, EtcdWebSocketRefusedError } from '../../src';
import { decodePut, encodePut } from '../../src/kv/put';
import { postJson } from '../../src/transport/http-call';
import { createAgent, HttpEndpoint } from '../../src/transport/http-endpoint';
import { streamJsonLines } from '../../src/transport/http-stream';
import { WsChannel } from '../../src/transport/ws-channel';
import { useCluster } from '../support/cluster';
import { startFakeServer } from '../support/fake-server';
import { waitFor } from '../support/wait';
import { socketsTo, watchGauges } from './watch-helpers';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const failure = (source: Observable<unknown>) =>
  lastValueFrom(source.pipe(timeout(20_000))).then(
    () => undefined,
    (e: unknown) => e,
  );

describe('stream transports', () => {
  const cluster = useCluster(1);
  const endpoints: HttpEndpoint[] = [];
  const endpoint = (url: string) => {
    const e = { url, agent: createAgent(url) };
    endpoints.push(e);
    return e;
  };
  afterAll(() => endpoints.forEach((e) => e.agent.destroy()));
  const member = () => cluster().members[0];
  const streams = async () => (await watchGauges(member())).streams;

  describe('streamJsonLines (HTTP)', () => {
    it('streams results as they come, a multi-megabyte message included, and aborts on unsubscribe', async () => {
      const etcd = endpoint(cluster().endpoints[0]);
      const big = 'v'.repeat(1_200_000);
      const put = decodePut(await firstValueFrom(postJson(etcd, '/v3/kv/put', encodePut('big', big))));
      const messages = await lastValueFrom(
        streamJsonLines(etcd, '/v3/watch', { create_request: { key: b64('big'), start_revision: put.revision } }).pipe(take(2), toArray(), timeout(20_000)),
      );
      expect(messages[0].created).toBe(true);
      const [event] = messages[1].events as { kv: { value: string } }[];
      expect(Buffer.from(event.kv.value, 'base64').toString()).toBe(big);
      await waitFor(async () => (await streams()) === 0, 'the aborted stream to be released by the server');
    });

    it('sends several request messages in one body', async () => {
      const messages = await lastValueFrom(
        streamJsonLines(endpoint(cluster().endpoints[0]), '/v3/watch', [
          { create_request: { key: b64('a'), watch_id: 1 } },
          { create_request: { key: b64('b'), watch_id: 2 } },
        ]).pipe(take(2), toArray(), timeout(20_000)),
      );
      expect(messages.map((m) => [m.watch_id, m.created])).toEqual([
        ['1', true],
        ['2', true],
      ]);
    });

    it('turns an error answered before the stream starts into a typed error', async () => {
      // A server-streaming call is decoded before its stream starts, so a bad body is refused at
      // once (400, code 3) on every version. The bidirectional `/v3/watch` is no place for this:
      // etcd 3.5 only logs a create it cannot decode and answers nothing at all.
      const error = await failure(streamJsonLines(endpoint(cluster().endpoints[0]), '/v3/election/observe', { name: '!!not base64' }));
      expect(error).toBeInstanceOf(EtcdInvalidArgumentError);
      expect((error as EtcdInvalidArgumentError).grpcCode).toBe(3);
      expect((error as EtcdInvalidArgumentError).message).toContain('base64');
    });

    it('turns an error message in the stream into a typed error', async () => {
      const server = await startFakeServer((_request, response) => {
        response.write('{"result":{"created":true}}\n');
        response.end('{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}\n');
      });
      try {
        const seen: unknown[] = [];
        const error = await failure(streamJsonLines(endpoint(server.url), '/v3/watch', {}).pipe(tap((m) => seen.push(m))));
        expect(seen).toEqual([{ created: true }]);
        expect(error).toBeInstanceOf(EtcdUnavailableError);
      } finally {
        await server.close();
      }
    });

    it.each([
      ['a line that is not JSON', 'garbage\n'],
      ['a stream cut in the middle of a message', '{"result":{"created":tr'],
      ['an error page that is not JSON', null],
    ])('fails with EtcdProtocolError on %s', async (_what, body) => {
      const server = await startFakeServer((_request, response) => {
        if (body === null) {
          response.writeHead(502);
          response.end('<html>bad gateway</html>');
        } else {
          response.end(body);
        }
      });
      try {
        expect(await failure(streamJsonLines(endpoint(server.url), '/v3/watch', {}))).toBeInstanceOf(EtcdProtocolError);
      } finally {
        await server.close();
      }
    });
  });

  describe('WsChannel', () => {
    it('carries requests and results both ways, a cancel included; close() drops the connection', async () => {
      const channel = new WsChannel(cluster().endpoints[0], '/v3/watch', { openTimeoutMs: 5000 });
      const results = lastValueFrom(channel.messages.pipe(take(3), toArray(), timeout(20_000)));
      const before = await watchGauges(member());
      channel.send({ create_request: { key: b64('ws'), watch_id: 4 } });
      channel.send({ progress_request: {} });
      await waitFor(async () => (await watchGauges(member())).watchers === before.watchers + 1, 'the watch to exist');
      channel.send({ cancel_request: { watch_id: 4 } });
      const [created, progress, cancelled] = await results;
      expect(created).toMatchObject({ watch_id: '4', created: true });
      expect(progress).toMatchObject({ watch_id: '-1' });
      expect(cancelled).toMatchObject({ watch_id: '4', canceled: true });
      expect((await watchGauges(member())).watchers).toBe(before.watchers);
      await channel.close();
      expect(socketsTo(cluster().endpoints)).toEqual([]);
      // Whether the server then frees the stream itself depends on its version: etcd 3.4 does
      // when the connection drops; 3.5's gateway never does (its stream gauge stays up for good,
      // see docs/compatibility.md). No watch is left on it either way, as the watch was cancelled.
    });

    it('fails with EtcdWebSocketRefusedError when the upgrade is answered with plain HTTP', async () => {
      const server = await startFakeServer((_request, response) => {
        response.writeHead(403);
        response.end();
      });
      try {
        const channel = new WsChannel(server.url, '/v3/watch', { openTimeoutMs: 5000 });
        const error = await failure(channel.messages);
        expect(error).toBeInstanceOf(EtcdWebSocketRefusedError);
        expect((error as EtcdWebSocketRefusedError).httpStatus).toBe(403);
        await channel.close();
      } finally {
        await server.close();
      }
    });

    it('fails with EtcdTimeoutError when the upgrade is never answered, and closes at once', async () => {
      const silent = http.createServer();
      const held: Socket[] = [];
      silent.on('upgrade', (_request, socket: Socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
        const channel = new WsChannel(url, '/v3/watch', { openTimeoutMs: 300 });
        const error = await failure(channel.messages);
        expect(error).toBeInstanceOf(EtcdTimeoutError);
        expect((error as EtcdTimeoutError).message).toContain('WebSocket upgrade');
        await channel.close();
        expect(socketsTo([url])).toEqual([]);
      } finally {
        // An upgraded socket is never read by the server, so it does not notice the client left.
        held.forEach((socket) => socket.destroy());
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('fails with EtcdProtocolError on a message that is not JSON', async () => {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      server.on('connection', (socket) => socket.send('garbage'));
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const channel = new WsChannel(`http://127.0.0.1:${(server.address() as { port: number }).port}`, '/v3/watch', { openTimeoutMs: 5000 });
        expect(await failure(channel.messages)).toBeInstanceOf(EtcdProtocolError);
        await channel.close();
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
