/**
 * A configuration stream: a live copy of every key under `config/`, values parsed as JSON, that
 * prints what changed after each revision. Run with `npx tsx examples/config-stream.ts`.
 *
 * With ETCD_SERVERS (or ETCDCTL_ENDPOINTS) set, it follows that cluster's `config/` prefix until
 * Ctrl-C: change keys with etcdctl (JSON values) and watch it print. Otherwise it starts a
 * throwaway local etcd, makes a few changes itself so there is something to see, and stops it.
 */
import { filter, firstValueFrom, Observable, shareReplay } from 'rxjs';
import { Etcd, MirrorChange, MirrorState } from 'etcd-rx';
import { onInterrupt, runExample } from './run-example';

const PREFIX = 'config/';

function describeChange(change: MirrorChange<unknown>): string {
  const show = (value: unknown) => JSON.stringify(value);
  switch (change.type) {
    case 'added':
      return `+ ${change.key} = ${show(change.value)}`;
    case 'modified':
      return `~ ${change.key}: ${show(change.previous)} -> ${show(change.value)}`;
    case 'removed':
      return `- ${change.key} (was ${show(change.previous)})`;
  }
}

function print(state: MirrorState<unknown>): void {
  console.log(`revision ${state.revision}${state.relisted ? ' (listed)' : ''}: ${state.entries.size} key(s)`);
  for (const change of state.changes) console.log(`  ${describeChange(change)}`);
}

/** Makes a few changes, each time waiting until the stream has shown it. */
async function demonstrate(etcd: Etcd, config: Observable<MirrorState<unknown>>): Promise<void> {
  const steps: (() => Observable<{ header: { revision: number } }>)[] = [
    () => etcd.putJson(`${PREFIX}web`, { port: 8080, workers: 4 }),
    () => etcd.putJson(`${PREFIX}features`, { beta: false }),
    () => etcd.putJson(`${PREFIX}web`, { port: 9090, workers: 4 }),
    () => etcd.delete(`${PREFIX}features`),
  ];
  for (const step of steps) {
    const { header } = await firstValueFrom(step());
    await firstValueFrom(config.pipe(filter((state) => state.revision >= header.revision)));
  }
}

runExample(async (etcd, startedLocally) => {
  // One listing and one watch, shared by every subscriber; a late subscriber gets the latest state.
  // A value that is not JSON ends it ('fail'): a broken configuration should stop this program,
  // where a long-lived service would rather keep the last good value ('keep-last', the default).
  const config = etcd.mirrorJson({ prefix: PREFIX }, { onInvalid: 'fail' }).pipe(shareReplay({ bufferSize: 1, refCount: true }));
  // The stream ends only with an error (a value that is not JSON, say): then so does the example.
  let failed: ((error: unknown) => void) | undefined;
  const ended = new Promise<never>((_, reject) => (failed = reject));
  const printing = config.subscribe({ next: print, error: (e: unknown) => failed?.(e) });
  try {
    if (startedLocally) {
      await Promise.race([demonstrate(etcd, config), ended]);
    } else {
      console.log(`following ${PREFIX}* — press Ctrl-C to stop`);
      await Promise.race([new Promise<void>((resolve) => onInterrupt(resolve)), ended]);
    }
  } finally {
    printing.unsubscribe();
  }
});
