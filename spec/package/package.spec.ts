/**
 * The package as users install it, from a fresh clone: the repository's files copied without
 * node_modules or dist, `npm pack` there (which must install its own build tools and build), the
 * tarball installed with `npm install` into a new project and imported from it, and also unpacked
 * where a consumer's `node_modules/etcd-rx` would be, to type-check a strict consumer.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { promisify } from 'util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
// Inside the repository, so that the unpacked package finds rxjs and the other dependencies.
const CONSUMER = path.join(ROOT, 'node_modules', '.cache', 'etcd-rx-consumer');
const INSTALLED = path.join(CONSUMER, 'node_modules', 'etcd-rx');
const PACK_TIMEOUT_MS = 600_000;

const consumerSource = `
import { Etcd, EtcdOptions, KeyValue, Option } from 'etcd-rx';
import { EtcdCluster } from 'etcd-rx/testing';
const options: EtcdOptions = { endpoints: 'a:1;b:2' };
export function firstKey(etcd: Etcd): Promise<Option<KeyValue>> {
  return new Promise((resolve, reject) => etcd.get('k').subscribe({ next: resolve, error: reject }));
}
export const uses: unknown[] = [options, EtcdCluster.start];
`;

/** Copies the files a clone would have (tracked, or new and not ignored) into a new directory. */
async function freshClone(into: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 1 << 24 });
  for (const file of stdout.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f)))) {
    fs.mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(into, file));
  }
}

describe('the published package', () => {
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-clone-'));
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-project-'));
  let files: string[] = [];
  let installOutput = '';

  beforeAll(async () => {
    fs.rmSync(CONSUMER, { recursive: true, force: true });
    fs.mkdirSync(INSTALLED, { recursive: true });
    await freshClone(clone);
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', CONSUMER], { cwd: clone, maxBuffer: 1 << 24 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
    const tarball = path.join(CONSUMER, packed.filename);
    await run('tar', ['-xzf', tarball, '-C', INSTALLED, '--strip-components=1']);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'a-project', version: '1.0.0', private: true }));
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, maxBuffer: 1 << 24 });
    installOutput = installed.stdout + installed.stderr;
  }, PACK_TIMEOUT_MS);

  afterAll(() => {
    for (const dir of [CONSUMER, clone, project]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs from a fresh clone\'s tarball with no install script, and imports from CommonJS and ES modules', async () => {
    expect(installOutput).not.toMatch(/prepare|install-scripts|warn/i);
    const cjs = await run(process.execPath, ['-e', "const { Etcd } = require('etcd-rx'); console.log(new Etcd('a:1').endpoints.join())"], { cwd: project });
    expect(cjs.stdout).toBe('http://a:1\n');
    const esm = await run(process.execPath, ['--input-type=module', '-e', "import { Etcd } from 'etcd-rx'; import { EtcdCluster } from 'etcd-rx/testing'; console.log(typeof Etcd, typeof EtcdCluster.start)"], { cwd: project });
    expect(esm.stdout).toBe('function function\n');
    const cli = await run(path.join(project, 'node_modules', '.bin', 'etcd-rx'), ['--version'], { cwd: project });
    expect(cli.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('ships the compiled library, its typings, the testing harness, the CLI and the licence, and no source maps', () => {
    expect(files).toEqual(expect.arrayContaining([
      'dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/cli/main.js', 'LICENSE', 'README.md', 'package.json',
    ]));
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('spec/'))).toEqual([]);
    expect(fs.readFileSync(path.join(INSTALLED, 'dist/cli/main.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('builds a CLI that runs as a program in the clone itself, as `npx etcd-rx` runs it', async () => {
    const { stdout } = await run(path.join(clone, 'dist', 'cli', 'main.js'), ['--help']);
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
