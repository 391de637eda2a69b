/**
 * The page's side as files a server can hand out, for pages without a bundler: the ES module
 * build of `etcd-rx/browser`, and rxjs as an ES module made from its browser bundle.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

/**
 * The JavaScript a plain `<script type="module">` needs, by file name: `etcd-rx-browser.js`
 * (it imports the bare name `rxjs`) and `rxjs.js`. Serve both as `text/javascript` and map the
 * name with an import map: `<script type="importmap">{"imports":{"rxjs":"/rxjs.js"}}</script>`.
 * An installed package serves its build (`dist/esm/browser`); a clone serves its current source,
 * compiled on the fly.
 * @example for (const [name, source] of browserModules()) files.set(`/${name}`, source)
 */
export function browserModules(): ReadonlyMap<string, string> {
  const library = browserLibrary(path.join(__dirname, '..', '..'));
  const rxjsRoot = path.dirname(require.resolve('rxjs/package.json'));
  const bundle = readFileSync(path.join(rxjsRoot, 'dist', 'bundles', 'rxjs.umd.min.js'), 'utf8');
  // The bundle defines `this.rxjs` when no module system is around; run it with a `this` of
  // ours and re-export what it defined under the names rxjs's own entry point has.
  const names = Object.keys(require('rxjs') as object).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const rxjs = `const scope = {};\n(function () {\n${bundle}\n}).call(scope);\nexport const { ${names.join(', ')} } = scope.rxjs;\n`;
  return new Map([
    ['etcd-rx-browser.js', library],
    ['rxjs.js', rxjs],
  ]);
}

/** The ES module of etcd-rx/browser, from the package's `root` (two levels up, from dist/sse as from src/sse). */
function browserLibrary(root: string): string {
  const source = path.join(root, 'src', 'browser', 'index.ts');
  if (existsSync(source)) {
    // A clone: its source is the truth (a build may be stale or absent); its types only vanish.
    const ts = require('typescript') as typeof import('typescript');
    const compilerOptions = { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 };
    return ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions }).outputText;
  }
  const built = path.join(root, 'dist', 'esm', 'browser', 'index.js');
  if (!existsSync(built)) throw new Error(`etcd-rx/browser has no ES module build at ${built}`);
  return readFileSync(built, 'utf8');
}
