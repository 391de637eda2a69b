import { firstValueFrom, lastValueFrom, Observable, toArray } from 'rxjs';
import { Compare, Etcd, EtcdCompactedError, EtcdError, EtcdInvalidArgumentError, EtcdRequestTooLargeError, EtcdValueNotJsonError, Op } from '../../src';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

describe('key-value operations against a real etcd', () => {
  const cluster = useCluster(1);
  let etcd: Etcd;
  beforeAll(() => {
    etcd = new Etcd({ endpoints: cluster().endpoints });
  });
  afterAll(() => etcd.close());

  const get = (key: string) => firstValueFrom(etcd.get(key));
  const put = (key: string, value: string | Uint8Array) => firstValueFrom(etcd.put(key, value));

  it('answers None for a missing key', async () => {
    expect((await get('missing')).none).toBe(true);
  });

  it('writes and reads a key with its revisions and version', async () => {
    const first = await put('kv/a', 'one');
    const second = await firstValueFrom(etcd.put('kv/a', 'two', { prevKv: true }));
    expect(second.revision).toBe(first.revision + 1);
    expect(second.prevKv.unwrap().value).toBe('one');
    const kv = (await get('kv/a')).unwrap();
    expect(kv.key).toBe('kv/a');
    expect(kv.value).toBe('two');
    expect(kv.valueBuffer).toEqual(Buffer.from('two'));
    expect(kv.createRevision).toBe(first.revision);
    expect(kv.modRevision).toBe(second.revision);
    expect(kv.version).toBe(2);
    expect(kv.lease).toBe('0');
  });

  it('keeps binary keys and values byte for byte', async () => {
    const key = Buffer.from([0x00, 0xff, 0x80, 0x61]);
    const value = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
    await firstValueFrom(etcd.put(key, value));
    const kv = (await firstValueFrom(etcd.get(key))).unwrap();
    expect(kv.keyBuffer).toEqual(key);
    expect(kv.valueBuffer).toEqual(value);
  });

  it('round-trips JSON values and explains a value that is not JSON', async () => {
    await firstValueFrom(etcd.putJson('kv/json', { port: 8080, tags: ['a'] }));
    expect((await firstValueFrom(etcd.getJson<{ port: number }>('kv/json'))).unwrap()).toEqual({ port: 8080, tags: ['a'] });
    expect((await firstValueFrom(etcd.getJson('kv/none'))).none).toBe(true);
    await put('kv/notjson', '{oops');
    const error = await firstValueFrom(etcd.getJson('kv/notjson')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdValueNotJsonError);
    expect(error).toMatchObject({ key: 'kv/notjson', message: expect.stringMatching(/value of key "kv\/notjson" is not JSON/) });
  });

  it('refuses to write what JSON cannot hold, writing nothing', async () => {
    for (const [value, message] of [
      [undefined, /cannot be written as JSON \(got undefined\)/],
      [() => 1, /cannot be written as JSON \(got function\)/],
      [{ n: 1n }, /cannot be written as JSON: .*BigInt/],
    ] as const) {
      const error = await firstValueFrom(etcd.putJson('kv/badjson', value)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EtcdInvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    expect((await get('kv/badjson')).none).toBe(true);
  });

  it('lists 10,000 keys of a prefix page by page, each once, in order, at one revision', async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `big/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await firstValueFrom(etcd.txn({ success: keys.slice(i, i + 100).map((k) => Op.put(k, k)) }));
    }
    let pagesSeen = 0;
    const listed: string[] = [];
    await new Promise<void>((resolve, reject) => {
      etcd.list({ prefix: 'big/' }, { pageSize: 1000 }).subscribe({
        next: (kv) => {
          listed.push(kv.key);
          // A write during the listing must not show up: the listing reads one revision.
          if (listed.length === 1500 && pagesSeen === 0) {
            pagesSeen = 1;
            etcd.put('big/99999-late', 'x').subscribe();
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    expect(listed).toEqual(keys);
    const count = await firstValueFrom(etcd.range({ prefix: 'big/' }, { countOnly: true }));
    expect(count.count).toBeGreaterThanOrEqual(10_000);
  });

  it('reads the past at a given revision', async () => {
    const before = await put('kv/history', 'old');
    await put('kv/history', 'new');
    const past = await firstValueFrom(etcd.get('kv/history', { revision: before.revision }));
    expect(past.unwrap().value).toBe('old');
    expect((await get('kv/history')).unwrap().value).toBe('new');
  });

  it('honours limit, sort, keysOnly, countOnly and serializable', async () => {
    await put('sort/b', '2');
    await put('sort/a', '3');
    await put('sort/c', '1');
    const limited = await firstValueFrom(etcd.range({ prefix: 'sort/' }, { limit: 2 }));
    expect(limited.kvs.map((kv) => kv.key)).toEqual(['sort/a', 'sort/b']);
    expect(limited.more).toBe(true);
    expect(limited.count).toBe(3);
    const byValue = await firstValueFrom(etcd.range({ prefix: 'sort/' }, { sort: { target: 'value', order: 'descend' } }));
    expect(byValue.kvs.map((kv) => kv.value)).toEqual(['3', '2', '1']);
    const keysOnly = await firstValueFrom(etcd.range({ prefix: 'sort/' }, { keysOnly: true }));
    expect(keysOnly.kvs.map((kv) => kv.value)).toEqual(['', '', '']);
    const countOnly = await firstValueFrom(etcd.range({ prefix: 'sort/' }, { countOnly: true }));
    expect(countOnly.kvs).toEqual([]);
    expect(countOnly.count).toBe(3);
    const local = await firstValueFrom(etcd.range({ from: 'sort/b', to: 'sort/c' }, { serializable: true }));
    expect(local.kvs.map((kv) => kv.key)).toEqual(['sort/b']);
    expect(local.header.revision).toBeGreaterThan(0);
  });

  it('compare-and-set writes when the expectation holds and answers the current key when not', async () => {
    await put('cas/k', 'v1');
    const ok = await firstValueFrom(etcd.compareAndSet('cas/k', 'v2', { value: 'v1' }));
    expect(ok.ok).toBe(true);
    const failed = await firstValueFrom(etcd.compareAndSet('cas/k', 'v3', { value: 'v1' }));
    expect(failed.err).toBe(true);
    if (failed.err) expect(failed.val.current.unwrap().value).toBe('v2');
    expect((await get('cas/k')).unwrap().value).toBe('v2');

    const created = await firstValueFrom(etcd.compareAndSet('cas/new', 'x', { version: 0 }));
    expect(created.ok).toBe(true);
    const notAgain = await firstValueFrom(etcd.compareAndSet('cas/new', 'y', { version: 0 }));
    expect(notAgain.err && notAgain.val.current.unwrap().value).toBe('x');

    const kv = (await get('cas/new')).unwrap();
    expect((await firstValueFrom(etcd.compareAndSet('cas/new', 'z', { modRevision: kv.modRevision }))).ok).toBe(true);
    expect((await firstValueFrom(etcd.compareAndSet('cas/new', 'w', { createRevision: kv.createRevision + 1 }))).ok).toBe(false);
    const absent = await firstValueFrom(etcd.compareAndSet('cas/absent', 'w', { value: 'anything' }));
    expect(absent.err && absent.val.current.none).toBe(true);
  });

  it('compare-and-set against a KeyValue read before writes only if the key is unchanged since', async () => {
    await put('cas/read', 'v1');
    const read = (await get('cas/read')).unwrap();
    expect((await firstValueFrom(etcd.compareAndSet('cas/read', 'v2', read))).ok).toBe(true);
    // Written again with the very value read: unchanged in value, but not since the read.
    await put('cas/read', 'v1');
    const stale = (await get('cas/read')).unwrap();
    await put('cas/read', 'v1');
    const failed = await firstValueFrom(etcd.compareAndSet('cas/read', 'v3', stale));
    expect(failed.err && failed.val.current.unwrap().modRevision).toBeGreaterThan(stale.modRevision);
    expect((await get('cas/read')).unwrap().value).toBe('v1');
  });

  it('compare-and-set with several expectations writes only when every one holds', async () => {
    const { revision } = await put('cas/both', 'v1');
    const versionWrong = await firstValueFrom(etcd.compareAndSet('cas/both', 'v2', { value: 'v1', version: 99 }));
    expect(versionWrong.err).toBe(true);
    const valueWrong = await firstValueFrom(etcd.compareAndSet('cas/both', 'v2', { value: 'other', modRevision: revision }));
    expect(valueWrong.err).toBe(true);
    expect((await get('cas/both')).unwrap().value).toBe('v1');
    const both = await firstValueFrom(etcd.compareAndSet('cas/both', 'v2', { value: 'v1', modRevision: revision }));
    expect(both.ok).toBe(true);
    expect((await get('cas/both')).unwrap().value).toBe('v2');
  });

  it('lets a key written with a TTL expire', async () => {
    await firstValueFrom(etcd.put('ttl/k', 'soon gone', { ttl: 1 }));
    const kv = (await get('ttl/k')).unwrap();
    expect(kv.lease).not.toBe('0');
    const ttl = await firstValueFrom(etcd.timeToLive(kv.lease, { keys: true }));
    expect(ttl.keys.map(String)).toEqual(['ttl/k']);
    await waitFor(async () => (await get('ttl/k')).none, 'the key to expire', 15_000);
  });

  it('revokes the lease of a compare-and-set with ttl whose compare failed', async () => {
    await put('cas/ttl', 'taken');
    const before = await firstValueFrom(etcd.leases());
    const failed = await firstValueFrom(etcd.compareAndSet('cas/ttl', 'mine', { version: 0 }, { ttl: 30 }));
    expect(failed.err).toBe(true);
    await waitFor(async () => (await firstValueFrom(etcd.leases())).length === before.length, 'the lease granted for the failed compare to be revoked');
    expect(await firstValueFrom(etcd.leases())).toEqual(before);
  });

  it('revokes the lease it granted for a put with ttl that failed', async () => {
    const before = await firstValueFrom(etcd.leases());
    const error = await firstValueFrom(etcd.put('ttl/big', Buffer.alloc(1.6e6, 1), { ttl: 60 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdRequestTooLargeError);
    await waitFor(async () => (await firstValueFrom(etcd.leases())).length === before.length, 'the lease granted for the failed put to be revoked');
    expect(await firstValueFrom(etcd.leases())).toEqual(before);
  });

  it('refuses ttl next to the options that name the lease themselves, granting nothing', async () => {
    const before = await firstValueFrom(etcd.leases());
    const { id } = await firstValueFrom(etcd.grantLease(30));
    for (const [options, message] of [
      [{ ttl: 5, lease: id }, /ttl .* cannot go with lease/],
      [{ ttl: 5, ignoreLease: true }, /ttl .* cannot go with ignoreLease/],
    ] as const) {
      const calls: Array<() => Observable<unknown>> = [
        () => etcd.put('ttl/both', 'v', options),
        () => etcd.compareAndSet('ttl/both', 'v', { version: 0 }, options),
      ];
      for (const call of calls) {
        const error = await firstValueFrom(call()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EtcdInvalidArgumentError);
        expect((error as Error).message).toMatch(message);
      }
    }
    await firstValueFrom(etcd.revokeLease(id));
    expect(await firstValueFrom(etcd.leases())).toEqual(before);
    expect((await get('ttl/both')).none).toBe(true);
  });

  it('runs both branches of a transaction with typed results, nested ones too', async () => {
    await put('txn/k', '1');
    const yes = await firstValueFrom(
      etcd.txn({
        compare: [Compare.value('txn/k', '==', '1')],
        success: [Op.put('txn/k', '2', { prevKv: true }), Op.get('txn/k'), Op.txn({ success: [Op.delete('txn/other')] })],
        failure: [Op.get('txn/k')],
      }),
    );
    expect(yes.succeeded).toBe(true);
    expect(yes.responses.map((r) => r.type)).toEqual(['put', 'range', 'txn']);
    const [putResult, rangeResult] = yes.responses;
    expect(putResult.type === 'put' && putResult.result.prevKv.unwrap().value).toBe('1');
    expect(rangeResult.type === 'range' && rangeResult.result.kvs[0].value).toBe('2');

    const no = await firstValueFrom(
      etcd.txn({ compare: [Compare.version('txn/k', '>', 5)], success: [Op.put('txn/k', 'never')], failure: [Op.get('txn/k'), Op.delete('txn/k')] }),
    );
    expect(no.succeeded).toBe(false);
    expect(no.responses.map((r) => r.type)).toEqual(['range', 'delete']);
    expect(no.responses[1].type === 'delete' && no.responses[1].result.deleted).toBe(1);
  });

  it('deletes one key, a prefix and a range, counting them', async () => {
    for (const k of ['del/a', 'del/b', 'del/c', 'dem']) await put(k, k);
    expect((await firstValueFrom(etcd.delete('del/a', { prevKv: true }))).prevKvs.map((kv) => kv.value)).toEqual(['del/a']);
    expect((await firstValueFrom(etcd.delete('del/a'))).deleted).toBe(0);
    expect((await firstValueFrom(etcd.delete({ from: 'del/b', to: 'del/c' }))).deleted).toBe(1);
    expect((await firstValueFrom(etcd.delete({ prefix: 'de' }))).deleted).toBe(2);
  });

  it.each([1.6e6, 4e6])('refuses a value of %d bytes, over the server size limit, with a clear error, writing nothing', async (size) => {
    const error = await firstValueFrom(etcd.put('big/value', Buffer.alloc(size, 1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdRequestTooLargeError);
    expect((error as Error).message).toMatch(/request is too large|message larger than max/);
    expect((await get('big/value')).none).toBe(true);
  });

  it('refuses empty keys and wrong argument types before sending anything', async () => {
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => firstValueFrom(etcd.get('')), /key must not be empty/],
      [() => firstValueFrom(etcd.put('', 'v')), /key must not be empty/],
      [() => firstValueFrom(etcd.put(42 as unknown as string, 'v')), /key must be a string or a Uint8Array, got number/],
      [() => firstValueFrom(etcd.put('k', { a: 1 } as unknown as string)), /value must be a string or a Uint8Array, got an object/],
      [() => firstValueFrom(etcd.put('k', 'v', { ttl: 0 })), /ttl must be a whole number of seconds/],
      [() => firstValueFrom(etcd.put('k', 'v', { lease: 'abc' })), /lease must be a lease id/],
      [() => firstValueFrom(etcd.range({ prefix: 'x' }, { limit: -1 })), /limit must be a whole number/],
      [() => firstValueFrom(etcd.delete({} as never)), /key selector must be/],
      [() => firstValueFrom(etcd.txn({ success: [{} as never] })), /txn success\[0\] must be built with Op/],
      [() => firstValueFrom(etcd.get(undefined as never)), /key must be a string or a Uint8Array, got undefined$/],
      [() => firstValueFrom(etcd.put('k', undefined as never)), /value must be a string or a Uint8Array, got undefined$/],
      [() => firstValueFrom(etcd.get('k', null as never)), /get options must be an object, got null/],
      [() => firstValueFrom(etcd.range('k', 5 as never)), /range options must be an object, got number/],
      [() => firstValueFrom(etcd.put('k', 'v', null as never)), /put options must be an object, got null/],
      [() => firstValueFrom(etcd.delete('k', 'x' as never)), /delete options must be an object, got string/],
      [
        () => firstValueFrom(etcd.range('k', { sort: { target: 'toString' as never } })),
        /sort.target must be one of key, version, createRevision, modRevision, value; got toString/,
      ],
      [() => firstValueFrom(etcd.compareAndSet('k', 'v', { value: 5 as never })), /compared value must be a string or a Uint8Array, got number 5/],
      [() => firstValueFrom(etcd.compareAndSet('k', 'v', { vesion: 1 } as never)), /got unknown field\(s\) vesion/],
      [() => firstValueFrom(etcd.endpointStatus(5 as never)), /endpoint must be a string .*, got number 5/],
      [() => firstValueFrom(etcd.endpointStatus('127.0.0.1:1,127.0.0.1:2')), /name one endpoint, not 2/],
      [() => firstValueFrom(etcd.endpointStatus('ht!tp:/x')), /endpoint "ht!tp:\/x" has no valid host name/],
      [() => firstValueFrom(etcd.grantLease(0)), /ttl must be a whole number of seconds ≥ 1, got 0/],
      [() => firstValueFrom(etcd.revokeLease('x')), /lease must be a lease id/],
      [() => firstValueFrom(etcd.timeToLive('x')), /lease must be a lease id/],
      [() => firstValueFrom(etcd.withLock('l', 'work' as never)), /withLock needs the work as a function of the lock, got string/],
    ];
    // Builders refuse at once; every call reports bad input on the error channel, never by throwing as it is called.
    expect(() => Compare.value('k', 'toString' as never, 'v')).toThrow(/compare result must be one of ==, !=, >, <; got toString/);
    expect(() => Op.get('k', null as never)).toThrow(new EtcdInvalidArgumentError('range options must be an object, got null'));
    expect(() => Op.put('k', 'v', 5 as never)).toThrow(new EtcdInvalidArgumentError('put options must be an object, got number 5'));
    expect(() => Op.delete('k', [] as never)).toThrow(new EtcdInvalidArgumentError('delete options must be an object, got an array'));
    expect(() => [etcd.grantLease(-1), etcd.revokeLease(undefined as never), etcd.timeToLive('x'), etcd.get('k', null as never)]).not.toThrow();
    for (const [call, message] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EtcdInvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    expect((await get('k')).none).toBe(true);
  });

  it('is cold: nothing is sent before subscribe, and an unsubscribe in the same tick sends nothing', async () => {
    const put$ = etcd.put('cold/k', 'v');
    expect((await get('cold/k')).none).toBe(true);
    put$.subscribe().unsubscribe();
    const marker = await put('cold/marker', 'after');
    const past = await firstValueFrom(etcd.range({ prefix: 'cold/' }, { revision: marker.revision }));
    expect(past.kvs.map((kv) => kv.key)).toEqual(['cold/marker']);
  });

  it('fails reads of a compacted revision with EtcdCompactedError', async () => {
    const old = await put('compact/k', 'v1');
    const latest = await put('compact/k', 'v2');
    await firstValueFrom(etcd.compact(latest.revision));
    const error = await firstValueFrom(etcd.get('compact/k', { revision: old.revision })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdCompactedError);
    expect(error).toBeInstanceOf(EtcdError);
  });

  it('takes the status of an endpoint named as host:port, as the constructor does', async () => {
    const [endpoint] = cluster().endpoints;
    const status = await firstValueFrom(etcd.endpointStatus(endpoint.replace('http://', '')));
    expect(status.endpoint).toBe(endpoint);
    expect(status.version).toMatch(/^3\./);
  });

  it('accepts Op.put options whose ttl is left undefined', async () => {
    const result = await firstValueFrom(etcd.txn({ success: [Op.put('txn/undefined-ttl', 'v', { ttl: undefined } as never)] }));
    expect(result.succeeded).toBe(true);
    expect(() => Op.put('k', 'v', { ttl: 5 } as never)).toThrow(/ttl is not supported inside a txn/);
  });

  it('lists every key with an empty prefix', async () => {
    const all = await lastValueFrom(etcd.list({ prefix: '' }, { keysOnly: true }).pipe(toArray()));
    expect(all.length).toBe((await firstValueFrom(etcd.range({ prefix: '' }, { countOnly: true }))).count);
  });
});
