/**
 * A won election as users hold it: the leader key, proclaiming a new value while it is still
 * ours, and resigning, which the campaign stream turns into its `resigned` event.
 */
import { catchError, defer, finalize, map, Observable, of, Subject, throwError } from 'rxjs';
import { Err, Ok, Result } from 'ts-results';
import { CallOptions } from '../call-options';
import { EtcdServerError } from '../errors';
import { checkValue } from '../kv/key-selector';
import { KvService } from '../kv/kv-service';
import { printsAs, textOrBytes } from '../prints-as';
import { NON_REPEATABLE, REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asObject, Bytes, encodeBytes } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { KeyOwnership } from './ownership';
import { Leadership, NotHeld } from './types';

/** What a leadership needs from the client. */
export interface LeadershipDeps {
  readonly kv: KvService;
  readonly caller: UnaryCaller;
}

/** A campaign's resign, as it starts and as it ends (answered, failed or abandoned). */
export interface Resignation {
  readonly started: Subject<void>;
  readonly ended: Subject<void>;
}

/**
 * The leadership a campaign won, identified by etcd's wire `LeaderKey`.
 * @example new HeldLeadership(wireLeader, owned.keyBuffer, owned.createRevision, leaseId, deps, resignation)
 */
export class HeldLeadership extends KeyOwnership implements Leadership {
  constructor(
    private readonly wireLeader: Record<string, string>,
    keyBuffer: Buffer,
    fencingToken: number,
    leaseId: string,
    private readonly deps: LeadershipDeps,
    private readonly resignation: Resignation,
  ) {
    super(keyBuffer, fencingToken, leaseId, deps.kv);
  }

  proclaim(value: Bytes, options?: CallOptions): Observable<Result<ResponseHeader, NotHeld>> {
    return defer(() => {
      const body = { leader: this.wireLeader, value: encodeBytes(checkValue(value)) };
      return this.deps.caller
        .call('/v3/election/proclaim', body, NON_REPEATABLE, (json) => decodeHeader(asObject(json, 'proclaim response').header), options)
        .pipe(
          map((header): Result<ResponseHeader, NotHeld> => Ok(header)),
          catchError((error: unknown) => (isNotLeader(error) ? of(Err({})) : throwError(() => error))),
        );
    });
  }

  resign(options?: CallOptions): Observable<ResponseHeader> {
    return defer(() => {
      // The campaign stops holding first: its next check would find the key deleted by this very
      // call and report the leadership lost instead of resigned.
      this.resignation.started.next();
      // Resigning deletes the key only if it is still ours (a compare on its revision): safe to repeat.
      return this.deps.caller
        .call('/v3/election/resign', { leader: this.wireLeader }, REPEATABLE, (json) => decodeHeader(asObject(json, 'resign response').header), options)
        .pipe(finalize(() => this.resignation.ended.next()));
    });
  }
}

printsAs(HeldLeadership, 'Leadership', (held) => ({ key: textOrBytes(held.keyBuffer), fencingToken: held.fencingToken, leaseId: held.leaseId }));

function isNotLeader(error: unknown): boolean {
  return error instanceof EtcdServerError && error.message.includes('election: not leader');
}
