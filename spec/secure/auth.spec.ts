/**
 * Authentication against a real etcd with auth enabled (and TLS with client certificates): tokens got on first use, sent on every
 * call and stream, renewed once when they expire (after --auth-token-ttl of disuse, or when a
 * restart forgets them), and never shown; refusals as typed errors.
 */
import { inspect } from 'util';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import {
  Etcd,
  CampaignEvent,
  EtcdAuthenticationError,
  EtcdError,
  EtcdInvalidArgumentError,
  EtcdOptions,
  EtcdPermissionDeniedError,
  KeyValue,
  Leader,
  LeaseEvent,
  Lock,
  MirrorState,
  Op,
  WatchBatch,
} from '../../src';
import * as httpCall from '../../src/transport/http-call';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';
import { Recorder } from '../lease/helpers';
import { addUserWithPrefix, expiredTokens, SIMPLE_TOKEN } from './secure-helpers';

jest.setTimeout(30_000);

const ALICE = { username: 'alice', password: 'alice-Pa55-word' };
const CAROL = { username: 'carol', password: 'carol-Pa55-word' };

describe('a client with auth', () => {
  // Tokens unused for a second expire: every test meets expired tokens.
  // etcd 3.5 logs each expired token (what expiredTokens counts) at debug level only; 3.4 at info.
  const { cluster, client: plainClient } = useClusterWithClients(1, { tls: true, auth: true, authTokenTtlSeconds: 1, extraArgs: ['--log-level', 'debug'] });
  const seen: unknown[] = [];
  const root = () => cluster().rootCredentials ?? fail('no root credentials');
  // The cluster serves TLS too, as secured clusters do.
  const client = (options: EtcdOptions) => plainClient({ tls: cluster().tls, ...options });

  beforeAll(async () => {
    await addUserWithPrefix(cluster(), ALICE.username, ALICE.password, 'app/');
    await addUserWithPrefix(cluster(), CAROL.username, CAROL.password, 'app/');
  }, 30_000);

  afterAll(() => {
    // Everything the tests saw fail, and the clients themselves, as a log or a debugger shows them.
    const shown = seen.map((e) => (e instanceof Error ? `${e.message}\n${e.stack}\n${inspect(e, { depth: 5 })}` : inspect(e, { depth: 5 }))).join('\n');
    expect(shown).not.toContain(root().password);
    expect(shown).not.toContain(ALICE.password);
    expect(shown).not.toMatch(SIMPLE_TOKEN);
  });

  const failure = async (call: Promise<unknown>): Promise<EtcdError> => {
    const error = await call.then(
      () => fail('expected an error'),
      (e: unknown) => e,
    );
    seen.push(error);
    expect(error).toBeInstanceOf(EtcdError);
    return error as EtcdError;
  };

  it('lets a user whose role covers app/ read and write there, and names the key refused elsewhere', async () => {
    const etcd = client({ auth: ALICE });
    await firstValueFrom(etcd.put('app/a', '1'));
    expect((await firstValueFrom(etcd.get('app/a'))).unwrap().value).toBe('1');
    await firstValueFrom(etcd.txn({ success: [Op.put('app/b', '2')] }));
    const txn = await failure(firstValueFrom(etcd.txn({ success: [Op.put('app/c', '3'), Op.put('other/c', '3')] })));
    expect(txn).toBeInstanceOf(EtcdPermissionDeniedError);
    expect(txn.message).toContain('"other/c"');
    const refused = await failure(firstValueFrom(etcd.put('other/a', '1')));
    expect(refused).toBeInstanceOf(EtcdPermissionDeniedError);
    expect((refused as EtcdPermissionDeniedError).key).toBe('other/a');
    expect(refused.message).toContain('"other/a"');
    expect(await failure(firstValueFrom(etcd.get('other/a')))).toBeInstanceOf(EtcdPermissionDeniedError);
    const watch = await failure(firstValueFrom(etcd.watch({ prefix: 'other/' })));
    expect(watch).toBeInstanceOf(EtcdPermissionDeniedError);
    // The Lock service refuses with HTTP 500 and no code.
    const lock = await failure(firstValueFrom(etcd.lock('other-lock', { ttl: 5 })));
    expect(lock).toBeInstanceOf(EtcdPermissionDeniedError);
    expect(lock.message).toContain('"other-lock"');
    const held = await firstValueFrom(etcd.lock('app/lock', { ttl: 5 }));
    expect(held.key.startsWith('app/lock/')).toBe(true);
    seen.push(etcd);
  });

  it('fails at the first call with EtcdAuthenticationError on a wrong password, at once and without retrying', async () => {
    const authenticate = jest.spyOn(httpCall, 'postUnauthorized');
    try {
      const etcd = client({ auth: { username: ALICE.username, password: 'not-' + ALICE.password }, requestTimeoutMs: 3000 });
      const started = Date.now();
      const error = await failure(firstValueFrom(etcd.get('app/a')));
      expect(error).toBeInstanceOf(EtcdAuthenticationError);
      expect(error.message).toContain('"alice"');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(authenticate).toHaveBeenCalledTimes(1);
      seen.push(etcd);
    } finally {
      authenticate.mockRestore();
    }
  });

  it('refuses bad auth options and a WebSocket watch transport, naming them', () => {
    expect(() => new Etcd({ endpoints: cluster().endpoints, auth: { username: '', password: 'x' } })).toThrow(/auth\.username/);
    expect(() => new Etcd({ endpoints: cluster().endpoints, auth: ALICE, watchTransport: 'websocket' })).toThrow(EtcdInvalidArgumentError);
    expect(new Etcd({ endpoints: cluster().endpoints, auth: ALICE }).options.watchTransport).toBe('auto');
  });

  it('renews an expired token once for all the calls it refused at the same time', async () => {
    const etcd = client({ auth: CAROL });
    const expired = expiredTokens(cluster().members[0], CAROL.username);
    await firstValueFrom(etcd.put('app/c', 'x'));
    await waitFor(() => expiredTokens(cluster().members[0], CAROL.username) > expired, "the client's token to expire", 10_000);
    const authenticate = jest.spyOn(httpCall, 'postUnauthorized');
    try {
      const calls = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? etcd.get('app/c') : etcd.put(`app/c${i}`, 'y')));
      const answers = await Promise.all(calls.map((call) => firstValueFrom<unknown>(call)));
      expect(answers).toHaveLength(20);
      expect(authenticate).toHaveBeenCalledTimes(1);
    } finally {
      authenticate.mockRestore();
    }
  });

  it('keeps a watch, a mirror, a lease, a lock, a campaign and an observation going across expired and forgotten tokens, losing no event', async () => {
    const member = cluster().members[0];
    const holder = client({ auth: ALICE });
    const writer = client({ auth: root() });
    const watch = new Recorder<WatchBatch>(holder.watch({ prefix: 'app/exp/' }));
    const mirror = new Recorder<MirrorState<KeyValue>>(holder.mirror({ prefix: 'app/exp/' }));
    // Renewed less often than tokens live: each keep-alive finds its token expired.
    const lease = new Recorder<LeaseEvent>(holder.lease(6, { keepAliveEveryMs: 2500 }));
    const lock = new Recorder<Lock>(holder.lock('app/exp-lock', { ttl: 6 }));
    const election = holder.election('app/exp-election');
    const campaign = new Recorder<CampaignEvent>(election.campaign('first', { ttl: 6 }));
    const observed = new Recorder<Leader>(election.observe());
    await lease.next((e) => e.type === 'granted', 'the lease');
    await observed.next((l) => l.value === 'first', 'the leader observed');
    await lock.next(() => true, 'the lock');
    await mirror.next(() => true, 'the first state of the mirror');
    const keys: string[] = [];
    const write = async (key: string) => {
      keys.push(key);
      await firstValueFrom(writer.put(key, 'v'));
    };
    await write('app/exp/1');
    await watch.next((b) => b.events.some((e) => e.kv.key === 'app/exp/1'), 'the first event');
    const expired = [expiredTokens(member, ALICE.username), expiredTokens(member, 'root')];
    await waitFor(
      () => expiredTokens(member, ALICE.username) > expired[0] && expiredTokens(member, 'root') > expired[1],
      "both clients' tokens to expire",
      10_000,
    );
    await write('app/exp/2');
    const renewals = lease.values.length;
    await lease.next(() => lease.values.length > renewals + 1, 'two renewals with expired tokens');
    // A restart forgets every simple token and breaks every stream: each is re-created with a new one.
    await member.restart();
    await write('app/exp/3');
    await write('app/exp/4');
    await watch.next((b) => b.events.some((e) => e.kv.key === 'app/exp/4'), 'the last event');
    await mirror.next((s) => s.entries.has('app/exp/4'), 'the mirror to hold the last key');
    const renewed = lease.values.length;
    await lease.next(() => lease.values.length > renewed, 'a renewal after the restart');
    const elected = await campaign.next((e) => e.type === 'elected', 'the leadership');
    if (elected.type !== 'elected') throw new Error('not elected');
    expect((await firstValueFrom(elected.leadership.proclaim('second'))).ok).toBe(true);
    await observed.next((l) => l.value === 'second', 'the new value observed after the restart');
    const events = watch.values.flatMap((b) => b.events.map((e) => e.kv.key));
    expect(events).toEqual(keys);
    expect([...mirror.values[mirror.values.length - 1].entries.keys()].sort()).toEqual(keys);
    for (const stream of [watch, mirror, lease, lock, campaign, observed]) expect(stream.error).toBeUndefined();
    const stillHeld = await lastValueFrom(writer.range({ prefix: 'app/exp-lock/' }).pipe(toArray()));
    expect(stillHeld[0].kvs).toHaveLength(1);
    for (const stream of [watch, mirror, lease, lock, campaign, observed]) stream.unsubscribe();
    // HashKV (over gRPC on 3.4) needs the root user's token too.
    expect((await firstValueFrom(writer.hashKv(writer.endpoints[0]))).hash).toEqual(expect.any(Number));
    seen.push(holder, writer);
  }, 60_000);
});
