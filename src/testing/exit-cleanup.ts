/**
 * The registry of live clusters, emptied by a `process.on('exit')` handler: a script that ends
 * (or calls process.exit) without stopping its cluster must leave no etcd running and no data
 * dirs behind. Only synchronous work is possible in an exit handler.
 *
 * Inside jest this handler never runs: jest hands test code a copy of `process` whose events
 * never fire. The reaper (./reaper.ts) covers that case, and a parent killed by a signal.
 */

const liveCleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of liveCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: one failed cleanup must not stop the others.
    }
  }
  liveCleanups.clear();
}

/**
 * Runs `cleanup` (synchronously) when the process exits, unless the returned function is called
 * first to say it is no longer needed.
 * @example const forget = cleanUpAtExit(() => fs.rmSync(dir, { recursive: true, force: true }))
 */
export function cleanUpAtExit(cleanup: () => void): () => void {
  if (!installed) {
    process.on('exit', runAll);
    installed = true;
  }
  liveCleanups.add(cleanup);
  return () => {
    liveCleanups.delete(cleanup);
  };
}
