/**
 * A member that answers a linearizable read from the past: etcd 3.4.23 does so for a moment when
 * a paused leader resumes (etcd-io/etcd#20418), which cannot be produced on demand, so a fake
 * member gives that answer here, next to a real one.
 */
import { firstValueFrom } from 'rxjs';
import { EtcdUnavailableError, Op } from '../../src';
import { SeenRevision } from '../../src/resilience/seen-revision';
import { useClusterWithClients } from '../support/cluster';
import { FakeServer, startFakeServer, versionThen } from '../support/fake-server';
import { waitFor } from '../support/wait';

describe('a member answering from the past', () => {
  const { cluster, client } = useClusterWithClients(1);
  let stale: FakeServer;
  // The real cluster's id, once known: a stale member belongs to the same cluster.
  let clusterId = '0';
  beforeAll(async () => {
    // Range and read-only txn answers from revision 1, as the store was before anything was written.
    stale = await startFakeServer(
      versionThen((request, response) => {
        const header = { cluster_id: clusterId, member_id: '2', revision: '1', raft_term: '2' };
        response.setHeader('content-type', 'application/json');
        const range = { header, count: '0' };
        response.end(JSON.stringify(request.url === '/v3/kv/txn' ? { header, succeeded: true, responses: [{ response_range: range }] } : range));
      }),
    );
  });
  afterAll(() => stale.close());

  const rangesAtStale = () => stale.requests.filter((r) => r === 'POST /v3/kv/range').length;
  const txnsAtStale = () => stale.requests.filter((r) => r === 'POST /v3/kv/txn').length;

  it('is not believed by a linearizable read after this client saw a later revision, and is by a serializable one', async () => {
    const member = cluster().members[0];
    const etcd = client({ endpoints: [member.clientUrl, stale.url], requestTimeoutMs: 1000 });
    const written = await firstValueFrom(etcd.put('stale/k', 'fresh'));
    expect(written.revision).toBeGreaterThan(1);
    clusterId = written.header.clusterId;

    // The real member hangs; the read moves to the stale one, which must not be believed.
    member.freeze();
    const read = firstValueFrom(etcd.get('stale/k'));
    await waitFor(() => rangesAtStale() === 1, 'the read to reach the stale member');
    member.resume();
    const kv = await read;
    expect(kv.some && kv.val.value).toBe('fresh');

    // A serializable read asks for any member's local state, however old: the stale answer stands.
    member.freeze();
    const local = await firstValueFrom(etcd.get('stale/k', { serializable: true }));
    member.resume();
    expect([local.none, rangesAtStale()]).toEqual([true, 2]);

    // A transaction that only reads is a read, checked the same way.
    member.freeze();
    const txn = firstValueFrom(etcd.txn({ success: [Op.get('stale/k')] }));
    await waitFor(() => txnsAtStale() === 1, 'the txn to reach the stale member');
    member.resume();
    const [response] = (await txn).responses;
    expect(response.type === 'range' && response.result.kvs.map((kv) => kv.value)).toEqual(['fresh']);
  });

  it('starts its floor over for a cluster that is not the one it was measured on (restored from a backup)', () => {
    const seen = new SeenRevision();
    seen.record({ header: { cluster_id: '7', revision: '500' } }, 'a');
    expect(() => seen.record({ header: { cluster_id: '7', revision: '20' } }, 'a', seen.revision)).toThrow(EtcdUnavailableError);
    seen.record({ header: { cluster_id: '8', revision: '20' } }, 'a', seen.revision);
    expect(seen.revision).toBe(20);
    // A keep-alive answer (one message of a stream) raises it too.
    seen.record({ result: { header: { cluster_id: '8', revision: '25' } } }, 'a');
    expect(seen.revision).toBe(25);
  });
});
