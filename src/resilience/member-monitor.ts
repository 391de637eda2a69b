/**
 * The one place where the client asks a member about itself, and remembers what it said: whether
 * it answered, whether it knows a leader, its raft term and its etcd version. Every liveness
 * question asks here: the liveness probe before a call to a silent member and after a call
 * stalls, the watch of a waiting call, a stream's watchdog and a failing call's leader sighting.
 * Questions about one member share the status request in flight, and an answer heard a moment
 * ago is given again without asking; a member's probe loop runs only while someone watches it.
 */
import { exhaustMap, finalize, map, Observable, of, OperatorFunction, SchedulerLike, share, Subject, tap, throwError } from 'rxjs';
import { EtcdPermissionDeniedError, EtcdTimeoutError } from '../errors';
import { Send } from '../pipeline/attempt';
import { HttpEndpoint } from '../transport/http-endpoint';
import { memberAnswered } from './retry-policy';
import { after, timeLimit } from './time-limit';

/** What one member said of itself. */
export interface MemberReport {
  readonly endpoint: string;
  /** Whether its last status question was answered in time. */
  readonly reachable: boolean;
  /** Whether it follows (or is) a leader; undefined until it answered once. */
  readonly leaderKnown?: boolean;
  readonly raftTerm?: number;
  /** Its etcd version (`3.4.33`); undefined until it answered once. */
  readonly version?: string;
  /** When it was last asked (the monitor's clock, ms); 0 when never. */
  readonly at: number;
}

/** A status answer, decoded: what the monitor keeps of it. */
export interface StatusSeen {
  readonly leaderKnown: boolean;
  readonly raftTerm: number;
  readonly version: string;
}

/**
 * How long an answer is given again to whoever asks next without asking the member (ms). A live
 * member answers in a millisecond or two, so this is what lets a burst of stalled calls, a
 * watchdog and a waiting call share one question; it is short, so that a member frozen since
 * cannot hide behind it for long.
 */
export const FRESH_ANSWER_MS = 100;

/**
 * The one reading of "does this member know a leader" (and its term and version) from a status
 * answer; undefined for an answer that is not a member's status (only a real member saying "no
 * leader" may count as leaderless). proto3 leaves a zero leader id out of the JSON; "0" would
 * mean the same.
 * @example readStatus({ header: {}, version: '3.4.33', leader: '42', raftTerm: '3' }) // { leaderKnown: true, raftTerm: 3, version: '3.4.33' }
 */
export function readStatus(json: unknown): StatusSeen | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { leader, version, header, raftTerm } = json as { leader?: unknown; version?: unknown; header?: unknown; raftTerm?: unknown };
  if (typeof version !== 'string' || typeof header !== 'object' || header === null) return undefined;
  return { leaderKnown: leader !== undefined && leader !== '0' && leader !== 0, raftTerm: Number(raftTerm ?? 0), version };
}

/**
 * Whether a failed status question was answered by the member all the same: a refusal for the
 * user's role (etcd 3.5 answers status only to root) or any error etcd itself gave.
 * @example answeredAnyway(new EtcdPermissionDeniedError('permission denied')) // true
 */
export function answeredAnyway(error: unknown): boolean {
  return error instanceof EtcdPermissionDeniedError || memberAnswered(error);
}

/** One member's outcome: what its last answer was, kept for FRESH_ANSWER_MS. */
type Outcome = { readonly at: number } & ({ readonly seen: StatusSeen | undefined } | { readonly refusal: unknown });

/**
 * The members' last reports, their questions in flight and their probe loops.
 * @example monitor.check(endpoint, 1000).subscribe((s) => console.log(s?.leaderKnown)); monitor.report(endpoint.url).version
 */
export class MemberMonitor {
  private readonly reports = new Map<string, MemberReport>();
  private readonly asking = new Map<string, Observable<StatusSeen | undefined>>();
  private readonly answers = new Map<string, Outcome>();
  private readonly loops = new Map<string, ProbeLoop>();

  /**
   * @param clock the client's clock: reports, time limits and loops are timed on it
   * @param send how a status question goes down to a member (the client's attempt chain)
   */
  constructor(
    endpoints: readonly string[],
    private readonly clock: SchedulerLike,
    private readonly send: Send,
  ) {
    for (const endpoint of endpoints) this.reports.set(endpoint, { endpoint, reachable: true, at: 0 });
  }

  /** The last report of `endpoint`. */
  report(endpoint: string): MemberReport {
    return this.reports.get(endpoint) ?? { endpoint, reachable: true, at: 0 };
  }

  /**
   * Asks `endpoint` its status, or joins the question already in flight to it, and gives up
   * after `timeoutMs` of silence; an answer heard within FRESH_ANSWER_MS is given at once. Emits
   * what it said (undefined for an answer that is not a status); errors with EtcdTimeoutError
   * when it stays silent, or with the failure of the request (a refusal for the user's role
   * included: see answeredAnyway). The report of the member is updated either way.
   * @example monitor.check(endpoint, 1000).subscribe({ next: (seen) => console.log(seen?.raftTerm), error: console.error })
   */
  check(endpoint: HttpEndpoint, timeoutMs: number): Observable<StatusSeen | undefined> {
    const url = endpoint.url;
    const silent = () => new EtcdTimeoutError(timeoutMs, true, { endpoint: url, what: 'status' });
    const fresh = this.answers.get(url);
    if (fresh !== undefined && this.clock.now() - fresh.at <= FRESH_ANSWER_MS) return 'seen' in fresh ? of(fresh.seen) : throwError(() => fresh.refusal);
    return this.question(endpoint).pipe(
      timeLimit(timeoutMs, silent, this.clock),
      tap({ error: (error: unknown) => error instanceof EtcdTimeoutError && this.heard(url, { reachable: false }) }),
    );
  }

  /**
   * Asks `endpoint` its status every `everyMs` (one question per member and tick however many
   * watch it: the member's probe loop ticks at the shortest period asked of it) and passes each
   * question, as `check` makes it, through `judge`, one at a time; a tick that comes while the
   * previous question is still out is skipped. The loop runs only while someone watches the
   * member: no timer or socket is kept for a member nobody watches.
   * @example monitor.watch(endpoint, 2000, 2000, ignoreElements()).subscribe({ error: (e) => console.log('gone', e) })
   */
  watch<T>(endpoint: HttpEndpoint, everyMs: number, timeoutMs: number, judge: OperatorFunction<StatusSeen | undefined, T>): Observable<T> {
    let loop = this.loops.get(endpoint.url);
    if (loop === undefined) {
      loop = new ProbeLoop(this.clock);
      this.loops.set(endpoint.url, loop);
    }
    return loop.ticks(everyMs).pipe(exhaustMap(() => this.check(endpoint, timeoutMs).pipe(judge)));
  }

  /** Stops every probe loop for good: their watchers' ticks end, and no timer is left behind. */
  close(): void {
    for (const loop of this.loops.values()) loop.close();
  }

  /** The status question in flight to `endpoint`, sent now if there is none. */
  private question(endpoint: HttpEndpoint): Observable<StatusSeen | undefined> {
    const url = endpoint.url;
    let question = this.asking.get(url);
    if (question === undefined) {
      const exchange = { kind: 'post', path: '/v3/maintenance/status', body: {} } as const;
      question = this.send({ method: 'maintenance/status', endpoint, attempt: 1, exchange }).pipe(
        map(readStatus),
        tap({
          next: (seen) => {
            this.answers.set(url, { at: this.clock.now(), seen });
            this.heard(url, { reachable: true, ...seen });
          },
          error: (error: unknown) => {
            const reachable = answeredAnyway(error);
            if (reachable) this.answers.set(url, { at: this.clock.now(), refusal: error });
            this.heard(url, { reachable });
          },
        }),
        finalize(() => this.asking.delete(url)),
        // When every asker has given up, the request is abandoned.
        share(),
      );
      this.asking.set(url, question);
    }
    return question;
  }

  private heard(url: string, news: Partial<MemberReport>): void {
    this.reports.set(url, { ...this.report(url), ...news, at: this.clock.now() });
  }
}

/**
 * The ticks of one member's probe loop: every `everyMs` of the watcher that asks most often, and
 * only while one watches (the timer is stopped with the last). A watcher that asks more often
 * than the loop ticks brings the next tick forward; one that leaves does not delay it.
 */
class ProbeLoop {
  private readonly periods = new Map<object, number>();
  private readonly tick = new Subject<void>();
  private next: { readonly at: number; readonly cancel: () => void } | undefined;
  private closed = false;

  constructor(private readonly clock: SchedulerLike) {}

  /** Emits at each tick of the loop, which ticks at least every `everyMs` while subscribed. */
  ticks(everyMs: number): Observable<void> {
    return new Observable<void>((subscriber) => {
      const watcher = {};
      this.periods.set(watcher, everyMs);
      subscriber.add(this.tick.subscribe(subscriber));
      this.schedule();
      return () => {
        this.periods.delete(watcher);
        if (this.periods.size === 0) this.stop();
      };
    });
  }

  /** Ends every watcher's ticks and stops the timer; a watcher that comes later gets none. */
  close(): void {
    this.closed = true;
    this.stop();
    this.tick.complete();
  }

  private schedule(): void {
    if (this.closed) return;
    const everyMs = Math.min(...this.periods.values());
    const at = this.clock.now() + everyMs;
    if (this.next !== undefined && this.next.at <= at) return;
    this.stop();
    const cancel = after(
      everyMs,
      () => {
        this.next = undefined;
        if (this.periods.size > 0) this.schedule();
        this.tick.next();
      },
      this.clock,
    );
    this.next = { at, cancel };
  }

  private stop(): void {
    this.next?.cancel();
    this.next = undefined;
  }
}
