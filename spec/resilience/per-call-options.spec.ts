/**
 * Every finite operation of the client, and of what it hands out (auth, elections, locks and
 * leaderships), takes the per-call options last: `deadlineMs` ends it in time, `signal` cancels
 * it. Against a member hung as far as the client can tell (a proxy that swallows everything),
 * with a request timeout and a client deadline far longer than the call's own, each call must end
 * by its own options. The list of operations is checked against the client's methods, so that a
 * new operation without options cannot slip by.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { filter, firstValueFrom, Observable } from 'rxjs';
import { CallOptions, Compare, Etcd, EtcdDeadlineExceededError, EtcdOutcomeUnknownError, Leadership, Lock, Op } from '../../src';
import { useClusterWithClients } from '../support/cluster';
import { startStallingProxy, StallingProxy } from '../support/stalling-proxy';

const DEADLINE_MS = 700;
// Only the client's own request timeout (20 s) or deadline (60 s) would be this late.
const LATE_MS = 10_000;

/**
 * What a call must end with once its deadline passed: a read, whatever happened, with
 * EtcdDeadlineExceededError; a write with EtcdOutcomeUnknownError once sent, with
 * EtcdDeadlineExceededError when the deadline passed before it was (behind a liveness probe of a
 * member silent for a while).
 */
type Ending = 'deadline' | 'unknown';

interface Held {
  readonly lock: Lock;
  readonly leadership: Leadership;
  readonly snapshotFile: string;
}

type Operation = readonly [name: string, ending: Ending, call: (etcd: Etcd, options: CallOptions, held: Held) => Observable<unknown>];

const ID = '0x8e9e05c52164694d';

/** Every finite operation, by the name of the client's method (or `auth.`, `election.`, `lock.`, `leadership.`). */
const OPERATIONS: readonly Operation[] = [
  ['get', 'deadline', (etcd, o) => etcd.get('k', o)],
  ['range', 'deadline', (etcd, o) => etcd.range({ prefix: 'k' }, o)],
  ['list', 'deadline', (etcd, o) => etcd.list({ prefix: 'k' }, o)],
  ['scanPages', 'deadline', (etcd, o) => etcd.scanPages({ prefix: 'k' }, (kvs) => [kvs.length], o)],
  ['getJson', 'deadline', (etcd, o) => etcd.getJson('k', o)],
  ['put', 'unknown', (etcd, o) => etcd.put('k', 'v', o)],
  ['putJson', 'unknown', (etcd, o) => etcd.putJson('k', { v: 1 }, o)],
  ['compareAndSet', 'unknown', (etcd, o) => etcd.compareAndSet('k', 'v', { version: 0 }, o)],
  ['delete', 'unknown', (etcd, o) => etcd.delete('k', o)],
  ['txn', 'unknown', (etcd, o) => etcd.txn({ compare: [Compare.version('k', '==', 0)], success: [Op.put('k', 'v')] }, o)],
  ['compact', 'unknown', (etcd, o) => etcd.compact(1, o)],
  ['grantLease', 'deadline', (etcd, o) => etcd.grantLease(10, undefined, o)],
  ['revokeLease', 'deadline', (etcd, o) => etcd.revokeLease('1', o)],
  ['timeToLive', 'deadline', (etcd, o) => etcd.timeToLive('1', o)],
  ['leases', 'deadline', (etcd, o) => etcd.leases(o)],
  ['leaderMember', 'deadline', (etcd, o) => etcd.leaderMember(o)],
  ['memberList', 'deadline', (etcd, o) => etcd.memberList(o)],
  ['addMember', 'unknown', (etcd, o) => etcd.addMember('http://127.0.0.1:1', { ...o, learner: true })],
  ['removeMember', 'unknown', (etcd, o) => etcd.removeMember(ID, o)],
  ['updateMember', 'unknown', (etcd, o) => etcd.updateMember(ID, 'http://127.0.0.1:1', o)],
  ['promoteMember', 'unknown', (etcd, o) => etcd.promoteMember(ID, o)],
  ['endpointStatus', 'deadline', (etcd, o) => etcd.endpointStatus(undefined, o)],
  ['endpointStatuses', 'deadline', (etcd, o) => etcd.endpointStatuses(o)],
  ['endpointHealth', 'deadline', (etcd, o) => etcd.endpointHealth(undefined, o)],
  ['defragment', 'deadline', (etcd, o) => etcd.defragment(undefined, o)],
  ['alarms', 'deadline', (etcd, o) => etcd.alarms(o)],
  ['disarmAlarms', 'deadline', (etcd, o) => etcd.disarmAlarms(undefined, o)],
  ['hashKv', 'deadline', (etcd, o) => etcd.hashKv(etcd.endpoints[0], o)],
  ['moveLeader', 'deadline', (etcd, o) => etcd.moveLeader(ID, o)],
  ['saveSnapshot', 'deadline', (etcd, o, held) => etcd.saveSnapshot(held.snapshotFile, o)],
  ['stm', 'deadline', (etcd, o) => etcd.stm((tx) => tx.get('k'), o)],
  ['auth.enable', 'unknown', (etcd, o) => etcd.auth.enable(o)],
  ['auth.disable', 'unknown', (etcd, o) => etcd.auth.disable(o)],
  ['auth.addUser', 'unknown', (etcd, o) => etcd.auth.addUser('u', 'p', o)],
  ['auth.deleteUser', 'unknown', (etcd, o) => etcd.auth.deleteUser('u', o)],
  ['auth.users', 'deadline', (etcd, o) => etcd.auth.users(o)],
  ['auth.user', 'deadline', (etcd, o) => etcd.auth.user('u', o)],
  ['auth.changePassword', 'unknown', (etcd, o) => etcd.auth.changePassword('u', 'p', o)],
  ['auth.grantRole', 'unknown', (etcd, o) => etcd.auth.grantRole('u', 'r', o)],
  ['auth.revokeRole', 'unknown', (etcd, o) => etcd.auth.revokeRole('u', 'r', o)],
  ['auth.addRole', 'unknown', (etcd, o) => etcd.auth.addRole('r', o)],
  ['auth.deleteRole', 'unknown', (etcd, o) => etcd.auth.deleteRole('r', o)],
  ['auth.roles', 'deadline', (etcd, o) => etcd.auth.roles(o)],
  ['auth.role', 'deadline', (etcd, o) => etcd.auth.role('r', o)],
  ['auth.grantPermission', 'unknown', (etcd, o) => etcd.auth.grantPermission('r', 'read', 'k', o)],
  ['auth.revokePermission', 'unknown', (etcd, o) => etcd.auth.revokePermission('r', 'k', o)],
  ['election.leader', 'deadline', (etcd, o) => etcd.election('e').leader(o)],
  ['lock.txn', 'unknown', (_, o, held) => held.lock.txn({ success: [Op.put('k', 'v')] }, o)],
  ['leadership.txn', 'unknown', (_, o, held) => held.leadership.txn({ success: [Op.put('k', 'v')] }, o)],
  ['leadership.proclaim', 'unknown', (_, o, held) => held.leadership.proclaim('v2', o)],
  ['leadership.resign', 'deadline', (_, o, held) => held.leadership.resign(o)],
];

/**
 * The client's methods that are not one call: streams that run until unsubscribed (they end
 * when their subscriber says so), views, and the client's own state.
 */
const NOT_CALLS = [
  'watch',
  'mirror',
  'mirrorJson',
  'lease',
  'keepAlive',
  'lock',
  'withLock',
  'election',
  'snapshot',
  'scan',
  'endpointStates',
  'namespace',
  'close',
];

describe('per-call options on every operation', () => {
  const { cluster, client } = useClusterWithClients(1);
  let proxy: StallingProxy;
  let etcd: Etcd;
  let held: Held;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'per-call-'));

  beforeAll(async () => {
    proxy = await startStallingProxy(cluster().endpoints[0]);
    etcd = client({ endpoints: proxy.url, requestTimeoutMs: 20_000, deadlineMs: 60_000 });
    const leadership = firstValueFrom(
      etcd
        .election('per-call/e')
        .campaign('v', { ttl: 60 })
        .pipe(filter((e) => e.type === 'elected')),
    );
    held = {
      lock: await firstValueFrom(etcd.lock('per-call/l', { ttl: 60 })),
      leadership: await leadership.then((e) => (e.type === 'elected' ? e.leadership : Promise.reject(new Error('resigned')))),
      snapshotFile: path.join(dir, 'snapshot.db'),
    };
    proxy.hang();
  }, 60_000);

  afterAll(async () => {
    await etcd?.close();
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("covers every method of the client that is one call (the rest are streams or the client's own)", () => {
    const methods = Object.getOwnPropertyNames(Etcd.prototype).filter(
      (name) => name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(Etcd.prototype, name)?.value === 'function',
    );
    const covered = OPERATIONS.map(([name]) => name).filter((name) => !name.includes('.'));
    expect([...covered, ...NOT_CALLS].sort()).toEqual([...methods].sort());
  });

  it('ends each within its own deadlineMs: a read or an unsent write as EtcdDeadlineExceededError, a sent write as EtcdOutcomeUnknownError', async () => {
    const endings = await Promise.all(
      OPERATIONS.map(async ([name, ending, call]) => {
        const started = performance.now();
        const outcome = await firstValueFrom<unknown>(call(etcd, { deadlineMs: DEADLINE_MS }, held)).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        const tookMs = performance.now() - started;
        const actual = endingOf(outcome);
        return {
          name,
          ending: ending === 'unknown' && actual === 'deadline' ? 'unknown' : actual,
          inTime: tookMs >= DEADLINE_MS - 50 && tookMs < LATE_MS,
          expected: ending,
        };
      }),
    );
    expect(endings.map(({ name, ending, inTime }) => ({ name, ending, inTime }))).toEqual(
      endings.map(({ name, expected }) => ({ name, ending: name === 'endpointHealth' ? 'unhealthy' : expected, inTime: true })),
    );
    expect(fs.existsSync(held.snapshotFile) || fs.existsSync(`${held.snapshotFile}.part`)).toBe(false);
  }, 60_000);

  it("fails each with the signal's reason as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    const started = performance.now();
    const calls = OPERATIONS.map(async ([name, , call]) => {
      const error = await firstValueFrom<unknown>(call(etcd, { signal: controller.signal }, held)).then(
        () => undefined,
        (e: unknown) => e,
      );
      return { name, error, inTime: performance.now() - started < LATE_MS };
    });
    controller.abort(reason);
    expect(await Promise.all(calls)).toEqual(OPERATIONS.map(([name]) => ({ name, error: reason, inTime: true })));
  }, 60_000);
});

/** How a call ended, in the words of the table. */
function endingOf(outcome: { value?: unknown; error?: unknown }): string {
  if (outcome.error instanceof EtcdDeadlineExceededError)
    return outcome.error.deadlineMs === DEADLINE_MS ? 'deadline' : `deadline of ${outcome.error.deadlineMs} ms`;
  if (outcome.error instanceof EtcdOutcomeUnknownError) return 'unknown';
  if (outcome.error !== undefined) return `${(outcome.error as Error).name}: ${(outcome.error as Error).message}`;
  const answers = outcome.value as { health?: boolean; err?: boolean; val?: { error?: unknown } }[];
  if (Array.isArray(answers) && answers.length > 0) {
    // endpointHealth tells an unhealthy member as a value, endpointStatuses a failed one as an Err.
    if (answers.every((h) => h.health === false)) return 'unhealthy';
    if (answers.every((r) => r.err === true)) return endingOf({ error: answers[0].val?.error });
  }
  return `answered ${JSON.stringify(outcome.value)}`;
}
