/**
 * `lock NAME [--ttl S] [[--] COMMAND ...]`: waits for the lock and holds it until Ctrl-C, or while
 * COMMAND runs, as etcdctl's `lock` does.
 */
import { map, Observable } from 'rxjs';
import type { Bytes, Lock } from '../index';
import { UsageError } from './args';
import { Command, Context, finished, untilInterrupted } from './command';
import { Child } from './child-command';
import { argumentBytes, hasInvalidUtf8 } from './command-line';
import { ExitCode } from './exit-codes';
import { bytesJson, hexLeaseId, showBytes } from './render';

/** `lock NAME [--ttl S] [[--] COMMAND ...]` */
export const lock: Command = {
  name: 'lock',
  summary: 'hold a lock until Ctrl-C, or while a command runs',
  details:
    'Waits its turn for the lock NAME (first come, first served), then prints the lock key (JSON:\n' +
    '{"key", "fencingToken", "lease"}) and holds it until Ctrl-C, which releases it.\n' +
    'With COMMAND (right after NAME, or after --; every word from COMMAND on is its own), runs\n' +
    'COMMAND once the lock is held, with ETCD_LOCK_KEY and ETCD_LOCK_REV (the fencing token) in its\n' +
    'environment, releases the lock when it exits, and exits with its status (unlike etcdctl,\n' +
    'which exits 1 whenever COMMAND fails):\n' +
    '(127 when COMMAND is not found, 126 when it is not executable, as a shell has it; 130/143 when\n' +
    'interrupted before COMMAND ran). Ctrl-C reaches COMMAND as it reaches any foreground program;\n' +
    'a SIGTERM sent to etcd-rx is passed on to it; the lock is released once COMMAND has exited.\n' +
    'A second signal kills COMMAND (SIGKILL) and exits at once: the lock key then stays until its\n' +
    'lease expires. When the lock is lost (its lease expired, its key was deleted), COMMAND is sent\n' +
    'SIGTERM and the exit code is 3.',
  args: {
    positionals: [{ name: 'NAME' }],
    flags: [
      {
        name: 'ttl',
        kind: 'count',
        min: 1,
        placeholder: 'S',
        description: 'TTL of the lease behind the lock (default 10): how long it outlives a holder that died',
      },
    ],
    rest: 'COMMAND',
    restWithoutDashes: true,
  },
  examples: ['etcd-rx lock backups ./backup.sh --full', 'etcd-rx lock backups -- ./backup.sh --full', 'etcd-rx lock deploy --ttl 30'],
  run: async (context) => {
    const { args } = context;
    const options = { ttl: args.count('ttl') };
    const name = argumentBytes(args.positionals[0]);
    if (args.rest === undefined) {
      const held = context.etcd().lock(name, options);
      return untilInterrupted(await context.interrupts.run(held, (l) => context.out.emit(lockJson(l), (paint) => paint.bold(showBytes(l.keyBuffer)))));
    }
    if (args.rest.length === 0) throw new UsageError('missing COMMAND after --');
    // A program's arguments and environment can only be given as text, which would change these bytes.
    const unpassable = [args.positionals[0], ...args.rest].find(hasInvalidUtf8);
    if (unpassable !== undefined) {
      throw new UsageError(
        `${showBytes(Buffer.from(argumentBytes(unpassable)))} is not valid UTF-8, so it cannot be passed on to COMMAND unchanged (as an argument, or in ETCD_LOCK_KEY)`,
      );
    }
    return runLocked(context, name, args.rest, options);
  },
};

function lockJson(held: Lock): Record<string, unknown> {
  return { ...bytesJson('key', held.keyBuffer), fencingToken: held.fencingToken, lease: hexLeaseId(held.leaseId) };
}

/** Runs `command` under the lock; answers its exit status once the lock is released. */
async function runLocked(context: Context, name: Bytes, command: readonly string[], options: { ttl?: number }): Promise<number> {
  let child: Child | undefined;
  // A second signal leaves at once: COMMAND must not outlive etcd-rx, even if it ignores the first.
  const stopKilling = context.interrupts.onForcedExit(() => child?.kill());
  const work = (held: Lock) =>
    new Observable<Child>((subscriber) => {
      child = new Child(command, { ...context.io.env, ETCD_LOCK_KEY: held.key, ETCD_LOCK_REV: String(held.fencingToken) });
      const running = child;
      void running.exited.then(() => {
        subscriber.next(running);
        subscriber.complete();
      });
      // The lock is lost, or etcd-rx is leaving: the command must not go on unprotected.
      return () => running.terminate();
    });
  const statuses = context
    .etcd()
    .withLock(name, work, options)
    .pipe(map((done) => done.status));
  let status: number = ExitCode.OK;
  const ending = await context.interrupts.run(
    statuses,
    (s) => (status = s),
    (signal) => {
      if (child === undefined || !child.running) return false;
      if (signal === 'SIGTERM') child.terminate();
      return true;
    },
  );
  // Never leave while the command may still run: it would outlive its lock unnoticed.
  if (child !== undefined) await child.exited;
  stopKilling();
  const failure = child?.failure;
  if (failure !== undefined) context.log.note((paint) => `${paint.red('etcd-rx:')} ${failure}`);
  // A signal that came while the lock was being released, after COMMAND ran, does not undo its run.
  if (ending.type === 'interrupted' && child !== undefined && child.failure === undefined) return status;
  const exit = finished(ending);
  return exit === ExitCode.OK ? status : exit;
}
