/**
 * Your own writes, even when concurrent: a get subscribed in the same tick as a put of the same
 * key (both pending) reads what was put, with coalescing and without, and through a namespace
 * view, on a real 3-member cluster.
 */
import { lastValueFrom } from 'rxjs';
import { EtcdOptions, KvOperations } from '../../src';
import { useClusterWithClients } from '../support/cluster';

const ROUNDS = 50;

describe('a read made while a write of the same key is pending', () => {
  const { client } = useClusterWithClients(3);

  /** The value each of ROUNDS gets read, each get subscribed right after its put. */
  async function readsAfterPuts(kv: KvOperations, key: string): Promise<string[]> {
    const read: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const put = lastValueFrom(kv.put(key, `value ${round}`));
      const get = lastValueFrom(kv.get(key));
      await put;
      const kv1 = await get;
      read.push(kv1.some ? kv1.val.value : '(absent)');
    }
    return read;
  }

  const expected = Array.from({ length: ROUNDS }, (_, round) => `value ${round}`);

  it.each<[string, EtcdOptions]>([
    ['with coalescing (the defaults)', {}],
    ['with coalesceReads: false', { coalesceReads: false }],
    ['with coalescing off', { coalesceReads: false, coalesceWrites: false }],
  ])(`sees the write in all ${ROUNDS} rounds %s`, async (_, options) => {
    const etcd = client(options);
    expect(await readsAfterPuts(etcd, `own/${JSON.stringify(options)}`)).toEqual(expected);
  });

  it('sees the write through a namespace view, coalesced or not', async () => {
    for (const options of [{}, { coalesceReads: false }]) {
      const view = client(options).namespace('own-view/');
      expect(await readsAfterPuts(view, `k${JSON.stringify(options)}`)).toEqual(expected);
    }
  });
});
