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
 * Needs the ES module build (`npm run build`, which installing the package runs).
 * @example for (const [name, source] of browserModules()) files.set(`/${name}`, source)
 */
export function browserModules(): ReadonlyMap<string, string> {
  // Two levels up is the package's root, from its build (dist/sse) as from its source (src/sse).
  const built = path.join(__dirname, '..', '..', 'dist', 'browser', 'index.js');
  if (!existsSync(built)) throw new Error(`etcd-rx/browser has no ES module build at ${built}: run npm run build`);
  const library = readFileSync(built, 'utf8');
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
