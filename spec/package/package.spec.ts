/**
 * The package as users install it: `npm pack` of this repository, unpacked where a consumer's
 * `node_modules/etcd-rx` would be, then imported and type-checked as the README shows.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { promisify } from 'util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
// Inside the repository, so that the unpacked package finds rxjs and the other dependencies.
const CONSUMER = path.join(ROOT, 'node_modules', '.cache', 'etcd-rx-consumer');
const INSTALLED = path.join(CONSUMER, 'node_modules', 'etcd-rx');
const PACK_TIMEOUT_MS = 120_000;

const consumerSource = `
import { Etcd, EtcdOptions, KeyValue, Option } from 'etcd-rx';
import { EtcdCluster } from 'etcd-rx/testing';
const options: EtcdOptions = { endpoints: 'a:1;b:2' };
export function firstKey(etcd: Etcd): Promise<Option<KeyValue>> {
  return new Promise((resolve, reject) => etcd.get('k').subscribe({ next: resolve, error: reject }));
}
export const uses: unknown[] = [options, EtcdCluster.start];
`;

describe('the published package', () => {
  let files: string[] = [];

  beforeAll(async () => {
    fs.rmSync(CONSUMER, { recursive: true, force: true });
    fs.mkdirSync(INSTALLED, { recursive: true });
    // `npm pack` runs the prepare script, so this also proves a clone builds on install.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', CONSUMER], { cwd: ROOT, maxBuffer: 1 << 24 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
    await run('tar', ['-xzf', path.join(CONSUMER, packed.filename), '-C', INSTALLED, '--strip-components=1']);
  }, PACK_TIMEOUT_MS);

  afterAll(() => fs.rmSync(CONSUMER, { recursive: true, force: true }));

  it('ships the compiled library, its typings, the testing harness, the CLI and the licence, and no source maps', () => {
    expect(files).toEqual(expect.arrayContaining([
      'dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/cli/main.js', 'LICENSE', 'README.md', 'package.json',
    ]));
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('spec/'))).toEqual([]);
    expect(fs.readFileSync(path.join(INSTALLED, 'dist/cli/main.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('builds a CLI that runs as a program in the clone itself, as `npx etcd-rx` runs it', async () => {
    const { stdout } = await run(path.join(ROOT, 'dist', 'cli', 'main.js'), ['--help']);
    expect(stdout).toMatch(/^etcd-rx: a command-line client for etcd v3\n/);
  });

  it('loads both entry points from CommonJS', async () => {
    const script = "const { Etcd } = require('etcd-rx'); const { EtcdCluster } = require('etcd-rx/testing'); console.log(typeof Etcd, typeof EtcdCluster.start)";
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: CONSUMER });
    expect(stdout).toBe('function function\n');
  });

  it.each([
    ['CommonJS with the classic node resolution', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
    ['Node16 modules', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
    ['a bundler', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
  ])('type-checks a strict consumer of both entry points under %s', (_, resolution) => {
    const file = path.join(CONSUMER, 'consumer.ts');
    fs.writeFileSync(file, consumerSource);
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')], ...resolution });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });
});
