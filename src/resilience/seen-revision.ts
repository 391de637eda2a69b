/**
 * The highest store revision this client has seen in any answer, and the check that keeps a
 * linearizable read from going back in time. A member that was paused (SIGSTOP, a stalled VM)
 * while it led may, for a moment after it resumes and before it learns of the new leader, answer
 * a linearizable read from its old state: etcd 3.4.23 does (etcd-io/etcd#20418; measured here in
 * a chaos run, where it cost a lock-protected counter ~200 increments). Any member's revision is
 * committed cluster-wide, so an honest linearizable read sent after an answer at revision R
 * answers at R or later: one below R is stale, and is tried on another member. The floor belongs
 * to one cluster: an answer from another cluster (the endpoints now lead to a cluster restored
 * from a backup, or created anew) starts it over.
 */
import { EtcdUnavailableError } from '../errors';

/**
 * The client-wide revision floor.
 * @example const floor = seen.revision; ...; seen.record(json, endpoint, floor)
 */
export class SeenRevision {
  private highest = 0;
  private cluster: string | undefined;

  /** The highest revision seen so far (0 before any answer). */
  get revision(): number {
    return this.highest;
  }

  /**
   * Records the revision in an answer's header. With `notBelow` (the floor when a linearizable
   * read was sent), throws a transient EtcdUnavailableError, so failover tries another member,
   * when the answer is older than that.
   * @example seen.record({ header: { revision: '42' } }, 'http://127.0.0.1:2379', 40)
   */
  record(json: unknown, endpoint: string, notBelow?: number): void {
    const header = headerOf(json);
    const revision = Number(header?.revision);
    if (header === undefined || !Number.isSafeInteger(revision)) return;
    const cluster = typeof header.cluster_id === 'string' ? header.cluster_id : undefined;
    if (cluster !== this.cluster) {
      // The first answer, or a cluster that is not the one the floor was measured on.
      this.cluster = cluster;
      this.highest = revision;
      return;
    }
    if (notBelow !== undefined && revision < notBelow) {
      throw new EtcdUnavailableError(
        `${endpoint} answered a linearizable read at revision ${revision}, older than revision ${notBelow} this client had already seen: a stale member (resuming from a pause?)`,
        false,
        { endpoint },
      );
    }
    if (revision > this.highest) this.highest = revision;
  }
}

type WireHeader = { revision?: unknown; cluster_id?: unknown };

// A unary answer carries `header`; one message of a stream (a keep-alive) carries `result.header`.
function headerOf(json: unknown): WireHeader | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { header, result } = json as { header?: unknown; result?: unknown };
  if (typeof header === 'object' && header !== null) return header;
  return result === undefined ? undefined : headerOf(result);
}
