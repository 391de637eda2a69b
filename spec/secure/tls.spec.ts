/**
 * TLS against a real 3-member etcd serving https:// with client certificates required: every
 * call and stream over TLS (unary calls, HTTP streams, wss:// WebSocket), across a member's
 * death; certificates that cannot be verified fail at once with EtcdTlsError, never retried,
 * never a fallback to plain HTTP or to no verification.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Compare, Etcd, EtcdInvalidArgumentError, EtcdTlsError, LeaseEvent, Lock, Op, WatchBatch, WatchTransport } from '../../src';
import { createTestCertificates, TlsFiles } from '../../src/testing';
import * as tlsOptions from '../../src/transport/tls-options';
import { Recorder } from '../lease/helpers';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

describe('a client of a cluster serving TLS with client certificates', () => {
  const { cluster, client, clientPreferring } = useClusterWithClients(3, { tls: true });
  const tls = (): TlsFiles => cluster().tls ?? fail('the cluster has no TLS files');
  let otherCa: string;

  beforeAll(() => {
    otherCa = createTestCertificates(fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-other-ca-'))).client.ca;
  });

  it('serves every KV call over https', async () => {
    const etcd = client({ tls: tls() });
    expect(etcd.endpoints.every((url) => url.startsWith('https://127.0.0.1:'))).toBe(true);
    const put = await firstValueFrom(etcd.put('tls/a', '1'));
    expect((await firstValueFrom(etcd.get('tls/a'))).unwrap().value).toBe('1');
    await firstValueFrom(etcd.putJson('tls/b', { n: 2 }));
    expect((await firstValueFrom(etcd.getJson<{ n: number }>('tls/b'))).unwrap()).toEqual({ n: 2 });
    expect((await firstValueFrom(etcd.range({ prefix: 'tls/' }))).count).toBe(2);
    expect((await lastValueFrom(etcd.list({ prefix: 'tls/' }).pipe(toArray()))).map((kv) => kv.key)).toEqual(['tls/a', 'tls/b']);
    expect((await firstValueFrom(etcd.compareAndSet('tls/a', '2', { value: '1' }))).ok).toBe(true);
    const txn = await firstValueFrom(etcd.txn({ compare: [Compare.value('tls/a', '==', '2')], success: [Op.put('tls/c', '3')], failure: [] }));
    expect(txn.succeeded).toBe(true);
    expect((await firstValueFrom(etcd.delete({ prefix: 'tls/' }))).deleted).toBe(3);
    await firstValueFrom(etcd.compact(put.revision));
    expect((await firstValueFrom(etcd.endpointStatus())).version).toMatch(/^3\./);
    expect((await firstValueFrom(etcd.memberList())).members.length).toBe(3);
    expect((await firstValueFrom(etcd.leaderMember())).clientUrls[0]).toMatch(/^https:/);
    // etcd 3.4 answers HashKV only over gRPC, on the same port, with the same TLS.
    expect((await firstValueFrom(etcd.hashKv(etcd.endpoints[1]))).endpoint).toBe(etcd.endpoints[1]);
  });

  it.each<WatchTransport>(['websocket', 'http'])('keeps a %s watch over TLS going across the SIGKILL of its member, every revision once', async (transport) => {
    // A follower: writes made meanwhile never wait for an election.
    const leader = await cluster().leader();
    const victim = cluster().members.find((m) => m !== leader) ?? fail('no follower');
    const watcher = clientPreferring(victim, { tls: tls(), watchTransport: transport, watchProgressIntervalMs: 500, requestTimeoutMs: 1000 });
    const writer = client({ endpoints: [leader.clientUrl], tls: tls() });
    const prefix = `tls-watch-${transport}/`;
    const first = await firstValueFrom(writer.put(`${prefix}0`, 'v'));
    const watch = new Recorder<WatchBatch>(watcher.watch({ prefix }, { startRevision: first.revision }));
    await watch.next(() => true, 'the first event');
    const written: number[] = [];
    for (let i = 1; i <= 5; i++) written.push((await firstValueFrom(writer.put(`${prefix}${i}`, 'v'))).revision);
    await victim.kill();
    try {
      for (let i = 6; i <= 10; i++) written.push((await firstValueFrom(writer.put(`${prefix}${i}`, 'v'))).revision);
      await waitFor(() => watch.values.length === 11 || watch.error !== undefined, 'every revision', 20_000);
    } finally {
      await victim.restart();
    }
    expect(watch.error).toBeUndefined();
    expect(watch.values.slice(1).map((b) => b.revision)).toEqual(written);
    watch.unsubscribe();
  });

  it('takes a lock and keeps a lease over TLS', async () => {
    const etcd = client({ tls: tls() });
    const lease = new Recorder<LeaseEvent>(etcd.lease(3, { keepAliveEveryMs: 500 }));
    await lease.next((e) => e.type === 'renewed', 'a renewal');
    const lock = new Recorder<Lock>(etcd.lock('tls-lock', { ttl: 5 }));
    const held = await lock.next(() => true, 'the lock');
    expect(held.fencingToken).toBeGreaterThan(0);
    lock.unsubscribe();
    lease.unsubscribe();
    expect(lease.error).toBeUndefined();
  });

  it.each([
    ['a CA that did not sign the servers', () => ({ ...tls(), ca: otherCa }), /unable to verify the first certificate/],
    ['no CA at all (Node’s own)', () => ({ cert: tls().cert, key: tls().key }), /unable to verify the first certificate/],
    // etcd 3.4 refuses with TLS 1.2's "bad certificate", 3.5 with TLS 1.3's "certificate required".
    ['no client certificate', () => ({ ca: tls().ca }), /(bad certificate|certificate required).*tls\.cert and tls\.key/],
    ['another host name', () => ({ ...tls(), serverName: 'etcd.example.com' }), /does not match certificate's altnames/],
  ])('fails at once with EtcdTlsError, naming the endpoint, given %s', async (_, options, reason) => {
    const sent = jest.spyOn(tlsOptions, 'tlsFailure');
    try {
      const etcd = client({ tls: options(), requestTimeoutMs: 5000 });
      const started = Date.now();
      const error = await firstValueFrom(etcd.get('k')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EtcdTlsError);
      expect((error as EtcdTlsError).message).toContain(etcd.endpoints[0]);
      expect((error as EtcdTlsError).message).toMatch(reason);
      // One attempt: not retried through the policy, let alone on the other members.
      expect(sent).toHaveBeenCalledTimes(1);
      const watch = await firstValueFrom(etcd.watch('k')).catch((e: unknown) => e);
      expect(watch).toBeInstanceOf(EtcdTlsError);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      sent.mockRestore();
    }
  });

  it('refuses mixed schemes and plain-HTTP endpoints given TLS settings, naming them', () => {
    const [a, b] = cluster().endpoints;
    const plainB = b.replace('https:', 'http:');
    expect(() => new Etcd({ endpoints: [a, plainB] })).toThrow(new RegExp(`mix http:// \\(${plainB}\\)`));
    expect(() => new Etcd({ endpoints: [plainB], tls: tls() })).toThrow(EtcdInvalidArgumentError);
    expect(() => new Etcd({ endpoints: [a], tls: { ca: '/etc/ssl/ca.pem' } })).toThrow(/not PEM text/);
    expect(() => new Etcd({ endpoints: [a], tls: { cert: tls().cert } })).toThrow(/tls\.cert and tls\.key go together/);
    // host:port means https:// when TLS settings are given.
    expect(new Etcd({ endpoints: a.replace('https://', ''), tls: tls() }).endpoints).toEqual([a]);
  });
});
