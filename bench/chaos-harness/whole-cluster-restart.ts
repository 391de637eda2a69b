/**
 * Every member killed at once and started again from its data: what was acknowledged before must
 * all be there, read through the very client object that wrote it, which has seen every endpoint
 * fail meanwhile.
 */
import { performance } from 'perf_hooks';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Etcd } from '../../src';
import { EtcdCluster } from '../../src/testing';

/** What a whole-cluster restart showed. */
export interface RestartReport {
  readonly written: number;
  /** Acknowledged keys that were missing or held another value afterwards. */
  readonly lost: readonly string[];
  /** From the moment every member was started again to the client's first answered read. */
  readonly recoveryMs: number;
}

/**
 * Writes `keys` keys through `etcd`, kills every member, restarts them all, and reads each key back.
 * @example const report = await restartWholeCluster(cluster, etcd, 'restart/', 500)
 */
export async function restartWholeCluster(cluster: EtcdCluster, etcd: Etcd, prefix: string, keys: number): Promise<RestartReport> {
  const written = new Map<string, string>();
  for (let i = 0; i < keys; i += 50) {
    const batch = Array.from({ length: Math.min(50, keys - i) }, (_, j) => `${prefix}${String(i + j).padStart(5, '0')}`);
    await Promise.all(
      batch.map(async (key) => {
        await firstValueFrom(etcd.put(key, `v-${key}`));
        written.set(key, `v-${key}`);
      }),
    );
  }
  await Promise.all(cluster.members.map((member) => member.kill()));
  const restarting = performance.now();
  const restarted = Promise.all(cluster.members.map((member) => member.restart()));
  // The client is asked at once: it must ride out the restart by itself, within its retries.
  const firstAnswer = await retryUntilAnswered(() => firstValueFrom(etcd.get(`${prefix}00000`)));
  const recoveryMs = performance.now() - restarting;
  await restarted;
  const found = await lastValueFrom(etcd.list({ prefix }).pipe(toArray()));
  const values = new Map(found.map((kv) => [kv.key, kv.value]));
  const lost = [...written].filter(([key, value]) => values.get(key) !== value).map(([key]) => key);
  if (!firstAnswer.some) lost.unshift(`${prefix}00000 (first read)`);
  return { written: written.size, lost, recoveryMs };
}

// A call made while no member runs fails once its retries are spent; the caller asks again, as an application would.
async function retryUntilAnswered<T>(read: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}
