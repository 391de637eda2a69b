/**
 * One selector's state, shared by every client that watches it: one listing and one etcd watch
 * for all of them, plus a bounded history of recent change events so that a client that
 * reconnects resumes from memory instead of from etcd.
 */
import { catchError, defer, map, Observable, retry, Subscription, switchMap, tap, throwError, timer, toArray } from 'rxjs';
import { EtcdCompactedError, EtcdInvalidArgumentError, WatchCompactedError } from '../index';
import type { Etcd, KeySelector, KeyValue, WatchBatch } from '../index';
import { changeFrame, changesOf, SentValue, sentValue, snapshotFrame, ValueTransform } from './frames';

/** A client of a feed: the stream it writes to. */
export interface FeedMember {
  /** Starts the client's stream (its headers). */
  open(): void;
  /** False while the client has more waiting for it than it may; `drained` is called after. */
  readonly writable: boolean;
  send(frame: string): void;
  /** Ends the client's stream; it may reconnect and resume. */
  end(reason: string, status?: number): void;
}

/** How a feed behaves. */
export interface FeedSettings {
  readonly transform: ValueTransform;
  /** The watch asks for each key's previous state only when a transform may hide keys. */
  readonly prevKv: boolean;
  /** Change events kept for resuming clients, in bytes of their frames. */
  readonly historyBytes: number;
}

interface Recorded {
  readonly revision: number;
  readonly frame: string;
}

/**
 * The shared state of one selector. It starts with its first member and stops (cancelling its
 * watch) when its last member leaves; `onStop` then forgets it.
 * @example const feed = new SelectorFeed(etcd, { prefix: 'ui/' }, settings, () => feeds.delete(id)); feed.join(stream, undefined)
 */
export class SelectorFeed {
  private state = new Map<string, SentValue>();
  /** The revision `state` is at. */
  private revision = 0;
  private history: Recorded[] = [];
  /** The number of `history[0]` among every event recorded: members' positions are such numbers. */
  private firstSeq = 0;
  private recordedBytes = 0;
  /** `history` holds every change event after this revision. */
  private historyFrom = 0;
  private ready = false;
  /** Members that receive every event, with the number of the next recorded event each is due. */
  private readonly live = new Map<FeedMember, number>();
  /** Members waiting for the feed to be ready, with the revision they resume after. */
  private readonly waiting = new Map<FeedMember, number | undefined>();
  /** Members catching up on their own watch, or having their resume point checked. */
  private readonly catchingUp = new Map<FeedMember, Subscription>();
  private watching: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly etcd: Etcd,
    private readonly selector: KeySelector,
    private readonly settings: FeedSettings,
    private readonly onStop: () => void,
  ) {}

  /**
   * Adds a client: a snapshot then every change, or (with `lastEventId`) every change after it.
   * The first one starts the feed, at its `lastEventId` when etcd still has that revision.
   * @example feed.join(stream, 1042) // every change after revision 1042
   */
  join(member: FeedMember, lastEventId: number | undefined): void {
    if (!this.ready) {
      this.waiting.set(member, lastEventId);
      if (this.watching === undefined) this.watching = this.follow(lastEventId).subscribe({ error: (error: unknown) => this.fail(error) });
      return;
    }
    member.open();
    if (lastEventId === undefined) this.sendSnapshot(member);
    else if (lastEventId > this.revision) this.checkAhead(member, lastEventId);
    else if (lastEventId >= this.historyFrom) this.replay(member, lastEventId);
    else this.catchUp(member, lastEventId);
  }

  /**
   * Removes a client; the last one to leave stops the feed.
   * @example response.once('close', () => feed.leave(stream))
   */
  leave(member: FeedMember): void {
    this.live.delete(member);
    this.waiting.delete(member);
    this.catchingUp.get(member)?.unsubscribe();
    this.catchingUp.delete(member);
    if (this.live.size + this.waiting.size + this.catchingUp.size === 0) this.stop();
  }

  /**
   * Ends every client's stream (they reconnect, to a fresh feed) and stops.
   * @example feed.close('the server is closing')
   */
  close(reason: string, status?: number): void {
    const members = [...this.live.keys(), ...this.waiting.keys(), ...this.catchingUp.keys()];
    this.live.clear();
    this.waiting.clear();
    for (const subscription of this.catchingUp.values()) subscription.unsubscribe();
    this.catchingUp.clear();
    this.stop();
    for (const member of members) member.end(reason, status);
  }

  /** Lists (at `resumeAfter` first, when given and still kept), then watches; lists again after a compaction. */
  private follow(resumeAfter: number | undefined): Observable<WatchBatch> {
    let listAt = resumeAfter;
    return defer(() => this.list(listAt)).pipe(
      switchMap(({ revision, kvs }) => {
        listAt = undefined;
        this.reset(revision, kvs);
        return this.etcd.watch(this.selector, { startRevision: revision + 1, prevKv: this.settings.prevKv });
      }),
      tap((batch) => this.apply(batch)),
      retry({ delay: (error: unknown) => (error instanceof WatchCompactedError ? timer(0) : throwError(() => error)) }),
    );
  }

  /** Every selected key at `at` (when not compacted, nor in the future) or else now. */
  private list(at: number | undefined): Observable<{ revision: number; kvs: KeyValue[] }> {
    const listing = (revision: number) =>
      this.etcd.list(this.selector, { revision }).pipe(
        toArray(),
        map((kvs) => ({ revision, kvs })),
      );
    const now = this.etcd.range(this.selector, { countOnly: true }).pipe(switchMap(({ header }) => listing(header.revision)));
    if (at === undefined) return now;
    return this.etcd.range(this.selector, { countOnly: true }).pipe(
      switchMap(({ header }) => (at <= header.revision ? listing(at) : now)),
      catchError((error: unknown) => (error instanceof EtcdCompactedError ? now : throwError(() => error))),
    );
  }

  /** Takes a listing: the first one, or a fresh one after a compaction (sent to every client). */
  private reset(revision: number, kvs: readonly KeyValue[]): void {
    this.state = new Map();
    for (const kv of kvs) {
      const shown = sentValue(kv, this.settings.transform);
      if (shown !== undefined) this.state.set(kv.key, shown);
    }
    this.revision = revision;
    this.firstSeq += this.history.length;
    this.history = [];
    this.recordedBytes = 0;
    this.historyFrom = revision;
    for (const member of this.live.keys()) this.sendSnapshot(member);
    this.ready = true;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const [member, lastEventId] of waiting) this.join(member, lastEventId);
  }

  /** One revision from the shared watch: recorded and sent when it changed a key clients see. */
  private apply(batch: WatchBatch): void {
    this.revision = batch.revision;
    const changes = changesOf(batch, this.settings.transform);
    if (changes.length === 0) return;
    for (const change of changes) {
      if (change.type === 'put') this.state.set(change.key, { value: change.value, binary: change.binary === true });
      else this.state.delete(change.key);
    }
    this.record({ revision: batch.revision, frame: changeFrame({ revision: batch.revision, changes }) });
    for (const member of this.live.keys()) this.drained(member);
  }

  /**
   * Sends a member the recorded events it is due, as far as it takes them: one that reads more
   * slowly than the keys change waits in its socket's buffer, and the rest in the shared history
   * (called again when its buffer drains). One that falls behind the history is dropped.
   * @example response.on('drain', () => feed.drained(stream))
   */
  drained(member: FeedMember): void {
    let next = this.live.get(member);
    if (next === undefined) return;
    if (next < this.firstSeq) {
      this.leave(member);
      member.end(`dropped: this client fell more than ${this.settings.historyBytes} bytes of changes behind; reconnect to resume`);
      return;
    }
    const end = this.firstSeq + this.history.length;
    while (next < end && member.writable) member.send(this.history[next++ - this.firstSeq].frame);
    this.live.set(member, next);
  }

  private record(event: Recorded): void {
    this.history.push(event);
    this.recordedBytes += event.frame.length;
    while (this.recordedBytes > this.settings.historyBytes && this.history.length > 1) {
      const dropped = this.history.shift() as Recorded;
      this.firstSeq++;
      this.recordedBytes -= dropped.frame.length;
      this.historyFrom = dropped.revision;
    }
  }

  private sendSnapshot(member: FeedMember): void {
    this.live.set(member, this.firstSeq + this.history.length);
    member.send(snapshotFrame(this.revision, this.state));
  }

  /** Sends the recorded events after revision `after`, then every new one. */
  private replay(member: FeedMember, after: number): void {
    const due = this.history.findIndex((event) => event.revision > after);
    this.live.set(member, this.firstSeq + (due < 0 ? this.history.length : due));
    this.drained(member);
  }

  /**
   * A resume point past what the feed has seen: fine when etcd is there too (nothing selected
   * changed since), but one from another cluster gets a snapshot rather than a silent gap.
   */
  private checkAhead(member: FeedMember, after: number): void {
    const checking = this.etcd.range(this.selector, { countOnly: true }).subscribe({
      next: ({ header }) => {
        this.catchingUp.delete(member);
        if (after <= header.revision) this.replay(member, after);
        else this.sendSnapshot(member);
      },
      error: (error: unknown) => this.dropMember(member, error),
    });
    if (!checking.closed) this.catchingUp.set(member, checking);
  }

  /**
   * Resumes a client from before the history on a watch of its own, from `after + 1`, until
   * that watch reaches the history; then it joins the shared events. Its own watch thus lasts
   * until the next selected change at most. Compacted away: a fresh snapshot.
   */
  private catchUp(member: FeedMember, after: number): void {
    let last = after;
    const own = this.etcd.watch(this.selector, { startRevision: after + 1, prevKv: this.settings.prevKv }).subscribe({
      next: (batch) => {
        if (batch.revision <= this.historyFrom) {
          // This watch cannot wait for a slow reader: one that lets too much wait is dropped,
          // and resumes from further on each time it reconnects.
          if (!member.writable) return this.dropMember(member, new Error('the client reads too slowly to catch up'));
          const changes = changesOf(batch, this.settings.transform);
          if (changes.length > 0) member.send(changeFrame({ revision: batch.revision, changes }));
          last = batch.revision;
        }
        if (batch.revision >= this.historyFrom) {
          this.catchingUp.get(member)?.unsubscribe();
          this.catchingUp.delete(member);
          this.replay(member, last);
        }
      },
      error: (error: unknown) => {
        this.catchingUp.delete(member);
        if (error instanceof WatchCompactedError) this.sendSnapshot(member);
        else this.dropMember(member, error);
      },
    });
    if (!own.closed) this.catchingUp.set(member, own);
  }

  private dropMember(member: FeedMember, error: unknown): void {
    this.leave(member);
    member.end(`the stream failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  private fail(error: unknown): void {
    const reason = `the stream failed: ${error instanceof Error ? error.message : String(error)}`;
    this.close(reason, error instanceof EtcdInvalidArgumentError ? 500 : 503);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watching?.unsubscribe();
    this.onStop();
  }
}
