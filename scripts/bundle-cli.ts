/**
 * Bundles the CLI into one file: `etcd-rx get KEY` in a shell loop pays Node's start-up on every
 * call, and resolving and compiling the thousand-odd files of the library and its dependencies
 * cost more than the call itself. One bundle, with rxjs taken as ES modules so that only the
 * operators used are kept, is read and compiled in one go.
 *
 * Usage: tsx scripts/bundle-cli.ts OUTFILE   (the build writes dist/cli/main.js)
 */
import { createHash } from 'crypto';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/**
 * Bundles src/cli/main.ts into `cli-bundle.js` next to `outfile`, and writes `outfile`, the
 * executable (scripts/cli-launcher.ts): compiling the bundle is a good part of a command's start,
 * and from the second run on the executable takes the compiled code from a cache instead.
 * @example await bundleCli('dist/cli/main.js')
 */
export async function bundleCli(outfile: string): Promise<void> {
  const bundle = path.join(path.dirname(outfile), BUNDLE);
  const built = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: bundle,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    // No keepNames: a call per function at start (about 2 ms); errorClassNames keeps the names that show.
    // ts-results ships a UMD file as "main", which bundles badly; its "module" build is plain ESM.
    mainFields: ['module', 'main'],
    // The executable runs the bundle as a script (cli-launcher.ts), where `import()` has no loader.
    supported: { 'dynamic-import': false },
    // rxjs's "node" export is CommonJS, which cannot be tree-shaken: take its ES modules instead.
    alias: { rxjs: path.join(ROOT, 'node_modules', 'rxjs', 'dist', 'esm', 'index.js') },
    // Optional native helpers of ws and node-fetch, loaded only when installed.
    external: ['bufferutil', 'utf-8-validate', 'encoding'],
    plugins: [nodeUrlForWhatwgUrl, lazyModulesOfNodeFetch, urlParseOfNodeFetch, errorClassNames, lazyEmptyErr],
    logLevel: 'warning',
  });
  // The bundle is written as the function the executable compiles (a module's wrapper), its `#!`
  // line dropped and its code starting on line 2, as esbuild numbered it.
  const text = `${WRAPPER}${built.outputFiles[0].text.replace(/^#!.*/, '')}\n})`;
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  fs.writeFileSync(bundle, text);
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'scripts', 'cli-launcher.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    define: {
      BUNDLE_HASH: JSON.stringify(createHash('sha256').update(text).digest('hex').slice(0, 16)),
      BUNDLE_LENGTH: String(text.length),
    },
    logLevel: 'warning',
  });
  fs.chmodSync(outfile, 0o755);
}

const BUNDLE = 'cli-bundle.js';
const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';

/**
 * node-fetch 2 loads whatwg-url (and its 300 kB Unicode table) only to fall back on it where Node
 * has no URL class; every Node it runs on has one, so the bundle gets Node's.
 */
const nodeUrlForWhatwgUrl: esbuild.Plugin = {
  name: 'node-url-for-whatwg-url',
  setup(build) {
    build.onResolve({ filter: /^whatwg-url$/ }, () => ({ path: 'whatwg-url', namespace: 'node-url' }));
    build.onLoad({ filter: /.*/, namespace: 'node-url' }, () => ({ contents: "module.exports = { URL: require('url').URL };", loader: 'js' }));
  },
};

/**
 * node-fetch parses each URL with `url.parse()`, which from Node 24 on looks at the stack of
 * every call made outside a node_modules folder (as the bundle is) to warn of its deprecation
 * (DEP0169): the stack trace costs a command's start a millisecond. node-fetch gets the same
 * parser without the check (`Url#parse`, which `url.parse` calls); it passes it only http(s)
 * URLs that WHATWG's URL has already normalised, which is what the deprecation is about.
 */
const urlParseOfNodeFetch: esbuild.Plugin = {
  name: 'url-parse-of-node-fetch',
  setup(build) {
    build.onResolve({ filter: /^url$/ }, (args) => (/[\\/]node-fetch[\\/]/.test(args.importer) ? { path: 'url', namespace: 'node-fetch-url' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'node-fetch-url' }, () => ({
      contents:
        "const url = require('url'); module.exports = { URL: url.URL, format: url.format, parse: (href) => { const parsed = new url.Url(); parsed.parse(href); return parsed; } };",
      loader: 'js',
    }));
  },
};

/**
 * An error's `name` is its class's (`this.name = new.target.name`), and `--debug` and messages
 * print it; the minifier renames classes. The error modules alone keep their names, as esbuild's
 * keepNames keeps them, which for the whole bundle would cost every command's start a call per
 * function.
 */
const errorClassNames: esbuild.Plugin = {
  name: 'error-class-names',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]errors[\\/][^\\/]+\.ts$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const named = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'node22', keepNames: true, sourcefile: args.path });
      return { contents: named.code, loader: 'js' };
    });
  },
};

/**
 * ts-results makes `Err.EMPTY` as it loads, and every Err takes a stack trace: formatting it
 * reads the whole bundle for its line ends, about a millisecond of every command's start for a
 * value etcd-rx never uses. The bundle makes it at first use instead.
 */
const lazyEmptyErr: esbuild.Plugin = {
  name: 'lazy-empty-err',
  setup(build) {
    build.onLoad({ filter: /[\\/]ts-results[\\/]esm[\\/]result\.js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const eager = 'ErrImpl.EMPTY = new ErrImpl(undefined);';
      if (!source.includes(eager)) throw new Error(`${args.path} no longer makes ErrImpl.EMPTY as bundle-cli.ts expects: look at lazyEmptyErr`);
      const lazy =
        "Object.defineProperty(ErrImpl, 'EMPTY', { configurable: true, get: function () { var empty = new ErrImpl(undefined); Object.defineProperty(ErrImpl, 'EMPTY', { value: empty }); return empty; } });";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/**
 * node-fetch loads https (with tls and crypto) and zlib as it starts, although it reaches for
 * them only to request an `https:` URL or to inflate a compressed answer: the bundle gives it
 * each as an object that loads the module at its first use, which a command against an
 * `http://` endpoint never makes.
 */
const lazyModulesOfNodeFetch: esbuild.Plugin = {
  name: 'lazy-modules-of-node-fetch',
  setup(build) {
    build.onResolve({ filter: /^(https|zlib)$/ }, (args) =>
      /[\\/]node-fetch[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-node-module' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-node-module' }, (args) => ({
      contents: `let loaded; export default new Proxy({}, { get: (_, key) => (loaded ??= require(${JSON.stringify(args.path)}))[key] });`,
      loader: 'js',
    }));
  },
};

if (require.main === module) {
  const outfile = process.argv[2];
  if (outfile === undefined) {
    console.error('usage: tsx scripts/bundle-cli.ts OUTFILE');
    process.exit(2);
  }
  bundleCli(outfile).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
