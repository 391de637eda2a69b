/**
 * The one place where the client asks a member about itself, and remembers what it said: whether
 * it answered, whether it knows a leader, its raft term and its etcd version. Every liveness
 * question asks here: the liveness probe before a call to a silent member and after a call
 * stalls, the watch of a waiting call, a stream's watchdog and a failing call's leader sighting.
 * Questions about one member share the request in flight, and an answer heard a moment ago is
 * given again without asking; a member's probe loop runs only while someone watches it.
 */
import {
  catchError,
  concat,
  defer,
  EMPTY,
  exhaustMap,
  finalize,
  ignoreElements,
  map,
  Observable,
  of,
  SchedulerLike,
  share,
  Subscriber,
  tap,
  throwError,
} from 'rxjs';
import { EtcdPermissionDeniedError, EtcdTimeoutError } from '../errors';
import { Send } from '../pipeline/attempt';
import { HttpEndpoint } from '../transport/http-endpoint';
import { MemberVersion, parseMemberVersion } from './member-version';
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
  /** Its etcd version (`3.4.33`), the last it told; undefined until it told one. */
  readonly version?: string;
  /** When it was last asked (the monitor's clock, ms); 0 when never. */
  readonly at: number;
  /** When it last answered anything (a refusal of its status too); undefined when never. */
  readonly answeredAt?: number;
  /** When `leaderKnown` and `raftTerm` were heard, its last status answer; undefined when never. */
  readonly statusAt?: number;
  /** When `version` was heard; undefined when never. */
  readonly versionAt?: number;
  /** When a question to it last went unanswered (no answer in time, no connection); undefined when never. */
  readonly silentAt?: number;
}

/**
 * Whether what `report` tells as heard at `heardAt` still stands: it was heard, and the member
 * has not fallen silent since (it may come back upgraded, or cut off from its leader).
 * @example stillStands(report, report.statusAt) && report.leaderKnown === false
 */
export function stillStands(report: MemberReport, heardAt: number | undefined): heardAt is number {
  return heardAt !== undefined && (report.silentAt === undefined || report.silentAt < heardAt);
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

/**
 * A status question's last outcome that the report cannot hold: a refusal for the user's role, or
 * an answer that is not a status. Given again, like a status, for FRESH_ANSWER_MS.
 */
type Untold = { readonly at: number; readonly refusal?: unknown };

/**
 * What the monitor sends: the cheapest question a member answers (`GET /version`, no token, not
 * through raft), or its status.
 */
type Question = 'version' | 'status';

/**
 * The members' last reports, their questions in flight and their probe loops.
 * @example monitor.status(endpoint, 1000).subscribe((s) => console.log(s?.leaderKnown)); monitor.report(endpoint.url).version
 */
export class MemberMonitor {
  private readonly reports = new Map<string, MemberReport>();
  /** The questions in flight, by kind and member. */
  private readonly asking: Record<Question, Map<string, Observable<StatusSeen | undefined>>> = { version: new Map(), status: new Map() };
  /** Each member's last status outcome that is not a status, while it is newer than its report's. */
  private readonly untold = new Map<string, Untold>();
  private readonly loops = new Map<string, ProbeLoop>();

  /**
   * @param clock the client's clock: reports, time limits and loops are timed on it
   * @param send how a question goes down to a member (the client's attempt chain)
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
   * Is `endpoint` alive? Completes when it answers within `timeoutMs` (anything: a refusal of its
   * status for the user's role too), errors with EtcdTimeoutError when it stays silent or with
   * the failure of the request. It joins the question in flight to that member, whichever it is,
   * or asks `GET /version` (no token, not through raft); an answer heard within FRESH_ANSWER_MS
   * counts without asking.
   * @example concat(monitor.check(endpoint, 1000), call$)
   */
  check(endpoint: HttpEndpoint, timeoutMs: number): Observable<never> {
    const url = endpoint.url;
    if (this.isFresh(this.report(url).answeredAt)) return EMPTY;
    const question = this.asking.status.get(url) ?? this.question(endpoint, 'version');
    return this.timed(endpoint, question, timeoutMs, 'liveness probe').pipe(
      ignoreElements(),
      catchError((error: unknown) => (answeredAnyway(error) ? EMPTY : throwError(() => error))),
    );
  }

  /**
   * Asks `endpoint` its status, or joins the status question already in flight to it, and gives
   * up after `timeoutMs` of silence; a status heard within FRESH_ANSWER_MS is given at once.
   * Emits what it said (undefined for an answer that is not a status); errors with
   * EtcdTimeoutError when it stays silent, or with the failure of the request (a refusal for
   * the user's role included: see answeredAnyway). The report of the member is updated either way.
   * @example monitor.status(endpoint, 1000).subscribe({ next: (seen) => console.log(seen?.raftTerm), error: console.error })
   */
  status(endpoint: HttpEndpoint, timeoutMs: number): Observable<StatusSeen | undefined> {
    const untold = this.untold.get(endpoint.url);
    if (untold !== undefined && this.isFresh(untold.at)) return 'refusal' in untold ? throwError(() => untold.refusal) : of(undefined);
    const fresh = this.freshStatus(this.report(endpoint.url));
    if (fresh !== undefined) return of(fresh);
    return this.timed(endpoint, this.question(endpoint, 'status'), timeoutMs, 'status');
  }

  /**
   * The etcd version of `endpoint`, for choices that differ per member: the one it last told,
   * unless it fell silent since (it may come back upgraded), else asked (`GET /version`, shared
   * with any liveness question in flight). Emits undefined for a version that cannot be read;
   * errors as the question does.
   * @example monitor.version(endpoint, 5000).subscribe((v) => console.log(v && websocketWatchAuth(v)))
   */
  version(endpoint: HttpEndpoint, timeoutMs: number): Observable<MemberVersion | undefined> {
    const known = () => {
      const version = this.report(endpoint.url).version;
      return version === undefined ? undefined : parseMemberVersion(version);
    };
    return defer(() => {
      const report = this.report(endpoint.url);
      if (stillStands(report, report.versionAt)) return of(known());
      return concat(
        this.timed(endpoint, this.question(endpoint, 'version'), timeoutMs, 'version').pipe(ignoreElements()),
        defer(() => of(known())),
      );
    });
  }

  /**
   * Asks `ask()` every `everyMs`, one at a time (a tick that comes while the previous question
   * is still out is skipped), mirroring what each answers. Every watcher of one member is timed
   * by the member's one probe loop, which ticks those due together at once (their questions,
   * made through `check` and `status`, then share one request) and runs only while someone
   * watches the member: no timer is kept for a member nobody watches.
   * @example monitor.watch(endpoint, 1000, () => monitor.check(endpoint, 1500)).subscribe({ error: (e) => console.log('gone', e) })
   */
  watch<T>(endpoint: HttpEndpoint, everyMs: number, ask: () => Observable<T>): Observable<T> {
    let loop = this.loops.get(endpoint.url);
    if (loop === undefined) {
      loop = new ProbeLoop(this.clock);
      this.loops.set(endpoint.url, loop);
    }
    return loop.ticks(everyMs).pipe(exhaustMap(ask));
  }

  /** Stops every probe loop for good: their watchers' ticks end, and no timer is left behind. */
  close(): void {
    for (const loop of this.loops.values()) loop.close();
  }

  /** The status `report` holds, if heard within FRESH_ANSWER_MS and the member has not fallen silent since. */
  private freshStatus(report: MemberReport): StatusSeen | undefined {
    const { statusAt, leaderKnown, raftTerm, version } = report;
    if (!stillStands(report, statusAt) || !this.isFresh(statusAt) || leaderKnown === undefined || raftTerm === undefined || version === undefined)
      return undefined;
    return { leaderKnown, raftTerm, version };
  }

  private isFresh(at: number | undefined): boolean {
    return at !== undefined && this.clock.now() - at <= FRESH_ANSWER_MS;
  }

  /** `question` given up after `timeoutMs`, the silence recorded in the member's report. */
  private timed<T>(endpoint: HttpEndpoint, question: Observable<T>, timeoutMs: number, what: string): Observable<T> {
    const silent = () => new EtcdTimeoutError(timeoutMs, true, { endpoint: endpoint.url, what });
    return question.pipe(
      timeLimit(timeoutMs, silent, this.clock),
      tap({ error: (error: unknown) => error instanceof EtcdTimeoutError && this.fellSilent(endpoint.url) }),
    );
  }

  /** The `kind` question in flight to `endpoint`, sent now if there is none. */
  private question(endpoint: HttpEndpoint, kind: Question): Observable<StatusSeen | undefined> {
    const url = endpoint.url;
    const inFlight = this.asking[kind];
    let question = inFlight.get(url);
    if (question === undefined) {
      question = this.ask(endpoint, kind).pipe(
        finalize(() => inFlight.delete(url)),
        // When every asker has given up, the request is abandoned.
        share(),
      );
      inFlight.set(url, question);
    }
    return question;
  }

  private ask(endpoint: HttpEndpoint, kind: Question): Observable<StatusSeen | undefined> {
    const url = endpoint.url;
    if (kind === 'version')
      return this.send({ method: 'version', endpoint, attempt: 1, exchange: { kind: 'get', path: '/version' } }).pipe(
        map((json) => {
          this.heard(url, { reachable: true, answeredAt: this.clock.now(), ...this.versionOf(json) });
          return undefined;
        }),
      );
    return this.send({ method: 'maintenance/status', endpoint, attempt: 1, exchange: { kind: 'post', path: '/v3/maintenance/status', body: {} } }).pipe(
      map(readStatus),
      tap({
        next: (seen) => {
          const now = this.clock.now();
          if (seen === undefined) this.untold.set(url, { at: now });
          else this.untold.delete(url);
          this.heard(url, { reachable: true, answeredAt: now, ...(seen === undefined ? {} : { ...seen, statusAt: now, versionAt: now }) });
        },
        error: (error: unknown) => {
          if (!answeredAnyway(error)) return this.fellSilent(url);
          this.untold.set(url, { at: this.clock.now(), refusal: error });
          this.heard(url, { reachable: true, answeredAt: this.clock.now() });
        },
      }),
    );
  }

  private heard(url: string, news: Partial<MemberReport>): void {
    this.reports.set(url, { ...this.report(url), ...news, at: this.clock.now() });
  }

  /** What it said stays told (health tells the version of a frozen member), but no longer stands. */
  private fellSilent(url: string): void {
    this.heard(url, { reachable: false, silentAt: this.clock.now() });
  }

  /** The etcd version a `/version` answer names (`{ "etcdserver": "3.4.23", ... }`), if it does. */
  private versionOf(json: unknown): { version?: string; versionAt?: number } {
    const version = typeof json === 'object' && json !== null ? (json as { etcdserver?: unknown }).etcdserver : undefined;
    return typeof version === 'string' ? { version, versionAt: this.clock.now() } : {};
  }
}

/**
 * Watchers of one member due within this long of each other are ticked together (the later ones
 * a little early), so that their questions share one request (ms).
 */
const TICK_TOGETHER_MS = 50;

/** One watcher of a probe loop: when it is due next, and how to tell it. */
interface LoopWatcher {
  readonly everyMs: number;
  dueAt: number;
  readonly subscriber: Subscriber<void>;
}

/**
 * The ticks of one member's probe loop: one timer for every watcher of the member, set for the
 * one due first, and only while one watches (the timer is stopped with the last). Each watcher
 * is ticked every `everyMs` of its own; those due together are ticked at once.
 */
class ProbeLoop {
  private readonly watchers = new Set<LoopWatcher>();
  private next: { readonly at: number; readonly cancel: () => void } | undefined;
  private closed = false;

  constructor(private readonly clock: SchedulerLike) {}

  /** Emits every `everyMs` while subscribed; completes at once once the loop is closed. */
  ticks(everyMs: number): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      const watcher: LoopWatcher = { everyMs, dueAt: this.clock.now() + everyMs, subscriber };
      this.watchers.add(watcher);
      this.schedule();
      return () => {
        this.watchers.delete(watcher);
        if (this.watchers.size === 0) this.stop();
      };
    });
  }

  /** Ends every watcher's ticks and stops the timer; a watcher that comes later gets none. */
  close(): void {
    this.closed = true;
    this.stop();
    for (const watcher of [...this.watchers]) watcher.subscriber.complete();
  }

  /** Sets the timer for the watcher due first, unless it is set for then or sooner already. */
  private schedule(): void {
    if (this.closed || this.watchers.size === 0) return;
    const at = Math.min(...[...this.watchers].map((watcher) => watcher.dueAt));
    if (this.next !== undefined && this.next.at <= at) return;
    this.stop();
    this.next = { at, cancel: after(Math.max(0, at - this.clock.now()), () => this.fire(), this.clock) };
  }

  private fire(): void {
    this.next = undefined;
    const now = this.clock.now();
    const due = [...this.watchers].filter((watcher) => watcher.dueAt <= now + TICK_TOGETHER_MS);
    for (const watcher of due) watcher.dueAt = now + watcher.everyMs;
    this.schedule();
    for (const watcher of due) watcher.subscriber.next();
  }

  private stop(): void {
    this.next?.cancel();
    this.next = undefined;
  }
}
