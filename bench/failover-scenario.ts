/**
 * The failover gap of a writer: one put after another (concurrency 1) on a 3-member cluster,
 * while the member that answered its last put is SIGKILLed (and later restarted), and then
 * SIGSTOPped for 10 s (and resumed). That member is made a follower first (the leadership is
 * moved away from it when it leads), so both clients meet the same fault: the loss of their
 * member, not a leader election as well. The gap is the longest time between two acknowledged puts
 * (or from the fault to the first one after it); failed puts are counted.
 */
import { performance } from 'perf_hooks';
import { lastValueFrom } from 'rxjs';
import { Etcd } from '../src';
import { EtcdCluster, EtcdMember } from '../src/testing';
import { openEtcd3 } from './clients';

export const FREEZE_MS = 10_000;
const BEFORE_MS = 1_500;
const AFTER_KILL_MS = 5_000;
const AFTER_RESUME_MS = 2_000;
// A put that still has not answered this long after the end of a phase is counted as lost.
const STRAGGLER_MS = 30_000;

/** The clients this scenario compares. */
export const FAILOVER_CLIENTS = ['etcd3', 'rx'] as const;
export type FailoverClient = (typeof FAILOVER_CLIENTS)[number];

/** One fault's effect on the writer. */
export interface GapResult {
  readonly gapMs: number;
  readonly failedPuts: number;
}

/** Both faults. */
export interface FailoverResult {
  readonly kill: GapResult;
  readonly freeze: GapResult;
}

/** A put that says which member answered it. */
type Put = (i: number) => Promise<string>;

/**
 * Runs both faults for each client, on a fresh 3-member cluster.
 * @example const results = await failoverScenario()
 */
export async function failoverScenario(): Promise<Record<FailoverClient, FailoverResult>> {
  const cluster = await EtcdCluster.start({ size: 3 });
  try {
    const results = {} as Record<FailoverClient, FailoverResult>;
    for (const client of FAILOVER_CLIENTS) {
      const { put, close } = openWriter(client, cluster.endpoints);
      try {
        const kill = await measureGap(cluster, put, async (victim) => {
          await victim.kill();
          await sleep(AFTER_KILL_MS);
        });
        await cluster.members.find((m) => m.state === 'stopped')?.restart();
        await cluster.waitHealthy();
        const freeze = await measureGap(cluster, put, async (victim) => {
          victim.freeze();
          await sleep(FREEZE_MS);
          victim.resume();
          await sleep(AFTER_RESUME_MS);
        });
        await cluster.waitHealthy();
        results[client] = { kill, freeze };
      } finally {
        await close();
      }
    }
    return results;
  } finally {
    await cluster.stop();
  }
}

function openWriter(client: FailoverClient, endpoints: string[]): { put: Put; close: () => Promise<void> } {
  const key = (i: number) => `bench/failover/${i % 64}`;
  if (client === 'etcd3') {
    const etcd3 = openEtcd3(endpoints);
    return {
      put: async (i) => String((await etcd3.put(key(i)).value('v').exec()).header.member_id),
      close: async () => etcd3.close(),
    };
  }
  const etcd = new Etcd({ endpoints });
  return {
    put: async (i) => (await lastValueFrom(etcd.put(key(i), 'v'))).header.memberId,
    close: () => etcd.close(),
  };
}

async function measureGap(cluster: EtcdCluster, put: Put, fault: (victim: EtcdMember) => Promise<void>): Promise<GapResult> {
  const acknowledged: number[] = [];
  let failedPuts = 0;
  let lastMember = '';
  let running = true;
  const writer = (async () => {
    for (let i = 0; running; i++) {
      try {
        lastMember = await put(i);
        acknowledged.push(performance.now());
      } catch {
        failedPuts++;
      }
    }
  })();
  await sleep(BEFORE_MS);
  const victim = await memberWithId(cluster, lastMember);
  await makeFollower(cluster, victim);
  const faultAt = performance.now();
  await fault(victim);
  running = false;
  await Promise.race([writer, sleep(STRAGGLER_MS)]);
  const times = [faultAt, ...acknowledged.filter((t) => t > faultAt)];
  let gapMs = times.length === 1 ? performance.now() - faultAt : 0;
  for (let i = 1; i < times.length; i++) gapMs = Math.max(gapMs, times[i] - times[i - 1]);
  return { gapMs, failedPuts };
}

async function memberWithId(cluster: EtcdCluster, memberId: string): Promise<EtcdMember> {
  for (const member of cluster.members) {
    if (member.state === 'running' && (await member.status()).memberId === memberId) return member;
  }
  throw new Error(`no running member has id ${memberId}`);
}

async function makeFollower(cluster: EtcdCluster, victim: EtcdMember): Promise<void> {
  if ((await cluster.leader()) !== victim) return;
  const other = cluster.members.find((m) => m !== victim && m.state === 'running');
  if (other === undefined) throw new Error('no other running member to lead');
  const admin = new Etcd({ endpoints: cluster.endpoints });
  try {
    await lastValueFrom(admin.moveLeader((await other.status()).memberId));
  } finally {
    await admin.close();
  }
  while ((await cluster.leader()) === victim) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
