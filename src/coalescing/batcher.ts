/**
 * Gathers the unary KV calls of one kind made while others of that kind are in flight, and sends
 * them as one `txn`, then routes each operation's answer to the subscribers that asked for it. A
 * call that finds none in flight or gathering goes at once, as itself. Each subscriber still sees
 * one request's answer or its own typed error:
 * - a batch of one is sent as the request itself;
 * - an error that belongs to one request (invalid argument, value too large, lease not found,
 *   permission denied) fails the whole txn and applies nothing, so each request is then sent
 *   again on its own and gets its own answer;
 * - an error that belongs to the batch as a whole (every endpoint failed, the outcome of the
 *   write is unknown, the client closed) reaches every subscriber of it;
 * - a subscriber that leaves takes only its own request out; the batch's HTTP request is
 *   aborted only when every subscriber of it has left.
 * Failover, time limits and retry rules are the inner caller's, applied to the batch as a whole.
 */
import { Observable, Subscriber, Subscription } from 'rxjs';
import { EtcdCompactedError, EtcdInvalidArgumentError, EtcdNotFoundError, EtcdPermissionDeniedError, EtcdProtocolError, EtcdServerError } from '../errors';
import { CallSafety } from '../resilience/retry-policy';
import { Decoder, UnaryCaller } from '../resilience/unary-caller';
import { endingFirst } from './ending-first';
import { Schedule, Wait } from './schedule';

/** How the requests of one kind (reads, writes) go into a txn. */
export interface BatchPolicy {
  /** Whether the txn may be repeated, and whether its answer is held to the read floor. */
  readonly safety: CallSafety;
  /** Operations per txn at most: etcd's `--max-txn-ops`, 128 by default. */
  readonly maxOps: number;
  /** How long requests are gathered. */
  readonly windowMs: number;
  /** The txn operation (`{request_range: …}`) of one request. */
  op(path: string, body: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** The answer of one operation of the txn's `responses` (`response_range`, …). */
  answer(response: Readonly<Record<string, unknown>>): unknown;
  /**
   * For reads: a request equal to one already in the batch is asked once (its signature is
   * returned). For writes: undefined (two writes to one key never reach a batcher together: see
   * WriteOrder).
   */
  same(path: string, body: Readonly<Record<string, unknown>>): string | undefined;
}

interface Waiter {
  readonly decode: Decoder<unknown>;
  readonly subscriber: Subscriber<unknown>;
  readonly request: Request;
}

interface Request {
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly signature: string | undefined;
  readonly waiters: Set<Waiter>;
  batch: Batch;
}

interface Batch {
  readonly requests: Request[];
  readonly signatures: Map<string, Request>;
  state: 'forming' | 'sent' | 'settled';
  inFlight: Subscription[];
  /** Calls made for the batch that have not ended yet. */
  pending: number;
}

/** What one waiter is to be told: its decoded value, or its own error. */
type Outcome = { readonly waiter: Waiter; readonly value: unknown } | { readonly waiter: Waiter; readonly error: unknown };

/**
 * One kind of coalesced calls over an inner caller.
 * @example
 * const reads = new Batcher(caller, readPolicy(0), scheduleOn(asyncScheduler))
 * reads.submit('/v3/kv/range', { key: 'YQ==' }, decodeRange).subscribe(console.log)
 */
export class Batcher {
  private forming: Batch[] = [];
  private cancelFlush: (() => void) | undefined;
  /** Batches and lone calls sent and not settled yet. */
  private inFlight = 0;
  /**
   * A batch has just answered several callers: their next calls are about to come, made in the
   * promise callbacks of those answers, and gather as calls made together do.
   */
  private answered = false;

  constructor(
    private readonly inner: UnaryCaller,
    private readonly policy: BatchPolicy,
    private readonly schedule: Schedule,
  ) {}

  /**
   * One request, sent with the others of its window: emits its own decoded answer, then completes.
   * @example batcher.submit('/v3/kv/put', { key: 'YQ==', value: 'MQ==' }, decodePut)
   */
  submit<T>(path: string, body: Readonly<Record<string, unknown>>, decode: Decoder<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      // Nothing to gather with and nothing to wait for: the call goes now, as itself.
      if (this.inFlight === 0 && this.cancelFlush === undefined && !this.answered && this.policy.windowMs <= 0)
        return this.alone(path, body, decode, subscriber);
      const waiter = this.join(path, body, decode as Decoder<unknown>, subscriber as Subscriber<unknown>);
      return () => this.leave(waiter);
    });
  }

  /** One call on its own, counted in flight so that the calls made meanwhile gather. */
  private alone<T>(path: string, body: Readonly<Record<string, unknown>>, decode: Decoder<T>, subscriber: Subscriber<T>): () => void {
    this.inFlight++;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
    };
    const subscription = this.inner.call(path, body, this.policy.safety, decode).subscribe(endingFirst(subscriber, end));
    return () => {
      end();
      subscription.unsubscribe();
    };
  }

  private join(path: string, body: Readonly<Record<string, unknown>>, decode: Decoder<unknown>, subscriber: Subscriber<unknown>): Waiter {
    const signature = this.policy.same(path, body);
    let request = signature === undefined ? undefined : this.forming.find((b) => b.signatures.has(signature))?.signatures.get(signature);
    if (request === undefined) {
      const batch = this.batchWithRoom();
      request = { path, body, signature, waiters: new Set(), batch };
      batch.requests.push(request);
      if (signature !== undefined) batch.signatures.set(signature, request);
    }
    const waiter: Waiter = { decode, subscriber, request };
    request.waiters.add(waiter);
    this.cancelFlush ??= this.schedule(() => this.flush(), this.wait());
    return waiter;
  }

  /**
   * While calls are in flight, calls gather for the window (by default the turn of the event
   * loop), so that the answers handled in one turn start one batch. With none in flight (the
   * callers of a batch that just answered call again), they go once the promise callbacks of
   * those answers are done, waiting for no turn of the event loop (no timer, no poll for I/O).
   */
  private wait(): Wait {
    return this.inFlight === 0 && this.policy.windowMs <= 0 ? 'soon' : this.policy.windowMs;
  }

  /** The first forming batch with room left, or a new one. */
  private batchWithRoom(): Batch {
    for (const batch of this.forming) if (batch.requests.length < this.policy.maxOps) return batch;
    const batch: Batch = { requests: [], signatures: new Map(), state: 'forming', inFlight: [], pending: 0 };
    this.forming.push(batch);
    return batch;
  }

  private leave(waiter: Waiter): void {
    const { request } = waiter;
    if (!request.waiters.delete(waiter) || request.waiters.size > 0) return;
    const batch = request.batch;
    if (batch.state === 'forming') {
      batch.requests.splice(batch.requests.indexOf(request), 1);
      if (request.signature !== undefined) batch.signatures.delete(request.signature);
      if (this.forming.every((b) => b.requests.length === 0)) {
        this.cancelFlush?.();
        this.cancelFlush = undefined;
        this.forming = [];
      }
    } else if (batch.state === 'sent' && batch.requests.every((r) => r.waiters.size === 0)) {
      // Nobody waits for any answer of this batch any more: abort it.
      for (const subscription of batch.inFlight) subscription.unsubscribe();
      this.settle(batch);
    }
  }

  private flush(): void {
    this.cancelFlush = undefined;
    const batches = this.forming;
    this.forming = [];
    for (const batch of batches) if (batch.requests.length > 0) this.send(batch);
  }

  private send(batch: Batch): void {
    batch.state = 'sent';
    this.inFlight++;
    const requests = batch.requests.filter((r) => r.waiters.size > 0);
    if (requests.length === 0) return this.settle(batch);
    if (requests.length === 1) return this.sendAlone(batch, requests);
    const txn = { success: requests.map((r) => this.policy.op(r.path, r.body)) };
    this.track(
      batch,
      '/v3/kv/txn',
      txn,
      (json, endpoint) => this.split(requests, json, endpoint),
      (error) => {
        if (belongsToOneRequest(error)) this.sendAlone(batch, requests);
        else this.fail(requests, error);
      },
    );
  }

  /** Each request on its own (a batch of one, or the requests of a txn that one of them failed). */
  private sendAlone(batch: Batch, requests: readonly Request[]): void {
    for (const request of requests) {
      this.track(
        batch,
        request.path,
        request.body,
        (json, endpoint) => decodeEach(request, json, endpoint),
        (error) => this.fail([request], error),
      );
    }
  }

  /**
   * Makes one call for the batch; the batch settles when its last call has. The answer is
   * decoded for every waiter inside the call, so that an answer of the wrong shape is a failure
   * of the call, tried on another member like any other.
   */
  private track(batch: Batch, path: string, body: unknown, decode: Decoder<Outcome[]>, onError: (error: unknown) => void): void {
    batch.pending++;
    let answered = false;
    const finish = () => {
      if (--batch.pending === 0) this.settle(batch);
    };
    const subscription = this.inner.call(path, body, this.policy.safety, decode).subscribe({
      next: (outcomes) => {
        answered = true;
        if (outcomes.length > 1) this.expectCalls();
        for (const outcome of outcomes) {
          const { waiter } = outcome;
          // A waiter may have left while the others' answers were delivered.
          if (!waiter.request.waiters.has(waiter)) continue;
          if ('error' in outcome) {
            waiter.subscriber.error(outcome.error);
          } else {
            waiter.subscriber.next(outcome.value);
            waiter.subscriber.complete();
          }
        }
      },
      error: (error: unknown) => {
        onError(error);
        finish();
      },
      complete: () => {
        if (!answered) onError(new EtcdProtocolError(`etcd answered nothing to ${path}`));
        finish();
      },
    });
    if (!subscription.closed && batch.state === 'sent') batch.inFlight.push(subscription);
  }

  /** A txn's answer cut into the answers of its operations, each decoded for its waiters. */
  private split(requests: readonly Request[], json: unknown, endpoint: string): Outcome[] {
    const txn = json as { header?: unknown; responses?: unknown } | null;
    const responses = txn?.responses;
    if (!Array.isArray(responses) || responses.length !== requests.length) {
      const got = Array.isArray(responses) ? responses.length : 'no';
      throw new EtcdProtocolError(`${endpoint} answered a txn of ${requests.length} operations with ${got} responses`, { endpoint });
    }
    return requests.flatMap((request, i) => {
      const response = responses[i] as Record<string, unknown> | null;
      const one = typeof response === 'object' && response !== null ? this.policy.answer(response) : undefined;
      // An operation's own header holds only the revision; the txn's is the full one.
      return decodeEach(request, typeof one === 'object' && one !== null ? { ...one, header: txn?.header } : one, endpoint);
    });
  }

  private fail(requests: readonly Request[], error: unknown): void {
    for (const request of requests) for (const waiter of [...request.waiters]) waiter.subscriber.error(error);
  }

  private settle(batch: Batch): void {
    if (batch.state === 'settled') return;
    if (batch.state === 'sent') this.inFlight--;
    batch.state = 'settled';
    batch.inFlight = [];
  }

  /** For the rest of this turn of the event loop (the callbacks of the answers handed out), calls gather. */
  private expectCalls(): void {
    if (this.answered) return;
    this.answered = true;
    this.schedule(() => (this.answered = false), 0);
  }
}

/**
 * One answer decoded by each waiter of a request. A decoder that finds the answer malformed
 * fails the whole call (another member may answer well); any other error is that waiter's own.
 */
function decodeEach(request: Request, json: unknown, endpoint: string): Outcome[] {
  return [...request.waiters].map((waiter) => {
    try {
      return { waiter, value: waiter.decode(json, endpoint) };
    } catch (error) {
      if (error instanceof EtcdProtocolError) throw error;
      return { waiter, error };
    }
  });
}

/**
 * An error the server gave for what one request asked (a failed txn applies nothing, so each
 * request can be sent again on its own); every other error is the batch's as a whole.
 */
function belongsToOneRequest(error: unknown): boolean {
  return (
    error instanceof EtcdInvalidArgumentError ||
    error instanceof EtcdNotFoundError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof EtcdCompactedError ||
    error instanceof EtcdServerError
  );
}
