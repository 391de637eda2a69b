/**
 * A watch of a user without the root role, across the expiry of its token. From etcd 3.5.x
 * `maintenance/status` is for admins only ("permission denied" to anyone else), and a member
 * watchdog probe must not make that the watch's failure.
 */
import { firstValueFrom } from 'rxjs';
import { WatchBatch } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { Recorder } from '../lease/helpers';
import { addUserWithPrefix } from './secure-helpers';

const TOKEN_TTL_S = 3;
const BOB = { username: 'bob', password: 'bob-Pa55-word' };

describe('a watch across an expired auth token', () => {
  const { cluster, client } = useClusterWithClients(3, { auth: true, authTokenTtlSeconds: TOKEN_TTL_S });
  beforeAll(() => addUserWithPrefix(cluster(), BOB.username, BOB.password, 'exp/'), 30_000);

  it('keeps delivering to a user without the root role, a put 5 s later included', async () => {
    const watcher = client({ auth: BOB });
    const writer = client({ auth: cluster().rootCredentials });
    // From the first put's revision: a watch still being created cannot miss it.
    const first = await firstValueFrom(writer.put('exp/1', 'v'));
    const watch = new Recorder<WatchBatch>(watcher.watch({ prefix: 'exp/' }, { startRevision: first.revision }));
    await watch.next((b) => b.events.some((e) => e.kv.key === 'exp/1'), 'the first put');
    // The scenario itself: both clients' tokens have expired by then, and the watch's member was probed meanwhile.
    await new Promise((resolve) => setTimeout(resolve, (TOKEN_TTL_S + 2) * 1000));
    await firstValueFrom(writer.put('exp/2', 'v'));
    await watch.next((b) => b.events.some((e) => e.kv.key === 'exp/2'), 'the put after the tokens expired');
    expect(watch.error).toBeUndefined();
    expect(watch.values.flatMap((b) => b.events.map((e) => e.kv.key))).toEqual(['exp/1', 'exp/2']);
    watch.unsubscribe();
  });
});
