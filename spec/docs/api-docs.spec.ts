/**
 * The API reference (`npm run docs`, TypeDoc) and the API report (api/etcd-rx.api.md) cover
 * every entry point users import: each of package.json's `exports`, the browser's among them.
 * An entry point added to the package but not to either would be a surface nobody documents or
 * reviews.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const ROOT = path.join(__dirname, '..', '..');
const read = <T>(file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as T;

/** Each entry point's name, and the source file its typings are built from. */
function entryPoints(): { name: string; source: string }[] {
  const pkg = read<{ name: string; exports: Record<string, { types: string }> }>('package.json');
  return Object.entries(pkg.exports).map(([subpath, target]) => ({
    name: pkg.name + subpath.slice(1),
    // dist/x/index.d.ts comes from src/x/index.ts; the browser's ES build lives in dist/esm/.
    source: target.types.replace(/^\.\/dist\/(esm\/)?/, 'src/').replace(/\.d\.ts$/, '.ts'),
  }));
}

describe('the API reference and the API report', () => {
  it('document every entry point of the package', () => {
    const entries = entryPoints();
    expect(entries.map((e) => e.name)).toEqual(['etcd-rx', 'etcd-rx/testing', 'etcd-rx/sse', 'etcd-rx/browser']);
    for (const entry of entries) expect(fs.existsSync(path.join(ROOT, entry.source))).toBe(true);
    expect(read<{ entryPoints: string[] }>('typedoc.json').entryPoints.sort()).toEqual(entries.map((e) => e.source).sort());
    const report = fs.readFileSync(path.join(ROOT, 'api', 'etcd-rx.api.md'), 'utf8');
    const sections = [...report.matchAll(/^## `([^`]+)`$/gm)].map((m) => m[1]);
    expect(sections).toEqual(entries.map((e) => e.name));
  });

  it('builds with `npm run docs` without a warning (TypeDoc treats them as errors), whatever git says of the clone', async () => {
    const typedoc = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [typedoc, '--emit', 'none'], { cwd: ROOT });
    expect(`${stdout}${stderr}`).not.toMatch(/warning|error/i);
  }, 120_000);
});
