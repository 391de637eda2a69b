/**
 * When a cluster had no leader, as seen from outside by asking its members again and again: the
 * time etcd itself needed to elect one, which no client can shorten, so that a spec can bound a
 * call's time relative to it.
 */
import { EtcdCluster } from '../../src/testing';

/** A time without a leader, in ms since the epoch. */
export interface Leaderless {
  /** When a leader was last seen before it (the election may have begun any time after). */
  readonly from: number;
  /** When a new leader was first seen (the election ended at most this late). */
  readonly to: number;
}

/** How often the members are asked (ms): what an election's end may be told late by, besides an answer's time. */
const EVERY_MS = 25;

/**
 * Asks the running members of `cluster` whom they follow every EVERY_MS until `stop()`, and
 * records each time they had no leader (see EtcdCluster.leaderNow).
 * @example const leadership = watchLeadership(cluster); ...; const elections = await leadership.stop()
 */
export function watchLeadership(cluster: EtcdCluster): { stop(): Promise<readonly Leaderless[]> } {
  const periods: Leaderless[] = [];
  let stopped = false;
  const watching = (async () => {
    let seenAt = Date.now();
    let leaderless = false;
    while (!stopped) {
      const leader = await cluster.leaderNow();
      const now = Date.now();
      if (leader === undefined) leaderless = true;
      else {
        if (leaderless) periods.push({ from: seenAt, to: now });
        leaderless = false;
        seenAt = now;
      }
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
    if (leaderless) periods.push({ from: seenAt, to: Date.now() });
  })();
  return {
    async stop() {
      stopped = true;
      await watching;
      return periods;
    },
  };
}

/**
 * The end of the latest time without a leader that overlaps `[startedAt, endedAt]`; undefined
 * when the call met a leader all along.
 * @example const electedAt = electionEndDuring(periods, timing.startedAt, timing.endedAt)
 */
export function electionEndDuring(periods: readonly Leaderless[], startedAt: number, endedAt: number): number | undefined {
  const overlapping = periods.filter((period) => period.from < endedAt && period.to > startedAt);
  return overlapping.length === 0 ? undefined : Math.max(...overlapping.map((period) => period.to));
}
