/**
 * Choices made per member from its version: the version is learned once (from a status answer
 * already seen, else `GET /version`) and HashKV goes to the gateway or to gRPC as it says.
 */
import { firstValueFrom, Observable, of, throwError } from 'rxjs';
import { EtcdConnectionError, EtcdPermissionDeniedError } from '../../src';
import { hashKv } from '../../src/maintenance/hash-kv';
import { Door, Exchange, Send } from '../../src/pipeline/attempt';
import { EndpointPool } from '../../src/resilience/endpoint-pool';
import { encodeVarintFields } from '../../src/transport/protobuf';

const URL = 'http://a:1';
const HEADER = { cluster_id: '1', member_id: '2', revision: '9', raft_term: '3' };

/** A pool of one member of etcd `version` that records what it was sent. */
function memberOf(version: string): { pool: EndpointPool; sent: Exchange[] } {
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
    socket: () => fail('no sockets here'),
  };
  return { pool: new EndpointPool([URL], { demoteMs: 1000, door }), sent };
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
    const { pool, sent } = memberOf('3.4.23');
    const status = { header: HEADER, version: '3.6.2', leader: '2', raftTerm: '3' };
    await firstValueFrom(pool.monitor.ask(() => of(status) as never, pool.endpoints[0], 1000));
    const gatewayPaths: string[] = [];
    expect(await askHash(pool, gatewayPaths)).toBe(55);
    expect(sent).toEqual([]);
  });

  it('asks callers at the same time one question, and asks again after the member went silent', async () => {
    const { pool, sent } = memberOf('3.5.30');
    const send: Send = (attempt) => pool.send(attempt);
    await Promise.all([1, 2, 3].map(() => firstValueFrom(pool.monitor.version(send, pool.endpoints[0], 1000))));
    expect(sent).toHaveLength(1);
    const silent: Send = () => throwError(() => new EtcdConnectionError('refused', false));
    await expect(firstValueFrom(pool.monitor.ask(silent, pool.endpoints[0], 1000))).rejects.toThrow('refused');
    expect(pool.monitor.report(URL).version).toBeUndefined();
    expect(await firstValueFrom(pool.monitor.version(send, pool.endpoints[0], 1000))).toEqual({ major: 3, minor: 5, patch: 30 });
    expect(sent).toHaveLength(2);
  });

  it('keeps the version of a member that refused its status for the user role', async () => {
    const { pool } = memberOf('3.5.30');
    await firstValueFrom(pool.monitor.version((attempt) => pool.send(attempt), pool.endpoints[0], 1000));
    const refused: Send = () => throwError(() => new EtcdPermissionDeniedError('status is for root only'));
    await expect(firstValueFrom(pool.monitor.ask(refused, pool.endpoints[0], 1000))).rejects.toThrow('root only');
    expect(pool.monitor.report(URL)).toEqual(expect.objectContaining({ reachable: true, version: '3.5.30' }));
  });
});
