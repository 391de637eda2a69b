/**
 * The package as users install it, from a fresh clone: the repository's files copied without
 * node_modules or dist, `npm pack` there (which must install its own build tools and build), the
 * tarball installed with `npm install` into a new project and imported from it, and also unpacked
 * where a consumer's `node_modules/etcd-rx` would be, to type-check a strict consumer.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { promisify } from 'util';
import { entryPoints, reachableDeclarations } from '../../scripts/api-report';
import { findEtcdBinary } from '../../src/testing';

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
import { sseHandler } from 'etcd-rx/sse';
export const handler = (etcd: Etcd) => sseHandler(etcd, { select: () => ({ prefix: 'ui/' }) });
export const uses: unknown[] = [options, EtcdCluster.start];
`;

// A page's module, for resolutions that know ES modules: etcd-rx/browser is one.
const pageSource = `
import { syncState, SyncState } from 'etcd-rx/browser';
export const revisions = (url: string) => syncState(url, { retryDelayMs: 500 });
export const revisionOf = (state: SyncState): number => state.revision;
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

  it("installs from a fresh clone's tarball with no install script, and imports from CommonJS and ES modules", async () => {
    expect(installOutput).not.toMatch(/prepare|install-scripts|warn/i);
    // rxjs is a peer: the project's one copy serves both etcd-rx and the code that pipes its Observables.
    expect(fs.existsSync(path.join(project, 'node_modules', 'rxjs', 'package.json'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'node_modules', 'etcd-rx', 'node_modules', 'rxjs'))).toBe(false);
    const cjs = await run(process.execPath, ['-e', "const { Etcd } = require('etcd-rx'); console.log(new Etcd('a:1').endpoints.join())"], { cwd: project });
    expect(cjs.stdout).toBe('http://a:1\n');
    const esm = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { Etcd } from 'etcd-rx'; import { EtcdCluster } from 'etcd-rx/testing'; console.log(typeof Etcd, typeof EtcdCluster.start)",
      ],
      { cwd: project },
    );
    expect(esm.stdout).toBe('function function\n');
    const cli = await run(path.join(project, 'node_modules', '.bin', 'etcd-rx'), ['--version'], { cwd: project });
    expect(cli.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves etcd-rx/browser as an ES module, and runs an example copied into the project unchanged', async () => {
    const esm = await run(process.execPath, ['--input-type=module', '-e', "import { syncState } from 'etcd-rx/browser'; console.log(typeof syncState)"], {
      cwd: project,
    });
    expect(esm.stdout).toBe('function\n');
    for (const file of ['ui-sync.ts', 'run-example.ts']) fs.copyFileSync(path.join(ROOT, 'examples', file), path.join(project, file));
    // The copied project has no .etcd of its own: it is handed the binary this suite runs on.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ETCD_BIN: findEtcdBinary() };
    delete env.ETCD_SERVERS;
    delete env.ETCDCTL_ENDPOINTS;
    const example = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['ui-sync.ts'], { cwd: project, env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      const base = await new Promise<string>((resolve, reject) => {
        example.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          output += chunk;
          const url = /serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
          if (url) resolve(url);
        });
        example.once('exit', () => reject(new Error(`the example ended: ${output}`)));
      });
      const library = await fetch(`${base}/etcd-rx-browser.js`);
      expect(await library.text()).toBe(fs.readFileSync(path.join(project, 'node_modules', 'etcd-rx', 'dist', 'esm', 'browser', 'index.js'), 'utf8'));
      const events = await fetch(`${base}/events`);
      const reader = (events.body as ReadableStream<Uint8Array>).getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toMatch(
        /^event: snapshot\nid: \d+\ndata: \{"revision":\d+,"entries":\{"ui\/greeting":"hello"/,
      );
      await reader.cancel();
    } finally {
      example.kill('SIGTERM');
    }
    expect(await new Promise((resolve) => example.once('close', resolve))).toBe(0);
  }, 120_000);

  it('ships the compiled library, its typings, the testing harness, the CLI and the licence, and no source maps', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
        'dist/cli/main.js',
        'LICENSE',
        'README.md',
        'package.json',
        'dist/sse/index.js',
        'dist/sse/index.d.ts',
        'dist/esm/browser/index.js',
        'dist/esm/browser/index.d.ts',
        'dist/esm/package.json',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('spec/'))).toEqual([]);
    expect(fs.readFileSync(path.join(INSTALLED, 'dist/cli/main.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('keeps the machinery out of the typings: no declaration of resilience/, the services or the transport but its codec reaches users', () => {
    const dist = path.join(INSTALLED, 'dist');
    const reachable = reachableDeclarations(
      entryPoints(INSTALLED, dist).map((e) => e.typings),
      dist,
    );
    expect(reachable).toEqual(expect.arrayContaining(['index.d.ts', 'testing/index.d.ts', 'client.d.ts', 'errors/index.d.ts']));
    const publicTransport = ['transport/codec.d.ts', 'transport/response-header.d.ts'];
    const internal = reachable.filter(
      (f) =>
        f.startsWith('resilience/') || (f.startsWith('transport/') && !publicTransport.includes(f)) || f === 'composition.d.ts' || f.endsWith('-service.d.ts'),
    );
    expect(internal).toEqual([]);
  });

  it('builds a CLI that runs as a program in the clone itself, as `npx etcd-rx` runs it', async () => {
    const { stdout } = await run(path.join(clone, 'dist', 'cli', 'main.js'), ['--help']);
    expect(stdout).toMatch(/^etcd-rx: a command-line client for etcd v3\n/);
  });

  it('loads both entry points from CommonJS', async () => {
    const script =
      "const { Etcd } = require('etcd-rx'); const { EtcdCluster } = require('etcd-rx/testing'); console.log(typeof Etcd, typeof EtcdCluster.start)";
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
    const page = path.join(CONSUMER, 'page.mts');
    fs.writeFileSync(page, pageSource);
    const files = resolution.module === ts.ModuleKind.CommonJS ? [file] : [file, page];
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      ...resolution,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  });
});
