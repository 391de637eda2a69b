/**
 * What a call or stream met while no endpoint answered it: each endpoint's last failure, how many
 * attempts failed, and since when. It becomes the EtcdAllEndpointsFailedError reported when the
 * retry policy gives up, which names every endpoint tried rather than the last one alone.
 */
import { EtcdAllEndpointsFailedError } from '../errors';

/**
 * The failures since the last answer.
 * @example const failures = new FailureRecord(); failures.note(endpoint.url, error, pool.now()); throw failures.allFailed()
 */
export class FailureRecord {
  // Made at the first failure: most calls never fail.
  private lastByEndpoint: Map<string, Error> | undefined;
  private failed = 0;
  private firstAt: number | undefined;

  /** Records that an attempt on `endpoint` failed with `error`. */
  note(endpoint: string, error: Error, now: number): void {
    (this.lastByEndpoint ??= new Map()).set(endpoint, error);
    this.failed++;
    this.firstAt ??= now;
  }

  /** Forgets every failure: an endpoint answered. */
  clear(): void {
    this.lastByEndpoint?.clear();
    this.failed = 0;
    this.firstAt = undefined;
  }

  /** Attempts failed since the last answer. */
  get count(): number {
    return this.failed;
  }

  /** How long (ms) attempts have been failing; 0 when none failed. */
  failingForMs(now: number): number {
    return this.firstAt === undefined ? 0 : now - this.firstAt;
  }

  /** The error saying that every endpoint tried failed, with each one's last failure. */
  allFailed(): EtcdAllEndpointsFailedError {
    return new EtcdAllEndpointsFailedError([...(this.lastByEndpoint ?? [])].map(([endpoint, error]) => ({ endpoint, error })));
  }
}
