/**
 * Keeping a cluster in shape: the status and health of every member, defragmentation, alarms,
 * the hash of each member's store, and moving the leadership.
 */
import { catchError, concatMap, defer, forkJoin, from, map, Observable, of, switchMap, throwError } from 'rxjs';
import { Err, Ok, Result } from 'ts-results';
import { decodeStatus } from '../cluster/cluster-service';
import { encodeMemberId } from '../cluster/membership';
import { CallOptions } from '../call-options';
import { heldTo } from '../resilience/held-to';
import {
  EndpointFailure,
  EtcdAllEndpointsFailedError,
  EtcdDeadlineExceededError,
  EtcdError,
  EtcdInvalidArgumentError,
  EtcdPermissionDeniedError,
} from '../errors';
import { EndpointPool } from '../resilience/endpoint-pool';
import { checkCount, oneOf } from '../validate';
import { NON_REPEATABLE, REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asArray, asObject, asString, decodeId, encodeBytes } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { hashKv } from './hash-kv';
import { MemberId, MemberStatus } from '../cluster/types';
import { Alarm, AlarmList, AlarmType, Defragmented, EndpointHealth, HashKv } from './types';

const ALARM_TYPES = { NOSPACE: 'NOSPACE', CORRUPT: 'CORRUPT' } as const;

/**
 * Maintenance calls.
 * @example new Maintenance(caller, pool, 5000).alarms().subscribe((alarms) => console.log(alarms.length))
 */
export class Maintenance {
  constructor(
    private readonly caller: UnaryCaller,
    private readonly pool: EndpointPool,
    /** How long a member may take to say its version (HashKV is asked as it says). */
    private readonly requestTimeoutMs: number,
  ) {}

  /** The status of every endpoint of the client, in their order: a value or why it failed. */
  endpointStatuses(options?: CallOptions): Observable<Result<MemberStatus, EndpointFailure>[]> {
    return this.eachEndpoint((endpoint) => this.caller.callOn(endpoint, '/v3/maintenance/status', {}, decodeStatus, options));
  }

  /** Health of every endpoint of the client (or of `endpoint`); each read may take up to the request timeout. */
  endpointHealth(endpoint?: string, options?: CallOptions): Observable<EndpointHealth[]> {
    return defer(() => forkJoin((endpoint === undefined ? this.caller.endpoints : [endpoint]).map((e) => this.healthOf(e, options))));
  }

  /**
   * Defragments `endpoint`, or every endpoint of the client one after the other (a member being
   * defragmented stops answering for a while: doing them all at once would stall the cluster).
   */
  defragment(endpoint?: string, options?: CallOptions): Observable<Defragmented> {
    return defer(() =>
      from(endpoint === undefined ? this.caller.endpoints : [endpoint]).pipe(
        concatMap((e) => this.caller.callOn(e, '/v3/maintenance/defragment', {}, (json, url) => ({ endpoint: url, header: headerOf(json) }), options)),
      ),
    );
  }

  /** Every alarm raised in the cluster. */
  alarms(options?: CallOptions): Observable<AlarmList> {
    return defer(() => this.caller.call('/v3/maintenance/alarm', { action: 'GET' }, REPEATABLE, decodeAlarms, options));
  }

  /** Disarms every alarm raised (or only `which`); answers the alarms it disarmed. */
  disarmAlarms(which?: Alarm, options?: CallOptions): Observable<AlarmList> {
    return defer(() => {
      if (which !== undefined) return this.disarm(checkAlarm(which), options);
      return this.alarms(options).pipe(
        switchMap((raised) =>
          raised.alarms.length === 0
            ? of(raised)
            : forkJoin(raised.alarms.map((a) => this.disarm(a, options))).pipe(
                map((answers) => ({ header: answers[answers.length - 1].header, alarms: answers.flatMap((a) => a.alarms) })),
              ),
        ),
      );
    });
  }

  /**
   * HashKV of `endpoint` at `revision` (0, the default, means the latest). Its version check and
   * gRPC call go around the failover chain, so the whole is held to the call's options here.
   */
  hashKv(endpoint: string, options: { revision?: number } & CallOptions = {}): Observable<HashKv> {
    return defer(() => {
      const revision = options.revision === undefined ? 0 : checkCount(options.revision, 'hashKv revision');
      const target = this.pool.named(endpoint);
      const gateway = (path: string, body: unknown) => this.caller.callOn(target.url, path, body, (json) => json, options);
      return heldTo(hashKv(gateway, this.pool, target, revision, this.requestTimeoutMs), options, this.pool.clock);
    });
  }

  /**
   * Hands the leadership to member `targetId`. The request must reach the leader, so the leader
   * has to be among the client's endpoints (as etcdctl requires).
   */
  moveLeader(targetId: MemberId, options?: CallOptions): Observable<ResponseHeader> {
    return defer(() => {
      const target = encodeMemberId(targetId);
      return this.endpointStatuses(options).pipe(
        switchMap((answers) => {
          const failures = answers.flatMap((a) => (a.ok ? [] : [a.val]));
          if (failures.length === answers.length) {
            // Nobody answered: say why, not that none of them leads.
            const cut = failures.find((f) => f.error instanceof EtcdDeadlineExceededError)?.error;
            return throwError(() => cut ?? new EtcdAllEndpointsFailedError(failures));
          }
          const leader = answers.find((a) => a.ok && a.val.leader === a.val.header.memberId);
          if (leader === undefined || !leader.ok) {
            return throwError(
              () => new EtcdInvalidArgumentError(`none of the endpoints ${this.caller.endpoints.join(', ')} is the leader: moveLeader must reach the leader`),
            );
          }
          return this.caller.callOn(leader.val.endpoint, '/v3/maintenance/transfer-leadership', { targetID: target }, headerOf, options);
        }),
      );
    });
  }

  private disarm(alarm: Alarm, options: CallOptions | undefined): Observable<AlarmList> {
    const body = { action: 'DEACTIVATE', memberID: alarm.memberId, alarm: alarm.alarm };
    return this.caller.call('/v3/maintenance/alarm', body, NON_REPEATABLE, decodeAlarms, options);
  }

  private healthOf(endpoint: string, options: CallOptions | undefined): Observable<EndpointHealth> {
    return defer(() => {
      // Real time, sub-millisecond: `tookMs` is the latency the member showed, as etcdctl's "took".
      const started = process.hrtime.bigint();
      const took = () => Number(process.hrtime.bigint() - started) / 1e6;
      return this.caller
        .callOn(endpoint, '/v3/kv/range', { key: encodeBytes('health') }, () => undefined, options)
        .pipe(
          map((): EndpointHealth => ({ endpoint, health: true, tookMs: took() })),
          catchError((error: unknown) => {
            // The read went through consensus even if this user may not read the key.
            if (error instanceof EtcdPermissionDeniedError) return of({ endpoint, health: true, tookMs: took() });
            if (!(error instanceof EtcdError)) return throwError(() => error);
            return of({ endpoint, health: false, tookMs: took(), error: error.message });
          }),
        );
    });
  }

  private eachEndpoint<T>(ask: (endpoint: string) => Observable<T>): Observable<Result<T, EndpointFailure>[]> {
    return defer(() =>
      forkJoin(
        this.caller.endpoints.map((endpoint) =>
          ask(endpoint).pipe(
            map((value): Result<T, EndpointFailure> => Ok(value)),
            catchError((error: unknown) => (error instanceof EtcdError ? of(Err({ endpoint, error })) : throwError(() => error))),
          ),
        ),
      ),
    );
  }
}

function headerOf(json: unknown): ResponseHeader {
  return decodeHeader(asObject(json, 'response').header);
}

function checkAlarm(alarm: Alarm): Alarm {
  if (typeof alarm !== 'object' || alarm === null) throw new EtcdInvalidArgumentError('an alarm is { memberId, alarm }');
  return { memberId: encodeMemberId(alarm.memberId), alarm: oneOf(ALARM_TYPES, alarm.alarm, 'alarm') };
}

function decodeAlarms(json: unknown): AlarmList {
  const answer = asObject(json, 'alarm response');
  const alarms = asArray(answer.alarms, 'alarms').map((a) => {
    const member = asObject(a, 'alarm');
    // proto3 leaves out the enum's zero (NONE); an alarm listed is always one of the others.
    return { memberId: decodeId(member.memberID, 'memberID'), alarm: asString(member.alarm, 'alarm') as AlarmType };
  });
  return { header: decodeHeader(answer.header), alarms };
}
