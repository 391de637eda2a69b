/**
 * Every decoder reads both encodings of etcd's JSON gateway: the one of 3.4 and 3.5 (measured),
 * and the protojson of 3.6 and later (documented): fields holding their default value left out
 * (no `count` when 0, no `kvs`, no `more`, no `created`, header fields absent), int64 as strings,
 * and an error body `{code, message, details}` without `error`.
 */
import { EtcdCompactedError, EtcdPermissionDeniedError, EtcdProtocolError, EtcdUnauthenticatedError } from '../../src';
import { decodeMemberList } from '../../src/cluster/member-codec';
import { decodeStatus } from '../../src/cluster/cluster-service';
import { decodeDelete } from '../../src/kv/delete';
import { decodePut } from '../../src/kv/put';
import { decodeRange } from '../../src/kv/range';
import { decodeTxn } from '../../src/kv/txn';
import { decodeGrant, decodeKeepAlive, decodeLeases, decodeTimeToLive } from '../../src/lease/lease-calls';
import { unwrapStreamMessage } from '../../src/transport/server-error';
import { decodeServerError } from '../../src/transport/server-error';
import { decodeWatchResponse } from '../../src/watch/watch-response';

const ENDPOINT = 'http://127.0.0.1:2379';
const HEADER_34 = { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: '7', raft_term: '2' };
// protojson leaves out what is 0: a fresh cluster's answers can lack revision and term.
const HEADER_36 = { cluster_id: '14841639068965178418', member_id: '10276657743932975437' };
const KV = { key: 'YQ==', create_revision: '5', mod_revision: '7', version: '2', value: 'MQ==' };

describe('answer shapes of etcd 3.4/3.5 and of 3.6+ (protojson)', () => {
  it('range: an empty answer without count, kvs and more; a full one alike in both', () => {
    expect(decodeRange({ header: HEADER_34, count: '0' })).toMatchObject({ kvs: [], count: 0, more: false, header: { revision: 7 } });
    expect(decodeRange({ header: HEADER_36 })).toMatchObject({ kvs: [], count: 0, more: false, header: { revision: 0, raftTerm: 0 } });
    expect(decodeRange({})).toMatchObject({ kvs: [], count: 0, more: false, header: { clusterId: '0', memberId: '0' } });
    const full = decodeRange({ header: HEADER_36, kvs: [KV], count: '3', more: true });
    expect(full.kvs.map((kv) => [kv.key, kv.value, kv.modRevision, kv.lease])).toEqual([['a', '1', 7, '0']]);
    expect(full).toMatchObject({ count: 3, more: true });
  });

  it('range: keys and values are read from their base64 once asked for, and must be text', () => {
    const [kv] = decodeRange({ kvs: [{ key: 'YQ==' }] }).kvs;
    expect(kv.valueBuffer).toEqual(Buffer.alloc(0));
    expect(kv.keyBuffer).toBe(kv.keyBuffer);
    expect(kv.key).toBe('a');
    expect(() => decodeRange({ kvs: [{ key: 5, value: 'MQ==' }] })).toThrow(EtcdProtocolError);
  });

  it('put and delete: no prev_kv, no deleted count, no prev_kvs', () => {
    expect(decodePut({ header: HEADER_34 }).prevKv.none).toBe(true);
    expect(decodePut({}).header.revision).toBe(0);
    expect(decodePut({ header: HEADER_36, prev_kv: KV }).prevKv.some).toBe(true);
    expect(decodeDelete({ header: HEADER_34, deleted: '2' })).toMatchObject({ deleted: 2, prevKvs: [] });
    expect(decodeDelete({ header: HEADER_36 })).toMatchObject({ deleted: 0, prevKvs: [] });
  });

  it('txn: a failed comparison without succeeded, a put answered as an empty object', () => {
    expect(decodeTxn({ header: HEADER_34, succeeded: true, responses: [{ response_put: { header: HEADER_34 } }] })).toMatchObject({
      succeeded: true,
      responses: [{ type: 'put' }],
    });
    const failed = decodeTxn({ header: HEADER_36, responses: [{ response_range: {} }, { response_put: {} }, { response_delete_range: {} }] });
    expect(failed.succeeded).toBe(false);
    expect(failed.responses.map((r) => r.type)).toEqual(['range', 'put', 'delete']);
    expect(decodeTxn({ header: HEADER_36 })).toMatchObject({ succeeded: false, responses: [] });
  });

  it('lease grant, keep-alive, time-to-live and list, with TTL, grantedTTL and leases left out when 0 or empty', () => {
    expect(decodeGrant({ header: HEADER_34, ID: '7587852521871779339', TTL: '10' })).toMatchObject({ id: '7587852521871779339', ttl: 10 });
    expect(decodeGrant({ ID: '7587852521871779339', TTL: '10' })).toMatchObject({ id: '7587852521871779339', ttl: 10 });
    expect(decodeKeepAlive({ result: { header: HEADER_34, ID: '7', TTL: '10' } }, ENDPOINT).ttl).toBe(10);
    // A lease that is gone: TTL left out (3.4 sends "-1" in time-to-live, protojson the same as a string).
    expect(decodeKeepAlive({ result: { ID: '7' } }, ENDPOINT).ttl).toBe(0);
    expect(decodeTimeToLive({ header: HEADER_34, ID: '7', TTL: '-1' })).toMatchObject({ ttl: -1, grantedTtl: 0, keys: [] });
    expect(decodeTimeToLive({ ID: '7', TTL: '4', grantedTTL: '10', keys: ['YQ=='] })).toMatchObject({ ttl: 4, grantedTtl: 10 });
    expect(decodeLeases({ header: HEADER_34, leases: [{ ID: '7' }, { ID: '8' }] })).toEqual(['7', '8']);
    expect(decodeLeases({ header: HEADER_36 })).toEqual([]);
  });

  it('watch: a create for watch 0 without watch_id and created only when true; events; a cancel', () => {
    expect(decodeWatchResponse({ header: HEADER_34, created: true })).toMatchObject({ watchId: 0, created: true, canceled: false, events: [] });
    const events = decodeWatchResponse({ header: HEADER_36, watch_id: '3', events: [{ kv: KV }, { type: 'DELETE', kv: { key: 'YQ==', mod_revision: '8' } }] });
    expect(events).toMatchObject({ watchId: 3, created: false, fragment: false, compactRevision: 0 });
    expect(events.events.map((e) => [e.type, e.kv.key, e.revision])).toEqual([
      ['put', 'a', 7],
      ['delete', 'a', 8],
    ]);
    const compacted = decodeWatchResponse({ header: HEADER_36, watch_id: '3', canceled: true, compact_revision: '5' });
    expect(compacted).toMatchObject({ canceled: true, compactRevision: 5, cancelReason: '' });
    const refused = decodeWatchResponse({ watch_id: '-1', created: true, canceled: true, cancel_reason: 'etcdserver: permission denied' });
    expect(refused).toMatchObject({ watchId: -1, created: true, canceled: true, cancelReason: 'etcdserver: permission denied' });
  });

  it('status and member list, with every zero and false left out', () => {
    const status34 = {
      header: HEADER_34,
      version: '3.4.23',
      dbSize: '20480',
      leader: '10276657743932975437',
      raftIndex: '17',
      raftTerm: '2',
      raftAppliedIndex: '17',
      dbSizeInUse: '16384',
    };
    expect(decodeStatus(status34, ENDPOINT)).toMatchObject({ version: '3.4.23', dbSize: 20480, raftTerm: 2, isLearner: false, errors: [] });
    expect(decodeStatus({ header: HEADER_36, version: '3.6.5', dbSize: '20480' }, ENDPOINT)).toMatchObject({
      version: '3.6.5',
      leader: '0',
      raftIndex: 0,
      dbSizeInUse: 0,
      isLearner: false,
      errors: [],
    });
    const member = { ID: '10276657743932975437', name: 'm1', peerURLs: ['http://127.0.0.1:2380'], clientURLs: ['http://127.0.0.1:2379'] };
    expect(decodeMemberList({ header: HEADER_36, members: [member, { ID: '2', isLearner: true }] }).members).toMatchObject([
      { id: '10276657743932975437', name: 'm1', isLearner: false },
      { id: '2', name: '', peerUrls: [], clientUrls: [], isLearner: true },
    ]);
    expect(decodeMemberList({}).members).toEqual([]);
  });

  it('errors: {error, message, code} of 3.4, {code, message} of 3.5, {code, message, details} of 3.6, and in streams', () => {
    const denied34 = decodeServerError({ error: 'etcdserver: permission denied', message: 'etcdserver: permission denied', code: 7 }, ENDPOINT, 403);
    const denied35 = decodeServerError({ code: 7, message: 'etcdserver: permission denied' }, ENDPOINT, 403);
    const denied36 = decodeServerError({ code: 7, message: 'etcdserver: permission denied', details: [] }, ENDPOINT, 403);
    for (const error of [denied34, denied35, denied36]) expect(error).toBeInstanceOf(EtcdPermissionDeniedError);
    expect(decodeServerError({ code: 16, message: 'etcdserver: invalid auth token', details: [] }, ENDPOINT, 401)).toBeInstanceOf(EtcdUnauthenticatedError);
    const compacted34 = {
      error: { grpc_code: 11, http_code: 400, message: 'etcdserver: mvcc: required revision has been compacted', http_status: 'Bad Request' },
    };
    const compacted36 = { error: { code: 11, message: 'etcdserver: mvcc: required revision has been compacted', details: [] } };
    for (const message of [compacted34, compacted36]) expect(() => unwrapStreamMessage(message, ENDPOINT)).toThrow(EtcdCompactedError);
  });
});
