/**
 * Clients reading, writing and compare-and-setting a few keys as fast as they can, recording a
 * history for the linearizability checker and the figures of every operation: what kind, under
 * which fault it was called, how it ended and how long it took.
 */
import { performance } from 'perf_hooks';
import { firstValueFrom } from 'rxjs';
import { Etcd, EtcdOutcomeUnknownError, Expectation } from '../../src';
import { Operation, RegisterOp, RegisterValue } from '../../src/testing';

/** How one operation ended: answered, failed with nothing applied, or of unknown outcome. */
export type Outcome = 'acknowledged' | 'failed' | 'unknown';

/** The figures of one operation. */
export interface OperationStat {
  readonly client: number;
  readonly kind: RegisterOp['kind'];
  /** The fault in force when it was called ('none' between faults). */
  readonly fault: string;
  readonly outcome: Outcome;
  readonly calledAt: number;
  readonly durationMs: number;
  /** The error's class, for failed and unknown operations. */
  readonly error?: string;
}

/**
 * Runs one loop per client until stopped.
 * @example const load = new Workload(clients, ['k0', 'k1'], () => nemesis.current); load.start(); ...; await load.stop()
 */
export class Workload {
  readonly history: Operation[] = [];
  readonly stats: OperationStat[] = [];
  private stopped = false;
  private running: Promise<void> | undefined;
  private serial = 0;

  constructor(
    private readonly clients: readonly Etcd[],
    private readonly keys: readonly string[],
    private readonly fault: () => string,
  ) {}

  start(): void {
    this.running = Promise.all(this.clients.map((etcd, index) => this.loop(etcd, index))).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Whether every client finished `count` operations of this outcome that it called at or after `since`. */
  everyClientHad(outcome: Outcome, since: number, count = 1): boolean {
    const counts = new Map<number, number>();
    for (let i = this.stats.length - 1; i >= 0; i--) {
      const stat = this.stats[i];
      if (stat.calledAt >= since && stat.outcome === outcome) counts.set(stat.client, (counts.get(stat.client) ?? 0) + 1);
    }
    return this.clients.every((_, client) => (counts.get(client) ?? 0) >= count);
  }

  private async loop(etcd: Etcd, client: number): Promise<void> {
    const lastRead = new Map<string, RegisterValue>();
    while (!this.stopped) {
      const key = this.keys[Math.floor(Math.random() * this.keys.length)];
      const choice = Math.random();
      if (choice < 0.5) {
        await this.run(client, key, 'read', async () => {
          const found = await firstValueFrom(etcd.get(key));
          const value = found.some ? found.val.value : null;
          lastRead.set(key, value);
          return { kind: 'read', value };
        });
        continue;
      }
      const value = `c${client}-${this.serial++}`;
      if (choice < 0.75) {
        await this.run(
          client,
          key,
          'write',
          async () => {
            await firstValueFrom(etcd.put(key, value));
            return { kind: 'write', value };
          },
          { kind: 'write', value },
        );
        continue;
      }
      const expected = lastRead.get(key) ?? null;
      const expectation: Expectation = expected === null ? { version: 0 } : { value: expected };
      await this.run(
        client,
        key,
        'cas',
        async () => {
          const result = await firstValueFrom(etcd.compareAndSet(key, value, expectation));
          if (result.ok) return { kind: 'cas', expected, value, succeeded: true };
          const observed = result.val.current.some ? result.val.current.val.value : null;
          lastRead.set(key, observed);
          return { kind: 'cas', expected, value, succeeded: false, observed };
        },
        { kind: 'cas', expected, value },
      );
    }
  }

  /**
   * Runs one operation. A failure whose outcome is unknown enters the history as an operation
   * that never returned (`unknown`, when it has an effect to model); any other failure is taken
   * at its word, that nothing was applied, so the checker catches it if that was untrue.
   */
  private async run(client: number, key: string, kind: RegisterOp['kind'], operate: () => Promise<RegisterOp>, unknown?: RegisterOp): Promise<void> {
    const fault = this.fault();
    const calledAt = performance.now();
    const record = (outcome: Outcome, error?: unknown) =>
      this.stats.push({
        client,
        kind,
        fault,
        outcome,
        calledAt,
        durationMs: performance.now() - calledAt,
        error: error === undefined ? undefined : (error as Error).constructor.name,
      });
    try {
      const op = await operate();
      const returnedAt = performance.now();
      this.history.push({ client: `c${client}`, key, op, calledAt, returnedAt });
      record('acknowledged');
    } catch (error) {
      if (error instanceof EtcdOutcomeUnknownError && unknown !== undefined) {
        this.history.push({ client: `c${client}`, key, op: unknown, calledAt, returnedAt: undefined });
        record('unknown', error);
      } else {
        record('failed', error);
      }
    }
  }
}
