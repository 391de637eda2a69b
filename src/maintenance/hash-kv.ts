/**
 * The hash of a member's key-value store up to a revision (HashKV): equal on every member that
 * applied the same history, so comparing them finds a member whose data went wrong.
 */
import { map, mergeMap, Observable } from 'rxjs';
import { hashKvOverGateway } from '../resilience/member-version';
import { asObject, decodeId, decodeInt } from '../transport/codec';
import { Endpoint, EndpointPool } from '../resilience/endpoint-pool';
import { decodeFields, encodeVarintFields, FieldValue, varintField } from '../transport/protobuf';
import { decodeHeader } from '../transport/response-header';
import { HashKv } from './types';

/** Calls HashKV on one endpoint through the gateway: `(path, body) => answer`. */
export type GatewayCall = (path: string, body: unknown) => Observable<unknown>;

/**
 * HashKV of `endpoint` at `revision` (0: the latest), asked as the member's version says: etcd
 * 3.5+ answers it at `/v3/maintenance/hashkv`; 3.4's gateway has no route for it, so a 3.4
 * member (or one whose version cannot be read) is asked over gRPC.
 * @example hashKv(call, pool, pool.named('http://127.0.0.1:2379'), 0, 5000).subscribe((h) => console.log(h.hash))
 */
export function hashKv(gateway: GatewayCall, pool: EndpointPool, endpoint: Endpoint, revision: number, timeoutMs: number): Observable<HashKv> {
  return pool.monitor
    .version(endpoint, timeoutMs)
    .pipe(
      mergeMap((version) =>
        version !== undefined && hashKvOverGateway(version)
          ? gateway('/v3/maintenance/hashkv', { revision: String(revision) }).pipe(map((json) => decodeGatewayAnswer(json, endpoint.url)))
          : overGrpc(pool, endpoint, revision),
      ),
    );
}

function overGrpc(pool: EndpointPool, endpoint: Endpoint, revision: number): Observable<HashKv> {
  const exchange = { kind: 'grpc', path: '/etcdserverpb.Maintenance/HashKV', message: encodeVarintFields([[1, BigInt(revision)]]) } as const;
  return pool.send({ method: 'maintenance/hashkv', endpoint, attempt: 1, exchange }).pipe(
    map((bytes) => {
      const fields = decodeFields(bytes);
      const header = decodeFields(messageField(fields, 1));
      return {
        endpoint: endpoint.url,
        header: {
          clusterId: varintField(header, 1).toString(),
          memberId: varintField(header, 2).toString(),
          revision: Number(varintField(header, 3, true)),
          raftTerm: Number(varintField(header, 4)),
        },
        hash: Number(varintField(fields, 2)),
        compactRevision: Number(varintField(fields, 3, true)),
      };
    }),
  );
}

function messageField(fields: Map<number, FieldValue[]>, field: number): Buffer {
  const value = fields.get(field)?.at(-1);
  return value instanceof Buffer ? value : Buffer.alloc(0);
}

function decodeGatewayAnswer(json: unknown, endpoint: string): HashKv {
  const answer = asObject(json, 'hashkv response');
  return {
    endpoint,
    header: decodeHeader(answer.header),
    hash: decodeInt(answer.hash, 'hash'),
    compactRevision: answer.compact_revision === undefined ? 0 : Number(decodeId(answer.compact_revision, 'compact_revision')),
  };
}
