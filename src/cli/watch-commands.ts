/** The streaming reads: `watch` (every change) and `mirror` (the live state of a prefix). */
import { concatMap, from, Observable, tap, timer } from 'rxjs';
import type { KeyValue, MirrorChange, MirrorState, WatchBatch, WatchEvent } from '../index';
import { UsageError } from './args';
import { Child } from './child-command';
import { Command, Context, untilInterrupted } from './command';
import { goQuote } from './etcdctl-kv';
import { refuseFormats } from './etcdctl-format';
import { ExitCode } from './exit-codes';
import { argumentBytes } from './command-line';
import { KEY_POSITIONALS, KEY_RANGE_FLAGS, keySelector } from './key-args';
import { Paint } from './output';
import { bytesJson, kvJson, kvText, showBytes } from './render';

/** `watch KEY [END] [--prefix] [--from-key] [--rev N] [--prev-kv]` */
export const watch: Command = {
  name: 'watch',
  summary: 'print every change of a key, a range or a prefix, until Ctrl-C',
  details:
    'Prints each event as etcdctl does: PUT or DELETE, then (with --prev-kv) the previous key and\n' +
    'value, then the key and its value (JSON: one object per event). Keeps going, without losing or\n' +
    'repeating an event, when the member serving it fails. Ends with an error (exit 1) when no\n' +
    'member accepts the watch within the retry policy (a few seconds), when a revision it needs was\n' +
    'compacted, or when no member answers for a minute. While no member has accepted it yet, it\n' +
    'says so on stderr after a second.\n' +
    'With -- COMMAND, runs COMMAND after each event is printed, one at a time, as etcdctl does, with\n' +
    'ETCD_WATCH_REVISION, ETCD_WATCH_EVENT_TYPE, ETCD_WATCH_KEY and ETCD_WATCH_VALUE in its\n' +
    'environment (the revision of the answer that carried the event, as etcdctl sets it; the last\n' +
    'three quoted as etcdctl quotes them: "PUT", "key"); when COMMAND fails,\n' +
    'the watch ends with exit code 1. -w table and -w fields are refused (exit 4).',
  args: {
    positionals: KEY_POSITIONALS,
    flags: [
      ...KEY_RANGE_FLAGS,
      { name: 'rev', kind: 'count', placeholder: 'N', description: 'start at revision N (replaying the changes since), instead of now' },
      { name: 'prev-kv', kind: 'boolean', description: 'also print each key as it was before the change' },
    ],
    rest: 'COMMAND',
  },
  examples: [
    'etcd-rx watch config/ --prefix',
    'etcd-rx watch jobs/ --prefix --rev 1 -o json | jq .key',
    'etcd-rx watch config/web -- sh -c \'echo "$ETCD_WATCH_EVENT_TYPE $ETCD_WATCH_KEY"\'',
  ],
  run: async (context) => {
    const { args } = context;
    // etcdctl's fields form of an event carries a header the watch stream does not give.
    const refused = refuseFormats(context, ['table', 'fields']);
    if (refused !== undefined) return refused;
    const prevKv = args.bool('prev-kv');
    const command = args.rest;
    if (command !== undefined && command.length === 0) throw new UsageError('missing COMMAND after --');
    const etcd = context.etcd();
    const created = etcd.watch(keySelector(args), { startRevision: args.count('rev') || undefined, prevKv, createdNotify: true });
    const events = noteWhileWaiting(created, context.log, etcd.endpoints);
    const hex = args.bool('hex');
    const print = (event: WatchEvent) =>
      context.out.emit(
        { type: event.type, revision: event.revision, ...kvJson(event.kv), ...(event.prevKv.some ? { prevKv: kvJson(event.prevKv.val) } : {}) },
        (paint) =>
          [
            event.type === 'put' ? paint.green('PUT') : paint.red('DELETE'),
            ...(prevKv && event.prevKv.some ? [kvText(event.prevKv.val, paint, { hex })] : []),
            kvText(event.kv, paint, { hex }),
          ].join('\n'),
      );
    if (command === undefined) return untilInterrupted(await context.interrupts.run(events, (batch) => batch.events.forEach(print)));
    const runs = events.pipe(
      concatMap((batch) => {
        batch.events.forEach(print);
        return from(batch.events).pipe(concatMap((event) => runForEvent(command, context.io.env, batch.headerRevision, event)));
      }),
    );
    return untilInterrupted(await context.interrupts.run(runs, () => undefined));
  },
};

/**
 * Runs `command` for one event, with the event in its environment as etcdctl puts it there;
 * completes when it exits with 0, fails otherwise. Unsubscribing stops it.
 */
function runForEvent(command: readonly string[], env: NodeJS.ProcessEnv, revision: number, event: WatchEvent): Observable<never> {
  return new Observable<never>((subscriber) => {
    const child = new Child(command, {
      ...env,
      ETCD_WATCH_REVISION: String(revision),
      ETCD_WATCH_EVENT_TYPE: `"${event.type.toUpperCase()}"`,
      ETCD_WATCH_KEY: goQuote(event.kv.keyBuffer),
      ETCD_WATCH_VALUE: goQuote(event.kv.valueBuffer),
    });
    void child.exited.then(() => {
      if (child.status === ExitCode.OK) subscriber.complete();
      else
        subscriber.error(
          new Error(`command [${command.map((word) => goQuote(Buffer.from(word))).join(' ')}] error (${child.failure ?? `exit status ${child.status}`})`),
        );
    });
    return () => child.terminate();
  });
}

/** How long a watch may take to be created before the user is told what it waits for. */
const WAITING_NOTE_AFTER_MS = 1000;

/**
 * Tells on stderr, when the watch is not created within a second, which members it waits for,
 * and then when it is: a watch against a cluster that is down would otherwise be silent.
 */
function noteWhileWaiting(watch: Observable<WatchBatch>, log: Context['log'], endpoints: readonly string[]): Observable<WatchBatch> {
  return new Observable<WatchBatch>((subscriber) => {
    let waited = false;
    const note = timer(WAITING_NOTE_AFTER_MS).subscribe(() => {
      waited = true;
      log.note(() => `etcd-rx: waiting for a member to accept the watch (${endpoints.join(', ')})`);
    });
    subscriber.add(note);
    return watch
      .pipe(
        tap((batch) => {
          if (!batch.created) return;
          note.unsubscribe();
          if (waited) log.note(() => `etcd-rx: watching from revision ${batch.revision}`);
        }),
      )
      .subscribe(subscriber);
  });
}

/** `mirror PREFIX` (called `snapshot` before `snapshot save` took etcdctl's meaning). */
export const mirrorCommand: Command = {
  name: 'mirror',
  summary: 'print the live state of a prefix, then each change to it, until Ctrl-C',
  details:
    'Prints every key under PREFIX at one revision, then, for each later revision, what changed:\n' +
    '+ added, ~ modified, - removed. Values are shown on one line (escaped when needed). After a\n' +
    'compaction cut the stream, the whole state is listed again. JSON: one object per revision,\n' +
    '{"revision", "relisted", "size", "changes": [{"type": "added"|"modified"|"removed", "key", "value"}]}\n' +
    '(the first lists every key as added).',
  args: { positionals: [{ name: 'PREFIX' }], flags: [] },
  examples: ['etcd-rx mirror config/', 'etcd-rx mirror services/ -o json'],
  run: async (context) => {
    const states = context.etcd().mirror({ prefix: argumentBytes(context.args.positionals[0]) });
    let listings = 0;
    const print = (state: MirrorState<KeyValue>) => {
      const again = state.relisted && listings++ > 0;
      context.out.emit(stateJson(state), (paint) => stateText(state, again, paint));
    };
    return untilInterrupted(await context.interrupts.run(states, print));
  },
};

function stateJson(state: MirrorState<KeyValue>): Record<string, unknown> {
  return {
    revision: state.revision,
    relisted: state.relisted,
    size: state.entries.size,
    changes: state.changes.map((change) => ({
      type: change.type,
      ...bytesJson('key', keyOf(change)),
      ...(change.type === 'removed' ? {} : bytesJson('value', change.value.valueBuffer)),
    })),
  };
}

function stateText(state: MirrorState<KeyValue>, listedAgain: boolean, paint: Paint): string {
  const revision = paint.dim(`revision ${state.revision}:`);
  if (state.relisted) {
    const heading = `${revision} ${state.entries.size} key${state.entries.size === 1 ? '' : 's'}${listedAgain ? ' (listed again after a compaction)' : ''}`;
    return [heading, ...[...state.entries.values()].map((kv) => `  ${showBytes(kv.keyBuffer)} = ${showBytes(kv.valueBuffer)}`)].join('\n');
  }
  return state.changes.map((change) => `${revision} ${changeText(change, paint)}`).join('\n');
}

function changeText(change: MirrorChange<KeyValue>, paint: Paint): string {
  const key = showBytes(keyOf(change));
  if (change.type === 'removed') return `${paint.red('-')} ${key}`;
  return `${change.type === 'added' ? paint.green('+') : paint.yellow('~')} ${key} = ${showBytes(change.value.valueBuffer)}`;
}

function keyOf(change: MirrorChange<KeyValue>): Buffer {
  return change.type === 'removed' ? change.previous.keyBuffer : change.value.keyBuffer;
}
