/**
 * The executable of the bundled CLI (dist/cli/main.js, built by scripts/bundle-cli.ts): runs
 * cli-bundle.js, next to it, with a V8 code cache made after a command has run.
 *
 * Node's own compile cache (`module.enableCompileCache`) keeps only what V8 compiled before the
 * bundle ran: its top level. Every function a command calls is compiled lazily, on every run. A
 * cache made at the end of a run (`vm.Script#createCachedData`) holds those functions too, and
 * spares a `get` about a third of what it spends beyond Node's own start (bench/cli-start.md). A cache is kept per command
 * word (the first plain word of the command line: `get`, `member`, `watch`), made by that word's
 * first run, so that each command reads only what it runs. The cache goes where Node's compile
 * cache goes (`NODE_COMPILE_CACHE`, else `node-compile-cache` in the temporary directory) and is
 * skipped as Node's is under `NODE_DISABLE_COMPILE_CACHE`. V8 refuses a cache from another Node
 * or other flags, which is then made anew; a cache that cannot be read or written costs only
 * the time the cache would have saved.
 */
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

/** Set by the build: a hash of the bundle's text, and its length, to tell caches of other builds apart. */
declare const BUNDLE_HASH: string;
declare const BUNDLE_LENGTH: number;

const BUNDLE = path.join(__dirname, 'cli-bundle.js');

/** Where the cache of this command word goes, or undefined when caching is off. */
function cacheFile(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE !== undefined && env.NODE_DISABLE_COMPILE_CACHE !== '') return undefined;
  const word = argv.find((a) => WORD.test(a)) ?? '';
  const directory = env.NODE_COMPILE_CACHE || path.join(os.tmpdir(), 'node-compile-cache');
  return path.join(directory, 'etcd-rx', `${BUNDLE_HASH}-${process.version}-${process.arch}-${word}.cache`);
}

// A command word, not a key, a URL or a path: bounds the number of caches.
const WORD = /^[a-z][a-z-]{0,23}$/;

function readCache(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache whole or not at all: a run starting meanwhile reads the old one or none. */
function writeCache(file: string, script: vm.Script): void {
  const partial = `${file}.${process.pid}`;
  const written = attempt(() => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(partial, script.createCachedData());
    fs.renameSync(partial, file);
  });
  // An unwritable cache directory or a full disk: the next run compiles again.
  if (!written) attempt(() => fs.rmSync(partial, { force: true }));
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
  const source = fs.readFileSync(BUNDLE, 'utf8');
  // A bundle changed since the build (patched by hand, say) must not run with another's cache.
  const file = source.length === BUNDLE_LENGTH ? cacheFile(process.argv.slice(2), process.env) : undefined;
  const cached = readCache(file);
  const script = new vm.Script(source, { filename: BUNDLE, cachedData: cached });
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
