/**
 * Every ```ts block of the README and of the guides in docs/ is a program a reader may paste into
 * a file of their own. Each is type-checked alone, as an ES module importing `etcd-rx` (resolved
 * to the sources here) under strict settings; and each block of the README and of the migration
 * guides is run as written, with tsx, against the package as `npm run build` compiles it (as a
 * user's project would import it) and a real etcd member started here (the address
 * `127.0.0.1:2379` in a block becomes that member's, and `new Etcd()` finds it in ETCD_SERVERS).
 * A run must end by itself with exit code 0 within its time, and the blocks named below must
 * print what the guide says they print.
 */
import { execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { promisify } from 'util';
import { EtcdCluster } from '../../src/testing';

const ROOT = path.join(__dirname, '..', '..');
// Inside the repository, so that the blocks and the package find rxjs in its node_modules.
const OUT = path.join(ROOT, 'node_modules', '.cache', 'guide-snippets');
// Where the blocks' `import 'etcd-rx'` finds the package.
const PACKAGE = path.join(OUT, 'node_modules', 'etcd-rx');
const TYPE_CHECKED = ['README.md', 'docs/reference.md', 'docs/migration-etcd3.md', 'docs/migration-etcd-api.md', 'docs/migration-etcdctl.md'];
const RUN = ['README.md', 'docs/migration-etcd3.md', 'docs/migration-etcd-api.md'];
// A loaded 2-core machine starts tsx in seconds; a block itself takes about one.
const RUN_TIMEOUT_MS = 90_000;
const PARALLEL_RUNS = 3;

/** What a block must print: the block is the one containing `in` (exactly one must). */
const EXPECTED_OUTPUT: readonly { in: string; prints: RegExp }[] = [
  { in: "etcd.put('guide/greeting', 'hello, world')", prints: /^hello, world\nput guide\/greeting = hello \(revision \d+\)\nput guide\/greeting = hello, world/m },
  { in: "etcd.withLock('guide/locks/nightly-report'", prints: /holding guide\/locks\/nightly-report\/[0-9a-f]+, fencing token \d+\nreport written/ },
  { in: "etcd.election('guide/scheduler')", prints: /leading: tick 0\nleading: tick 1\nleading: tick 2/ },
  { in: "etcd.mirrorJson<WebConfig>({ prefix: 'guide/config/' })", prints: /reloading with \{ port: 8080, workers: 4 \}\n$/ },
  { in: "etcd.range({ prefix: 'guide/cache/' })", prints: /^\{ 'guide\/cache\/b': '2' \}$/m },
  { in: "sseHandler(etcd, { select: (request) => (request.url === '/events'", prints: /event: snapshot\nid: \d+\ndata: \{"revision":\d+,"entries":\{"guide\/ui\/greeting":"hello"\}\}/ },
  { in: 'await member.restart();', prints: /^v$/m },
  { in: "etcd.compareAndSet('guide/owner', 'me', { version: 0 })", prints: /^100\ncreated\nmoved at revision \d+$/m },
  // A KeyValue prints as its fields, not as the wire's buffers.
  { in: "const write = etcd.put('guide/cold', 'x');", prints: /^revisions \d+ and \d+\n\[\n  KeyValue \{\n    key: 'guide\/cold',\n    value: 'x',\n/m },
  { in: "etcd.put('guide/orders/42', 'paid', { deadlineMs: 1000 })", prints: /^written$/m },
  { in: 'retry({ count: 3, delay: (_error, attempt) => timer(250 * attempt) })', prints: /^\{ rps: 100 \}$/m },
];

interface Block {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly errors: string;
  readonly timedOut: boolean;
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
function tsBlocks(file: string): Block[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1].trim() !== '```') i++;
    blocks.push({ file, line: start + 1, code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return blocks;
}

const where = (block: Block) => `${block.file}:${block.line}`;
const sourceFile = (block: Block) => path.join(OUT, `${block.file.replace(/[/.]/g, '-')}-line-${block.line}.mts`);

/**
 * Compiles the package into OUT/node_modules/etcd-rx as `npm run build` does. OUT gets a
 * tsconfig.json of its own, so that tsx does not map `etcd-rx` to the sources as the
 * repository's does: TypeScript sources run through tsx hide what `export *` re-exports from
 * an ES module's named imports, and a user imports the compiled package.
 */
async function buildPackage(): Promise<void> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(PACKAGE, 'dist'), '--declaration', 'false'], { cwd: ROOT });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(PACKAGE, 'package.json'));
  fs.writeFileSync(path.join(OUT, 'tsconfig.json'), '{}\n');
}

/** Runs one block with tsx against `endpoint`, killed if it outlives RUN_TIMEOUT_MS. */
function runBlock(block: Block, endpoint: string): Promise<Run> {
  const file = sourceFile(block);
  fs.writeFileSync(file, block.code.replaceAll('127.0.0.1:2379', new URL(endpoint).host));
  const env: NodeJS.ProcessEnv = { ...process.env, ETCD_SERVERS: endpoint, NO_COLOR: '1' };
  delete env.ETCDCTL_ENDPOINTS;
  // In a process group of its own: tsx runs the block in a child node, which a timeout must kill too.
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [file], { cwd: OUT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, RUN_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, errors, timedOut });
    }),
  );
}

/** Runs every block, `PARALLEL_RUNS` at a time: each gets keys of its own, so order does not matter. */
async function runAll(blocks: readonly Block[], endpoint: string): Promise<Map<Block, Run>> {
  const runs = new Map<Block, Run>();
  const queue = [...blocks];
  const worker = async () => {
    for (let block = queue.shift(); block !== undefined; block = queue.shift()) runs.set(block, await runBlock(block, endpoint));
  };
  await Promise.all(Array.from({ length: PARALLEL_RUNS }, worker));
  return runs;
}

describe('the guides', () => {
  const checked = TYPE_CHECKED.flatMap(tsBlocks);
  const run = checked.filter((b) => RUN.includes(b.file));

  beforeAll(() => {
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
  });

  it('have TypeScript examples, each a self-contained program that type-checks', () => {
    expect(tsBlocks('README.md').length).toBeGreaterThan(10);
    const files = checked.map((block) => {
      const file = sourceFile(block);
      // `export {}` makes even an import-free block a module of its own, as a file of its own is.
      fs.writeFileSync(file, `${block.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      baseUrl: ROOT,
      paths: {
        'etcd-rx': ['src/index.ts'],
        'etcd-rx/testing': ['src/testing/index.ts'],
        'etcd-rx/sse': ['src/sse/index.ts'],
        'etcd-rx/browser': ['src/browser/index.ts'],
      },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && files.includes(path.normalize(d.file.fileName)))
      .map((d) => {
        const block = checked[files.indexOf(path.normalize(d.file!.fileName))];
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${block.file}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);

  it('name each block whose output is checked exactly once', () => {
    for (const expected of EXPECTED_OUTPUT) expect([expected.in, run.filter((b) => b.code.includes(expected.in)).map(where)]).toEqual([expected.in, [expect.any(String)]]);
  });

  describe('run against a real etcd', () => {
    let cluster: EtcdCluster | undefined;
    let runs = new Map<Block, Run>();

    beforeAll(async () => {
      [cluster] = await Promise.all([EtcdCluster.start({ size: 1 }), buildPackage()]);
      runs = await runAll(run, cluster.endpoints[0]);
    }, 600_000);

    afterAll(() => cluster?.stop());

    it.each(run.map((block) => [where(block), block] as const))('%s runs as written, ends by itself and exits 0', (_, block) => {
      const result = runs.get(block);
      const ending = { where: where(block), timedOut: result?.timedOut, code: result?.code, stderr: result?.code === 0 ? '' : result?.errors };
      expect(ending).toEqual({ where: where(block), timedOut: false, code: 0, stderr: '' });
      const expected = EXPECTED_OUTPUT.find((e) => block.code.includes(e.in));
      if (expected !== undefined) expect(result?.output).toMatch(expected.prints);
    });
  });
});
