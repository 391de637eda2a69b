/**
 * A member that answers a linearizable read from the past: etcd 3.4.23 does so for a moment when
 * a paused leader resumes (etcd-io/etcd#20418), which cannot be produced on demand, so a fake
 * member gives that answer here, next to a real one.
 */
import { firstValueFrom } from 'rxjs';
import { useClusterWithClients } from '../support/cluster';
import { FakeServer, startFakeServer, versionThen } from '../support/fake-server';
import { waitFor } from '../support/wait';

describe('a member answering from the past', () => {
  const { cluster, client } = useClusterWithClients(1);
  let stale: FakeServer;
  beforeAll(async () => {
    // A range answer from revision 1, as the store was before anything was written.
    stale = await startFakeServer(
      versionThen((_, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ header: { cluster_id: '1', member_id: '2', revision: '1', raft_term: '2' }, count: '0' }));
      }),
    );
  });
  afterAll(() => stale.close());

  const rangesAtStale = () => stale.requests.filter((r) => r === 'POST /v3/kv/range').length;

  it('is not believed by a linearizable read after this client saw a later revision, and is by a serializable one', async () => {
    const member = cluster().members[0];
    const etcd = client({ endpoints: [member.clientUrl, stale.url], requestTimeoutMs: 1000 });
    const written = await firstValueFrom(etcd.put('stale/k', 'fresh'));
    expect(written.revision).toBeGreaterThan(1);

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
  });
});
