/**
 * Choices made per member from its version: the version is learned once (from a status answer
 * already seen, else `GET /version`); HashKV goes to the gateway or to gRPC, and the watches of a
 * client with credentials to a WebSocket or to HTTP streams, as it says.
 */
import { asyncScheduler, firstValueFrom, NEVER, Observable, of, Subject, throwError } from 'rxjs';
import { EtcdConnectionError, EtcdPermissionDeniedError } from '../../src';
import { hashKv } from '../../src/maintenance/hash-kv';
import { Door, Exchange } from '../../src/pipeline/attempt';
import { Endpoint, EndpointPool } from '../../src/resilience/endpoint-pool';
import type { MemberWatchdog } from '../../src/resilience/member-watchdog';
import { parseMemberVersion, watchTransportFor } from '../../src/resilience/member-version';
import { encodeVarintFields } from '../../src/transport/protobuf';
import type { TokenSource } from '../../src/transport/http-endpoint';
import type { WsChannel } from '../../src/transport/ws-channel';
import { MemberVersionConnector, WatchConnector } from '../../src/watch/watch-connector';
import { WatchMultiplexer } from '../../src/watch/watch-multiplexer';
import { decodeWatchResponse, WatchResponse } from '../../src/watch/watch-response';

const URL = 'http://a:1';
const HEADER = { cluster_id: '1', member_id: '2', revision: '9', raft_term: '3' };

/** A pool of one member of etcd `version` that records what it was sent (and the tokens of its sockets). */
function memberOf(
  version: string,
  tokens?: TokenSource,
): { pool: EndpointPool; sent: Exchange[]; sockets: FakeChannel[]; answers: Record<Exchange['kind'], () => Observable<unknown>> } {
  const sockets: FakeChannel[] = [];
  const sent: Exchange[] = [];
  const answers: Record<Exchange['kind'], () => Observable<unknown>> = {
    get: () => of({ etcdserver: version, etcdcluster: '3.0.0' }),
    // HashKvResponse { header { revision: 9 }, hash: 77 }
    grpc: () => of(Buffer.concat([Buffer.from([0x0a, 2]), encodeVarintFields([[3, 9n]]), encodeVarintFields([[2, 77n]])])),
    post: () => throwError(() => new EtcdPermissionDeniedError('status is for root only')),
    lines: () => throwError(() => new EtcdConnectionError('no streams here', false)),
  };
  const door: Door = {
    send: (attempt) => {
      sent.push(attempt.exchange);
      return answers[attempt.exchange.kind]() as never;
    },
    socket: (_endpoint, _path, _timeoutMs, token) => {
      const channel = new FakeChannel(token);
      sockets.push(channel);
      return channel as unknown as WsChannel;
    },
  };
  return { pool: new EndpointPool([URL], { demoteMs: 1000, door, tokens, clock: asyncScheduler }), sent, sockets, answers };
}

/** A WebSocket that records what is sent on it, and the token it was opened with. */
class FakeChannel {
  readonly incoming = new Subject<Record<string, unknown>>();
  readonly messages = this.incoming.asObservable();
  readonly sent: unknown[] = [];
  constructor(readonly token: string | undefined) {}
  send(message: unknown): void {
    this.sent.push(message);
  }
  close(): Promise<void> {
    this.incoming.complete();
    return Promise.resolve();
  }
}

/** Tokens 't1', 't2'…: a new one after each refusal. */
function countingTokens(): TokenSource {
  const tokens = { generation: 1, token: () => of(`t${tokens.generation}`), refused: (used: number) => void (tokens.generation = used + 1) };
  return tokens;
}

/** A connector that says which one it is in the create it answers. */
function namedConnector(name: string): WatchConnector {
  return { open: () => of(decodeWatchResponse({ created: true, cancel_reason: name })), close: () => Promise.resolve() };
}

/** HashKV through `pool`, the gateway answering hash 55 (and recording that it was asked). */
function askHash(pool: EndpointPool, gatewayPaths: string[]): Promise<number> {
  const gateway = (path: string) => {
    gatewayPaths.push(path);
    return of({ header: HEADER, hash: 55, compact_revision: '-1' });
  };
  return firstValueFrom(hashKv(gateway, pool, pool.endpoints[0], 0, 1000)).then((answer) => answer.hash);
}

describe('choices made from each member version', () => {
  it('asks HashKV of a 3.4 member over gRPC, having asked its version once', async () => {
    const { pool, sent } = memberOf('3.4.23');
    const gatewayPaths: string[] = [];
    expect(await askHash(pool, gatewayPaths)).toBe(77);
    expect(await askHash(pool, gatewayPaths)).toBe(77);
    expect(gatewayPaths).toEqual([]);
    expect(sent.map((e) => `${e.kind} ${e.path}`)).toEqual(['get /version', 'grpc /etcdserverpb.Maintenance/HashKV', 'grpc /etcdserverpb.Maintenance/HashKV']);
    expect(pool.monitor.report(URL).version).toBe('3.4.23');
  });

  it('asks HashKV of a 3.5 member through the gateway', async () => {
    const { pool, sent } = memberOf('3.5.30');
    const gatewayPaths: string[] = [];
    expect(await askHash(pool, gatewayPaths)).toBe(55);
    expect(gatewayPaths).toEqual(['/v3/maintenance/hashkv']);
    expect(sent.map((e) => e.kind)).toEqual(['get']);
  });

  it('uses the version a status answered, without asking again', async () => {
    const { pool, sent, answers } = memberOf('3.4.23');
    answers.post = () => of({ header: HEADER, version: '3.6.2', leader: '2', raftTerm: '3' });
    await firstValueFrom(pool.monitor.status(pool.endpoints[0], 1000));
    sent.length = 0;
    const gatewayPaths: string[] = [];
    expect(await askHash(pool, gatewayPaths)).toBe(55);
    expect(sent).toEqual([]);
  });

  it('asks callers at the same time one question, and asks again after the member went silent', async () => {
    const { pool, sent, answers } = memberOf('3.5.30');
    await Promise.all([1, 2, 3].map(() => firstValueFrom(pool.monitor.version(pool.endpoints[0], 1000))));
    expect(sent).toHaveLength(1);
    answers.post = () => throwError(() => new EtcdConnectionError('refused', false));
    await expect(firstValueFrom(pool.monitor.status(pool.endpoints[0], 1000))).rejects.toThrow('refused');
    // The version it told stays in its report, but no longer stands: it may come back upgraded.
    expect(pool.monitor.report(URL)).toMatchObject({ reachable: false, version: '3.5.30' });
    expect(await firstValueFrom(pool.monitor.version(pool.endpoints[0], 1000))).toEqual({ major: 3, minor: 5, patch: 30 });
    expect(sent.map((e) => e.kind)).toEqual(['get', 'post', 'get']);
  });

  it('keeps the version of a member that refused its status for the user role', async () => {
    const { pool } = memberOf('3.5.30');
    await firstValueFrom(pool.monitor.version(pool.endpoints[0], 1000));
    await expect(firstValueFrom(pool.monitor.status(pool.endpoints[0], 1000))).rejects.toThrow('root only');
    expect(pool.monitor.report(URL)).toEqual(expect.objectContaining({ reachable: true, version: '3.5.30' }));
  });
});

describe('the transport of watches, per member', () => {
  it('is the WebSocket without credentials, and with them only where the member passes the token on', () => {
    const choices = ['3.4.23', '3.5.30', '3.5.32', '3.6.12', '3.6.13', 'garbage'].map((v) => [
      v,
      watchTransportFor(parseMemberVersion(v), false),
      watchTransportFor(parseMemberVersion(v), true),
    ]);
    expect(choices).toEqual([
      ['3.4.23', 'websocket', 'http'],
      ['3.5.30', 'websocket', 'http'],
      ['3.5.32', 'websocket', 'websocket'],
      ['3.6.12', 'websocket', 'http'],
      ['3.6.13', 'websocket', 'websocket'],
      ['garbage', 'websocket', 'http'],
    ]);
  });

  it.each([
    ['3.5.30', 'http'],
    ['3.6.13', 'websocket'],
  ])('sends the watches of a client with credentials on a %s member over %s', async (version, transport) => {
    const { pool, sent } = memberOf(version, countingTokens());
    const connector = new MemberVersionConnector(pool, namedConnector('websocket'), namedConnector('http'), 1000);
    const answer = await firstValueFrom(connector.open(pool.endpoints[0], () => ({})));
    expect(answer.cancelReason).toBe(transport);
    expect(sent.map((e) => e.path)).toEqual(['/version']);
  });

  it('asks no version without credentials: every member gets the WebSocket', async () => {
    const { pool, sent } = memberOf('3.4.23');
    const connector = new MemberVersionConnector(pool, namedConnector('websocket'), namedConnector('http'), 1000);
    expect((await firstValueFrom(connector.open(pool.endpoints[0], () => ({})))).cancelReason).toBe('websocket');
    expect(sent).toEqual([]);
  });

  it('opens a WebSocket with a new token when its create is refused for the old one, once', async () => {
    const { pool, sockets } = memberOf('3.6.13', countingTokens());
    const multiplexer = new WatchMultiplexer(pool, { openTimeoutMs: 1000, progressIntervalMs: 60_000 }, { guard: () => NEVER } as unknown as MemberWatchdog);
    const answers: WatchResponse[] = [];
    const errors: unknown[] = [];
    const watch = multiplexer.open(pool.endpoints[0] as Endpoint, (id) => ({ create_request: { key: 'aw==', watch_id: id } }));
    const subscription = watch.subscribe({ next: (a) => answers.push(a), error: (e: unknown) => errors.push(e) });
    sockets[0].incoming.next({ watch_id: '-1', created: true, canceled: true, cancel_reason: 'etcdserver: invalid auth token' });
    expect(sockets.map((s) => s.token)).toEqual(['t1', 't2']);
    sockets[1].incoming.next({ watch_id: '1', created: true });
    expect([answers.map((a) => a.created), errors]).toEqual([[true], []]);
    subscription.unsubscribe();
    sockets[1].incoming.next({ watch_id: '1', canceled: true });
    await multiplexer.close();
  });
});
