/**
 * The page's side as files a server can hand out, for pages without a bundler: the ES modules of
 * `etcd-rx/browser` and of rxjs, as the build made them (`dist/esm`).
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import * as path from 'path';

/**
 * The JavaScript a plain `<script type="module">` needs, by file name: `etcd-rx-browser.js` (the
 * entry; it imports the modules beside it and the bare name `rxjs`), its modules, and `rxjs.js`.
 * Serve them side by side as `text/javascript`, and map rxjs with an import map:
 * `<script type="importmap">{"imports":{"rxjs":"/rxjs.js"}}</script>`. The files are read once,
 * from the package's build; in a clone, `npm run build:browser` makes them.
 * @example for (const [name, source] of browserModules()) files.set(`/${name}`, source)
 */
export function browserModules(): ReadonlyMap<string, string> {
  // Two levels up from dist/sse, as from src/sse in a clone.
  const esm = path.join(__dirname, '..', '..', 'dist', 'esm');
  const library = path.join(esm, 'browser');
  const rxjs = path.join(esm, 'rxjs.js');
  if (!existsSync(path.join(library, 'index.js')) || !existsSync(rxjs)) {
    throw new Error(`etcd-rx/browser has no ES module build in ${esm}: run \`npm run build:browser\` in a clone of etcd-rx`);
  }
  const modules = new Map<string, string>();
  for (const file of readdirSync(library)
    .filter((name) => name.endsWith('.js'))
    .sort()) {
    modules.set(file === 'index.js' ? 'etcd-rx-browser.js' : file, readFileSync(path.join(library, file), 'utf8'));
  }
  modules.set('rxjs.js', readFileSync(rxjs, 'utf8'));
  return modules;
}
