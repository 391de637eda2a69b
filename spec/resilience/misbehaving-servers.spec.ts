import { firstValueFrom } from 'rxjs';
import { Etcd, EtcdAllEndpointsFailedError, EtcdOutcomeUnknownError, EtcdProtocolError } from '../../src';
import { FakeServer, startFakeServer, versionThen } from '../support/fake-server';
import { waitFor } from '../support/wait';

// Answers that no real etcd gives: these are the only tests that use a fake server.
describe('servers that answer garbage or nothing', () => {
  const servers: FakeServer[] = [];
  const clients: Etcd[] = [];
  const client = (endpoints: string[], requestTimeoutMs = 300) => {
    const etcd = new Etcd({ endpoints, requestTimeoutMs, retry: { attempts: 3, backoffBaseMs: 10, backoffCapMs: 20 } });
    clients.push(etcd);
    return etcd;
  };
  const server = async (behaviour: Parameters<typeof startFakeServer>[0]) => {
    const s = await startFakeServer(behaviour);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('reports a body that is not JSON as a protocol error naming the endpoint, for every endpoint', async () => {
    // Both pass the liveness probe, then answer the call itself with garbage.
    const a = await server(versionThen((_, res) => res.end('<html>proxy error</html>')));
    const b = await server(versionThen((_, res) => res.end('{"truncated":')));
    const error = await firstValueFrom(client([a.url, b.url]).get('k')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    const failures = (error as EtcdAllEndpointsFailedError).failures;
    expect(failures.map((f) => f.endpoint).sort()).toEqual([a.url, b.url].sort());
    for (const f of failures) expect(f.error).toBeInstanceOf(EtcdProtocolError);
    expect((error as Error).message).toContain('not JSON');
  });

  it('reports JSON of the wrong shape as a protocol error, not as a wrong value', async () => {
    const a = await server(versionThen((_, res) => res.end('{"kvs":[{"key":"a2V5","version":"not-a-number"}]}')));
    const error = await firstValueFrom(client([a.url]).get('key')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdAllEndpointsFailedError);
    expect((error as EtcdAllEndpointsFailedError).failures[0].error).toBeInstanceOf(EtcdProtocolError);
    expect((error as Error).message).toMatch(/kv.version is not a safe integer/);
  });

  const ONE_KEY = '{"header":{"revision":"7"},"kvs":[{"key":"aw==","value":"dg==","version":"1"}],"count":"1"}';

  it("sends a fresh client's read alone to a member that answers it at once: the answer proves it alive", async () => {
    const answering = await server(versionThen((_, res) => res.end(ONE_KEY)));
    const kv = await firstValueFrom(client([answering.url], 60_000).get('k'));
    expect(kv.unwrap().value).toBe('v');
    expect(answering.requests).toEqual(['POST /v3/kv/range']);
  });

  it('abandons a read sent with its liveness probe to a silent endpoint once the probe fails, and reads elsewhere', async () => {
    const silent = await server(() => undefined);
    const answering = await server(versionThen((_, res) => res.end(ONE_KEY)));
    // A long request timeout: only the probe's own cap (1 s) can be what moved the read on.
    const kv = await firstValueFrom(client([silent.url, answering.url], 60_000).get('k'));
    expect(kv.unwrap().value).toBe('v');
    // The read goes first (it may be sent again anyway), its probe after a moment; both are given up together.
    expect([...silent.requests].sort()).toEqual(['GET /version', 'POST /v3/kv/range']);
    await waitFor(() => silent.closedEarly.length === 2, 'the probe and the read to be abandoned');
  });

  it('moves a read past a server that hangs after passing its probe, within one request timeout', async () => {
    const hangsOnCalls = await server(versionThen(() => undefined));
    const answering = await server(versionThen((_, res) => res.end(ONE_KEY)));
    const kv = await firstValueFrom(client([hangsOnCalls.url, answering.url], 300).get('k'));
    expect(kv.unwrap().value).toBe('v');
    expect(hangsOnCalls.closedEarly).toEqual(['POST /v3/kv/range']);
  });

  it('gives up a read whose member stops answering even a liveness probe, long before the request timeout', async () => {
    // Alive for the first probe, then frozen: the read hangs, and so does the probe that follows.
    let versions = 0;
    const freezes = await server((request, response) => {
      if (request.url === '/version' && versions++ === 0) response.end('{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}');
    });
    const answering = await server(versionThen((_, res) => res.end(ONE_KEY)));
    const kv = await firstValueFrom(client([freezes.url, answering.url], 60_000).get('k'));
    expect(kv.unwrap().value).toBe('v');
    // The read goes alone first; unanswered after a moment, its member is probed (and answers).
    expect(freezes.requests).toEqual(['POST /v3/kv/range', 'GET /version', 'GET /version']);
    await waitFor(() => freezes.closedEarly.length === 2, 'the read and its probe to be abandoned');
    expect(freezes.closedEarly.sort()).toEqual(['GET /version', 'POST /v3/kv/range']);
  });

  it('waits for a slow read from a member that still answers its liveness probe', async () => {
    const slow = await server(versionThen((_, res) => setTimeout(() => res.end(ONE_KEY), 1500)));
    const kv = await firstValueFrom(client([slow.url], 60_000).get('k'));
    expect(kv.unwrap().value).toBe('v');
    expect(slow.requests).toEqual(['POST /v3/kv/range', 'GET /version', 'GET /version']);
    expect(slow.closedEarly).toEqual([]);
  });

  it('does not send a write to a silent endpoint that fails its liveness probe', async () => {
    const silent = await server(() => undefined);
    const answering = await server(versionThen((_, res) => res.end('{"header":{"revision":"9"}}')));
    const result = await firstValueFrom(client([silent.url, answering.url], 300).put('k', 'v'));
    expect(result.revision).toBe(9);
    expect(silent.requests).toEqual(['GET /version']);
  });

  it('reports a write that was sent and never answered as outcome unknown, without retrying it', async () => {
    const hangsOnWrites = await server(versionThen(() => undefined));
    const other = await server(versionThen((_, res) => res.end('{"header":{"revision":"9"}}')));
    const error = await firstValueFrom(client([hangsOnWrites.url, other.url], 300).put('k', 'v')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdOutcomeUnknownError);
    expect(other.requests).toEqual([]);
  });

  it('aborts the HTTP request when the subscriber unsubscribes', async () => {
    const silent = await server(versionThen(() => undefined));
    const subscription = client([silent.url], 10_000).get('k').subscribe();
    await waitFor(() => silent.requests.includes('POST /v3/kv/range'), 'the request to arrive');
    subscription.unsubscribe();
    await waitFor(() => silent.closedEarly.length === 1, 'the server to see the request abandoned');
    expect(silent.closedEarly).toEqual(['POST /v3/kv/range']);
  });
});
