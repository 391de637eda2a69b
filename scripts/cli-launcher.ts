/**
 * The executable of the bundled CLI (dist/cli/main.js, built by scripts/bundle-cli.ts): runs
 * cli-bundle.js, next to it, with a V8 code cache made after a command has run.
 *
 * Node's own compile cache (`module.enableCompileCache`) keeps only what V8 compiled before the
 * bundle ran: its top level. Every function a command calls was compiled again on every run. A
 * cache made at the end of a run (`Script#createCachedData`) holds those functions too: about
 * 10 ms of a `get`'s CPU, close to a third of what it spends beyond Node's own start
 * (docs/speed.md). A cache is kept per command word (`get`, `member`, `watch`), made by that
 * word's first run, so that each command reads only what it runs. The cache goes where Node's
 * compile cache goes (`NODE_COMPILE_CACHE`, else `node-compile-cache` in the temporary
 * directory) and is skipped as Node's is under `NODE_DISABLE_COMPILE_CACHE`. V8 refuses a cache
 * from another Node or other flags, which is then made anew; a cache that cannot be read or
 * written costs only the time it would have saved.
 */
// Named imports: a namespace import costs a copy of the module's exports, at every start.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import type * as NodeModules from 'module';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { Script } from 'vm';

/** Set by the build: a hash of the bundle's text, and its length, to tell caches of other builds apart. */
declare const BUNDLE_HASH: string;
declare const BUNDLE_LENGTH: number;

const BUNDLE = join(__dirname, 'cli-bundle.js');
// The class of this very module: `require('module')` would load Node's public module API, and its
// source maps, for nothing.
const Module = module.constructor as typeof NodeModules.Module;

/** Where the cache of this command word goes, or undefined when caching is off. */
function cacheFile(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE !== undefined && env.NODE_DISABLE_COMPILE_CACHE !== '') return undefined;
  const word = argv.find((a) => WORD.test(a)) ?? '';
  const directory = env.NODE_COMPILE_CACHE || join(tmpdir(), 'node-compile-cache');
  return join(directory, 'etcd-rx', `${BUNDLE_HASH}-${process.version}-${process.arch}-${word}.cache`);
}

// The command word is the first argument of lowercase letters and dashes. A flag's value there
// (`-w json get`) only makes a cache of its own; URLs, paths and numbers never name one, which
// bounds the number of caches.
const WORD = /^[a-z][a-z-]{0,23}$/;

/**
 * The cache in `file`, when there is one the user made: V8 runs the code a cache holds, and the
 * temporary directory is everyone's, so a file another user could have written is not read.
 */
function readCache(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (process.getuid !== undefined && fstatSync(fd).uid !== process.getuid()) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache whole or not at all: a run starting meanwhile reads the old one or none. */
function writeCache(file: string, script: Script): void {
  const partial = `${file}.${process.pid}`;
  const written = attempt(() => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file);
  });
  // An unwritable cache directory or a full disk: the next run compiles again.
  if (!written) attempt(() => rmSync(partial, { force: true }));
}

function attempt(action: () => void): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the bundle as Node would run it as a module, with a code cache when there is one. The
 * bundle is the function Node would wrap a module's code in: compiled as it is read, not copied.
 */
function main(): void {
  const source = readFileSync(BUNDLE, 'utf8');
  // A bundle changed since the build (patched by hand, say) must not run with another's cache.
  const file = source.length === BUNDLE_LENGTH ? cacheFile(process.argv.slice(2), process.env) : undefined;
  const cached = readCache(file);
  const script = new Script(source, { filename: BUNDLE, cachedData: cached });
  if (file !== undefined && (cached === undefined || script.cachedDataRejected === true)) {
    process.once('exit', () => writeCache(file, script));
  }
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  bundle.paths = module.paths;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(bundle.exports, bundle.exports, Module.createRequire(BUNDLE), bundle, BUNDLE, __dirname);
}

main();
