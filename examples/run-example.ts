/**
 * What the examples share: an etcd to talk to, and a clean exit. The cluster named by
 * ETCD_SERVERS (or ETCDCTL_ENDPOINTS) when one is set; otherwise a throwaway local member,
 * started for the run and stopped at its end.
 */
import { Etcd } from 'etcd-rx';
import { EtcdCluster } from 'etcd-rx/testing';

/**
 * Runs `body` with a client, then closes it (and stops the local member, if one was started);
 * exits 0, or 1 with the error's message.
 * @example runExample(async (etcd) => console.log(await firstValueFrom(etcd.leaderMember())))
 */
export function runExample(body: (etcd: Etcd, startedLocally: boolean) => Promise<void>): void {
  const run = async () => {
    const configured = process.env.ETCD_SERVERS || process.env.ETCDCTL_ENDPOINTS;
    const local = configured ? undefined : await EtcdCluster.start({ size: 1 });
    // On stderr: stdout is the example's own output, whose first URL may be what it serves.
    if (local) console.error(`started a throwaway etcd at ${local.endpoints.join(', ')}`);
    const etcd = new Etcd({ endpoints: local?.endpoints ?? configured });
    try {
      await body(etcd, local !== undefined);
    } finally {
      await etcd.close();
      await local?.stop();
    }
  };
  run().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

/**
 * Calls `handler` on the first Ctrl-C (SIGINT) or SIGTERM (what `kill` and service managers
 * send). The listeners stay installed, so a second signal is absorbed rather than killing the
 * process mid-cleanup: a terminal sends Ctrl-C to the whole foreground group, and `tsx` may relay
 * the same signal to the script once more.
 * @example onInterrupt(() => subscription.unsubscribe())
 */
export function onInterrupt(handler: () => void): void {
  let interrupted = false;
  const once = () => {
    if (interrupted) return;
    interrupted = true;
    handler();
  };
  process.on('SIGINT', once);
  process.on('SIGTERM', once);
}
