/** How etcd's error answers become typed errors (the texts and codes are etcd 3.4's). */
import {
  EtcdAuthenticationError,
  EtcdNotFoundError,
  EtcdPermissionDeniedError,
  EtcdServerError,
  EtcdUnauthenticatedError,
  EtcdUnavailableError,
  GrpcCode,
} from '../../src';
import { namingRefusedKey } from '../../src/transport/refused-key';
import { decodeServerError, errorFromCode } from '../../src/transport/server-error';

const FROM = 'http://127.0.0.1:2379';

describe('errors etcd answers', () => {
  it.each([
    // The KV service's codes.
    [GrpcCode.UNAVAILABLE, 'etcdserver: no leader', true],
    [GrpcCode.UNAVAILABLE, 'etcdserver: leader changed', false],
    [GrpcCode.UNAVAILABLE, 'etcdserver: request timed out', false],
    [GrpcCode.RESOURCE_EXHAUSTED, 'etcdserver: too many requests', true],
    // The Lock and Election services pass the same troubles on with code 2.
    [GrpcCode.UNKNOWN, 'etcdserver: leader changed', false],
    [GrpcCode.UNKNOWN, 'etcdserver: request timed out, possibly due to previous leader failure', false],
    [GrpcCode.UNKNOWN, 'etcdserver: no leader', true],
    // A follower that knows no leader drops a proposal before it enters the log.
    [GrpcCode.UNKNOWN, 'raft proposal dropped', true],
  ])('code %i "%s" is a passing unavailability (not applied: %s), which reads and holds retry', (code, message, notApplied) => {
    const error = errorFromCode(code, message, FROM);
    expect(error).toBeInstanceOf(EtcdUnavailableError);
    expect((error as EtcdUnavailableError).notApplied).toBe(notApplied);
    expect(error.message).toBe(`${message} (code ${code}, from ${FROM})`);
  });

  it('keeps other code-2 answers and a full database as server errors, and a missing lease as not found', () => {
    expect(errorFromCode(GrpcCode.UNKNOWN, 'etcdserver: requested lease not found', FROM)).toBeInstanceOf(EtcdServerError);
    expect(errorFromCode(GrpcCode.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded', FROM)).toBeInstanceOf(EtcdServerError);
    expect(errorFromCode(GrpcCode.NOT_FOUND, 'etcdserver: requested lease not found', FROM)).toBeInstanceOf(EtcdNotFoundError);
  });
});

describe('answers of a cluster with authentication', () => {
  it.each([
    [GrpcCode.INVALID_ARGUMENT, 'etcdserver: authentication failed, invalid user ID or password', EtcdAuthenticationError],
    [GrpcCode.INVALID_ARGUMENT, 'etcdserver: user name is empty', EtcdUnauthenticatedError],
    [GrpcCode.UNAUTHENTICATED, 'etcdserver: invalid auth token', EtcdUnauthenticatedError],
    [GrpcCode.INVALID_ARGUMENT, 'etcdserver: revision of auth store is old', EtcdUnauthenticatedError],
    [GrpcCode.PERMISSION_DENIED, 'etcdserver: permission denied', EtcdPermissionDeniedError],
    // The Lock service's HTTP 500, which has no code of its own.
    [GrpcCode.UNKNOWN, 'permission denied', EtcdPermissionDeniedError],
  ])('code %i "%s" is %p', (code, message, type) => {
    expect(errorFromCode(code, message, FROM)).toBeInstanceOf(type);
  });

  it("reads etcd 3.5's refusal of a lease keep-alive with an expired token: HTTP 401 with a stream's error", () => {
    // Measured on 3.5.30 (3.4 does not check the token of a keep-alive).
    const error = decodeServerError({ error: { code: 16, message: 'etcdserver: invalid auth token' } }, FROM, 401);
    expect(error).toBeInstanceOf(EtcdUnauthenticatedError);
    expect(error.message).toBe(`etcdserver: invalid auth token (code 16, from ${FROM})`);
  });

  it('names the key of a refused request: a key, a lock name, the keys of a transaction', () => {
    const refused = errorFromCode(GrpcCode.PERMISSION_DENIED, 'etcdserver: permission denied', FROM);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const named = namingRefusedKey(refused, { key: b64('other/a') }) as EtcdPermissionDeniedError;
    expect(named.key).toBe('other/a');
    expect(named.message).toBe(`etcdserver: permission denied (code 7, from ${FROM}): no right to key "other/a"`);
    expect((namingRefusedKey(refused, { name: b64('jobs') }) as EtcdPermissionDeniedError).key).toBe('jobs');
    const txn = {
      compare: [{ key: b64('a'), target: 'VERSION' }],
      success: [{ request_put: { key: b64('b') } }],
      failure: [{ request_range: { key: b64('a') } }],
    };
    expect(namingRefusedKey(refused, txn).message).toContain('one of the keys "a", "b"');
    const other = errorFromCode(GrpcCode.NOT_FOUND, 'etcdserver: requested lease not found', FROM);
    expect(namingRefusedKey(other, { key: b64('k') })).toBe(other);
  });
});
