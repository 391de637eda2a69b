/**
 * One selector's state, shared by every client that watches it: one listing and one etcd watch
 * for all of them, plus a bounded history of recent change events so that a client that
 * reconnects resumes from memory instead of from etcd.
 */
import { Observable, Subscription, switchMap, tap, toArray } from 'rxjs';
import { EtcdCompactedError, EtcdInvalidArgumentError, listThenWatch, WatchCompactedError } from '../index';
import type { Etcd, KeySelector, KeyValue, ListThenWatchStep, WatchBatch } from '../index';
import { changeFrame, changesOf, SentValue, sentValue, snapshotFrame, syncedFrame, ValueTransform } from './frames';

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

/** A member resuming from before the history, on an etcd watch of its own. */
interface CatchingUp {
  readonly subscription: Subscription;
  /** Every selected key (shown or hidden) with its modRevision, as the member's events left it; undefined until listed. */
  held?: Map<string, number>;
  /** The last revision the member was sent. */
  last: number;
}

/**
 * The shared state of one selector. It starts with its first member and stops (cancelling its
 * watch) when its last member leaves; `onStop` then forgets it.
 * @example const feed = new SelectorFeed(etcd, { prefix: 'ui/' }, settings, () => feeds.delete(id)); feed.join(stream, undefined)
 */
export class SelectorFeed {
  /** The keys clients see, as they see them. */
  private state = new Map<string, SentValue>();
  /** Every selected key, hidden ones too, with its modRevision: what a catching-up member must reach. */
  private modRevisions = new Map<string, number>();
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
  /** Live members owed a `synced` event once they have every recorded event. */
  private readonly owedSynced = new Set<FeedMember>();
  /** Members waiting for the feed to be ready, with the revision they resume after. */
  private readonly waiting = new Map<FeedMember, number | undefined>();
  /** Members catching up on their own watch, or having their resume point checked. */
  private readonly catchingUp = new Map<FeedMember, CatchingUp>();
  private watching: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly etcd: Etcd,
    private readonly selector: KeySelector,
    private readonly settings: FeedSettings,
    private readonly onStop: () => void,
  ) {}

  /**
   * Adds a client: a snapshot then every change, or (with `lastEventId`) every change after it;
   * either way followed by a `synced` event once the client holds the current state.
   * @example feed.join(stream, 1042) // every change after revision 1042
   */
  join(member: FeedMember, lastEventId: number | undefined): void {
    if (!this.ready) {
      this.waiting.set(member, lastEventId);
      if (this.watching === undefined) this.watching = this.follow().subscribe({ error: (error: unknown) => this.fail(error) });
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
    this.owedSynced.delete(member);
    this.waiting.delete(member);
    this.catchingUp.get(member)?.subscription.unsubscribe();
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
    this.owedSynced.clear();
    this.waiting.clear();
    for (const { subscription } of this.catchingUp.values()) subscription.unsubscribe();
    this.catchingUp.clear();
    this.stop();
    for (const member of members) member.end(reason, status);
  }

  /** Lists, then watches from the listing on; lists again after a compaction. */
  private follow(): Observable<ListThenWatchStep> {
    return listThenWatch(this.etcd, this.selector, { prevKv: this.settings.prevKv }).pipe(
      tap((step) => (step.type === 'listed' ? this.reset(step.revision, step.kvs) : this.apply(step.batch))),
    );
  }

  /** Takes a listing: the first one, or a fresh one after a compaction (sent to every client). */
  private reset(revision: number, kvs: readonly KeyValue[]): void {
    this.state = new Map();
    this.modRevisions = new Map(kvs.map((kv) => [kv.key, kv.modRevision]));
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
    this.checkCatchingUp();
  }

  /** One revision from the shared watch: recorded and sent when it changed a key clients see. */
  private apply(batch: WatchBatch): void {
    this.revision = batch.revision;
    trackRevisions(this.modRevisions, batch);
    const changes = changesOf(batch, this.settings.transform, (key) => this.state.has(key));
    if (changes.length > 0) {
      for (const change of changes) {
        if (change.type === 'put') this.state.set(change.key, { value: change.value, binary: change.binary === true });
        else this.state.delete(change.key);
      }
      this.record({ revision: batch.revision, frame: changeFrame({ revision: batch.revision, changes }) });
      for (const member of this.live.keys()) this.drained(member);
    }
    this.checkCatchingUp();
  }

  /**
   * Sends a member the recorded events it is due, as far as it takes them: one that reads more
   * slowly than the keys change waits in its socket's buffer, and the rest in the shared history
   * (called again when its buffer drains). One that falls behind the history is dropped. Once
   * it has them all, a member that was owed it gets `synced`.
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
    if (next === end && this.owedSynced.delete(member)) member.send(syncedFrame(this.revision));
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
    this.owedSynced.delete(member);
    member.send(snapshotFrame(this.revision, this.state));
    member.send(syncedFrame(this.revision));
  }

  /** Sends the recorded events after revision `after`, then `synced`, then every new one. */
  private replay(member: FeedMember, after: number): void {
    const due = this.history.findIndex((event) => event.revision > after);
    this.live.set(member, this.firstSeq + (due < 0 ? this.history.length : due));
    this.owedSynced.add(member);
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
    if (!checking.closed) this.catchingUp.set(member, { subscription: checking, last: after });
  }

  /**
   * Resumes a client from before the history on an etcd watch of its own, from `after + 1`.
   * etcd marks no end to the changes a watch replays, so the member is caught up when every
   * selected key (hidden ones too) has the modRevision the feed has, and the feed is not
   * behind it: it then holds the feed's state and joins the shared events, with `synced`.
   * Whatever came and went in between without leaving a trace need not reach it. Compacted
   * away, or a change whose previous value etcd no longer has: a fresh snapshot.
   */
  private catchUp(member: FeedMember, after: number): void {
    const catching: Omit<CatchingUp, 'subscription'> = { last: after };
    const own = this.etcd
      .list(this.selector, { revision: after, keysOnly: true })
      .pipe(
        toArray(),
        switchMap((kvs) => {
          catching.held = new Map(kvs.map((kv) => [kv.key, kv.modRevision]));
          this.checkCatchingUp();
          return this.etcd.watch(this.selector, { startRevision: after + 1, prevKv: this.settings.prevKv });
        }),
      )
      .subscribe({
        next: (batch) => this.catchUpWith(member, batch),
        error: (error: unknown) => {
          this.catchingUp.delete(member);
          if (error instanceof WatchCompactedError || error instanceof EtcdCompactedError) this.sendSnapshot(member);
          else this.dropMember(member, error);
        },
      });
    if (!own.closed) this.catchingUp.set(member, Object.assign(catching, { subscription: own }));
  }

  /** One revision of a catching-up member's own watch. */
  private catchUpWith(member: FeedMember, batch: WatchBatch): void {
    const catching = this.catchingUp.get(member);
    if (catching?.held === undefined) return;
    // This watch cannot wait for a slow reader: one that lets too much wait is dropped, and
    // resumes from further on each time it reconnects.
    if (!member.writable) return this.dropMember(member, new Error('the client reads too slowly to catch up'));
    const changes = changesOf(batch, this.settings.transform, () => (this.settings.prevKv ? undefined : true));
    if (changes === undefined) {
      catching.subscription.unsubscribe();
      this.catchingUp.delete(member);
      return this.sendSnapshot(member);
    }
    if (changes.length > 0) member.send(changeFrame({ revision: batch.revision, changes }));
    trackRevisions(catching.held, batch);
    catching.last = batch.revision;
    this.checkCatchingUp();
  }

  /** Hands every catching-up member that holds the feed's state over to the shared events. */
  private checkCatchingUp(): void {
    if (!this.ready) return;
    for (const [member, { subscription, held, last }] of this.catchingUp) {
      if (held === undefined || last > this.revision || !sameRevisions(held, this.modRevisions)) continue;
      subscription.unsubscribe();
      this.catchingUp.delete(member);
      this.replay(member, this.revision);
    }
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

/** Moves each key of `revisions` to where `batch` left it. */
function trackRevisions(revisions: Map<string, number>, batch: WatchBatch): void {
  for (const event of batch.events) {
    if (event.type === 'put') revisions.set(event.kv.key, event.kv.modRevision);
    else revisions.delete(event.kv.key);
  }
}

function sameRevisions(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, revision] of a) if (b.get(key) !== revision) return false;
  return true;
}
