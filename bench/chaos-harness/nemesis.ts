/**
 * The faults of a chaos run, one at a time: each is held until every client has shown what the
 * fault should show (progress around a lost minority, failures while quorum is gone), then healed,
 * and the run waits until every client works again. Durations follow from conditions, never
 * from fixed sleeps, so a slow machine stretches the run instead of breaking it.
 */
import { performance } from 'perf_hooks';
import { EtcdCluster, EtcdMember } from '../../src/testing';
import { pollUntil } from '../../src/testing/poll';
import { Outcome, Workload } from './workload';

/** The kinds of fault, in the order a round applies them. */
export const FAULTS = ['kill a follower', 'freeze a follower', 'freeze the leader', 'kill the leader', 'freeze two of three (quorum lost)'] as const;
export type Fault = (typeof FAULTS)[number];

/** When a fault was in force and how long the cluster took to serve every client again after it. */
export interface FaultSpan {
  readonly fault: Fault;
  readonly from: number;
  readonly healedAt: number;
  readonly recoveredAt: number;
}

// Long enough for a fault to be felt on a loaded machine; conditions usually end a fault sooner.
const HOLD_TIMEOUT_MS = 60_000;
// Operations each client must get through while a minority is gone: more than the one that found the fault.
const PROGRESS_DURING_FAULT = 5;

/**
 * Applies faults to a cluster while a workload runs.
 * @example const nemesis = new Nemesis(cluster); ... await nemesis.apply('freeze the leader', load)
 */
export class Nemesis {
  readonly spans: FaultSpan[] = [];
  private now: string = 'none';

  constructor(private readonly cluster: EtcdCluster) {}

  /** The fault in force now, for the workload's records. */
  get current(): string {
    return this.now;
  }

  async apply(fault: Fault, load: Workload): Promise<void> {
    const victims = await this.victims(fault);
    const from = performance.now();
    this.now = fault;
    const freezing = fault.startsWith('freeze');
    try {
      for (const member of victims) {
        if (freezing) member.freeze();
        else await member.kill();
      }
      // Without quorum every client must be told so; with it, every client must get through.
      const expected: Outcome = fault.includes('quorum') ? 'failed' : 'acknowledged';
      const count = expected === 'failed' ? 1 : PROGRESS_DURING_FAULT;
      await holdUntil(() => load.everyClientHad(expected, from, count), `every client to have ${count} operation(s) ${expected} during "${fault}"`);
    } finally {
      for (const member of victims) member.resume();
    }
    const healedAt = performance.now();
    this.now = 'none';
    if (!freezing) await Promise.all(victims.map((member) => member.restart()));
    await this.cluster.waitHealthy();
    await holdUntil(() => load.everyClientHad('acknowledged', healedAt), `every client to work again after "${fault}"`);
    this.spans.push({ fault, from, healedAt, recoveredAt: performance.now() });
  }

  private async victims(fault: Fault): Promise<EtcdMember[]> {
    const leader = await this.cluster.leader();
    const followers = this.cluster.members.filter((member) => member !== leader);
    const anyFollower = followers[Math.floor(Math.random() * followers.length)];
    switch (fault) {
      case 'kill a follower':
      case 'freeze a follower':
        return [anyFollower];
      case 'freeze the leader':
      case 'kill the leader':
        return [leader];
      case 'freeze two of three (quorum lost)':
        return [leader, anyFollower];
    }
  }
}

/** Waits until `condition` holds, checking it often: a fault's effects are awaited, never slept through. */
async function holdUntil(condition: () => boolean, what: string): Promise<void> {
  await pollUntil(async () => (condition() ? true : undefined), { timeoutMs: HOLD_TIMEOUT_MS, intervalMs: 10, what });
}
