/** How etcd's error answers become typed errors (the texts and codes are etcd 3.4's). */
import { EtcdNotFoundError, EtcdServerError, EtcdUnavailableError, GrpcCode } from '../../src';
import { errorFromCode } from '../../src/transport/server-error';

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
