import { EtcdError } from './etcd-errors';

/**
 * Why a lease (and whatever it held: keys, a lock, leadership) was lost.
 * - `gone`: the server says the lease no longer exists (it expired, or was revoked elsewhere).
 * - `unreachable`: no keep-alive succeeded within the lease's TTL, so the server may have
 *   dropped it; the holder is told at the local deadline instead of hoping.
 * - `key-deleted`: the lease lives, but the key that stood for ownership (a lock or leader
 *   key) was deleted, so what it held is gone.
 */
export type LeaseLossReason = 'gone' | 'unreachable' | 'key-deleted';

/**
 * A lease the client held is lost. Raised on the stream of `lease()`, `lock()` and
 * `campaign()` no later than the TTL after the last successful keep-alive.
 * @example
 * etcd.lock('jobs').subscribe({ error: (e) => { if (e instanceof LeaseLostError) stopWork(e.reason) } })
 */
export class LeaseLostError extends EtcdError {
  constructor(
    /** The lease id (decimal string). */
    readonly leaseId: string,
    readonly reason: LeaseLossReason,
    detail: string,
    details: { endpoint?: string; cause?: unknown } = {},
  ) {
    super(`lease ${leaseId} lost (${reason}): ${detail}`, details);
  }
}
