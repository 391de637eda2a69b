/**
 * The endpoints an admin command talks to: those of `-s`, or with `--cluster` every client URL
 * of every member, as etcdctl's `--cluster` has it.
 */
import { firstValueFrom } from 'rxjs';
import { Etcd } from '../index';
import type { FlagSpec } from './args';
import type { Context } from './command';

/** The `--cluster` flag. */
export const CLUSTER_FLAG: FlagSpec = { name: 'cluster', kind: 'boolean', description: "use every member's client URLs (from the member list) instead of -s" };

/**
 * Runs `work` with a client of the chosen endpoints: the command's own, or with `--cluster` a
 * client of every member's client URLs (same options), closed afterwards.
 * @example await withChosenEndpoints(context, (etcd) => context.interrupts.run(etcd.endpointStatuses(), print))
 */
export async function withChosenEndpoints<T>(context: Context, work: (etcd: Etcd) => Promise<T>): Promise<T> {
  const etcd = context.etcd();
  if (!context.args.bool('cluster')) return work(etcd);
  const members = (await firstValueFrom(etcd.memberList())).members;
  const urls = [...new Set(members.flatMap((m) => m.clientUrls))];
  const everyMember = new Etcd({ ...etcd.options, endpoints: urls });
  try {
    return await work(everyMember);
  } finally {
    await everyMember.close();
  }
}
