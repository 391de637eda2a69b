/**
 * The built `etcd-rx` executable as a child process, and `etcdctl` next to it, for CLI tests.
 *
 * The CLI is bundled as the package build bundles it (scripts/bundle-cli.ts), once per version of
 * src/, into node_modules/.cache: the specs run what ships, never depend on a prior manual build,
 * and every spec file of one run shares the bundle.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EtcdCluster } from '../../../src/testing';
import { bundleCli } from '../../../scripts/bundle-cli';
import { waitFor } from '../../support/wait';

const ROOT = path.join(__dirname, '..', '..', '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'etcd-rx-cli');
const BUILD_TIMEOUT_MS = 60_000;
// Builds of other source versions are removed once this old (a concurrent run may still use one).
const STALE_BUILD_MS = 3_600_000;

/** How a finished run of the CLI ended, and what it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one run. */
export interface RunOptions {
  /** Written to stdin, which is then closed (closed at once when absent). */
  readonly input?: string | Buffer;
  /** Added to (or, when undefined, removed from) the environment. */
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
  /** For etcdctl: these endpoints instead of the whole cluster's. */
  readonly endpoints?: readonly string[];
}

/**
 * Builds the CLI in `beforeAll` and gives runners bound to `cluster`'s endpoints (through
 * `ETCD_SERVERS`, as a user would set them).
 * @example
 * const cluster = useCluster(1)
 * const cli = useCli(cluster)
 * it('puts', async () => expect((await cli.run(['put', 'k', 'v'])).stdout).toBe('OK\n'))
 */
export function useCli(cluster: () => EtcdCluster) {
  let main: string | undefined;
  const started = new Set<CliProcess>();
  const tempDirs: string[] = [];
  beforeAll(async () => {
    main = await buildCli();
  }, BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.all([...started].map((p) => p.kill()));
    started.clear();
  });
  afterAll(() => {
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const mainJs = () => {
    if (main === undefined) throw new Error('the CLI is not built yet: use it inside a test or a hook');
    return main;
  };
  const etcdctl = (args: readonly string[], options: RunOptions = {}): Promise<CliResult> =>
    runProcess(ETCDCTL, ['--endpoints', (options.endpoints ?? cluster().endpoints).join(','), ...args], { ...process.env, ETCDCTL_API: '3' }, options);
  const environment = (extra: Record<string, string | undefined> = {}) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      ETCD_SERVERS: cluster().endpoints.join(','),
      ETCDCTL_ENDPOINTS: undefined,
      NO_COLOR: undefined,
      ...extra,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    return env as NodeJS.ProcessEnv;
  };
  return {
    /** The compiled main.js. */
    main: mainJs,
    /** A path for a scratch file named `name`, in a directory removed after this file's tests. */
    tempFile: (name: string): string => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-cli-'));
      tempDirs.push(dir);
      return path.join(dir, name);
    },
    /** Runs the CLI to its end. */
    run: (args: readonly string[], options: RunOptions = {}): Promise<CliResult> =>
      runProcess(process.execPath, [mainJs(), ...args], environment(options.env), options),
    /**
     * Runs the CLI with arguments of any bytes, as a shell passes them (`$'k\xff'`): Node can only
     * pass text, so a shell rebuilds each argument from printf octal escapes and runs the CLI.
     */
    runBytes: (args: readonly (string | Buffer)[], options: RunOptions = {}): Promise<CliResult> => {
      const formats = args.map((arg) => [...Buffer.from(arg)].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join(''));
      // The x keeps trailing newlines, which $(...) would strip; `for` walks the original list.
      const script = 'node=$1 main=$2; shift 2; for format do arg=$(printf "${format}x"); set -- "$@" "${arg%x}"; shift; done; exec "$node" "$main" "$@"';
      return runProcess('/bin/sh', ['-c', script, 'sh', process.execPath, mainJs(), ...formats], environment(options.env), options);
    },
    /** Starts the CLI in its own process group (as a shell starts a foreground job), for commands that run until interrupted. */
    start: (args: readonly string[], options: { env?: Record<string, string | undefined> } = {}): CliProcess => {
      const child = new CliProcess(
        spawn(process.execPath, [mainJs(), ...args], { env: environment(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
      );
      started.add(child);
      return child;
    },
    /** Runs etcdctl (API v3) against the cluster. */
    etcdctl,
    /** Starts etcdctl (API v3) against the cluster, as `start` starts etcd-rx. */
    startEtcdctl: (args: readonly string[]): CliProcess => {
      const child = new CliProcess(
        spawn(ETCDCTL, ['--endpoints', cluster().endpoints.join(','), ...args], {
          env: { ...process.env, ETCDCTL_API: '3' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        }),
      );
      started.add(child);
      return child;
    },
    /**
     * Runs the same arguments through etcdctl and etcd-rx (on `options.endpoints`, default the
     * whole cluster) and expects the same stdout and exit code; answers etcd-rx's run.
     */
    same: async (args: readonly string[], options: RunOptions = {}): Promise<CliResult> => {
      const expected = await etcdctl(args, options);
      const env = options.endpoints === undefined ? options.env : { ...options.env, ETCD_SERVERS: options.endpoints.join(',') };
      const actual = await runProcess(process.execPath, [mainJs(), ...args], environment(env), options);
      expect({ args, code: actual.code, stdout: actual.stdout }).toEqual({ args, code: expected.code, stdout: expected.stdout });
      return actual;
    },
  };
}

/**
 * A running CLI: what it printed so far, and signals as a terminal sends them.
 * @example const watch = cli.start(['watch', 'k']); await watch.waitForStdout(/PUT/, 'the event')
 */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    // 'close' comes after the output is fully read (and after any child that shares the pipes).
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The JSON lines printed so far (for `-o json`). */
  get json(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Waits until stdout matches `pattern` (failing early, with stderr, if the process ends). */
  async waitForStdout(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => pattern.test(this.stdout) || !this.running, what, timeoutMs);
    if (!pattern.test(this.stdout)) throw new Error(`the CLI exited before ${what}; stdout: ${this.stdout}; stderr: ${this.stderr}`);
  }

  /** Waits until stderr matches `pattern`. */
  async waitForStderr(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => pattern.test(this.stderr) || !this.running, what, timeoutMs);
    if (!pattern.test(this.stderr)) throw new Error(`the CLI exited before ${what}; stdout: ${this.stdout}; stderr: ${this.stderr}`);
  }

  /** Writes `text` to its stdin (when started with a stdin pipe), as typing does. */
  type(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Sends `signal` to the whole process group, as Ctrl-C in a terminal does. */
  interrupt(signal: NodeJS.Signals = 'SIGINT'): void {
    process.kill(-this.pid, signal);
  }

  /** Sends `signal` to the CLI's process alone (as `kill PID` does). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILLs the process group, if still running, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.running) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }
}

/**
 * Runs a program to its end and collects its output.
 * @example await runProcess('etcdctl', ['get', 'k'], process.env)
 */
export function runProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A code that is not a number means the program could not start (ENOENT, …).
        if (error !== null && typeof error.code === 'string') {
          reject(error);
          return;
        }
        resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
      },
    );
    child.stdin?.end(options.input);
  });
}

/**
 * etcdctl 3.4 (the one on PATH), whatever the version of the cluster: etcd-rx prints as etcdctl
 * 3.4 does, and etcdctl 3.5 prints otherwise (tables drawn with box characters, `ResponsePut`
 * for `response_put` in a transaction's JSON). etcdctl 3.4 talks to 3.5 members as to its own.
 */
const ETCDCTL = 'etcdctl';

/** Bundles the CLI (once per content of src/ and of its build scripts) and answers the path of its cli/main.js. */
async function buildCli(): Promise<string> {
  const hash = sourceHash();
  const target = path.join(CACHE, hash);
  const main = path.join(target, 'cli', 'main.js');
  if (fs.existsSync(main)) return main;
  fs.mkdirSync(CACHE, { recursive: true });
  const temporary = path.join(CACHE, `building-${randomBytes(6).toString('hex')}`);
  try {
    await bundleCli(path.join(temporary, 'cli', 'main.js'));
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { recursive: true, force: true });
    // Another run built the same sources first; anything else is a failed build.
    if (!fs.existsSync(main)) throw error;
  }
  removeStaleBuilds(hash);
  return main;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith('.ts')) hash.update(file).update(fs.readFileSync(file));
    }
  };
  visit(path.join(ROOT, 'src'));
  for (const script of ['bundle-cli.ts', 'cli-launcher.ts']) hash.update(fs.readFileSync(path.join(ROOT, 'scripts', script)));
  return hash.digest('hex').slice(0, 16);
}

function removeStaleBuilds(current: string): void {
  for (const entry of fs.readdirSync(CACHE)) {
    const dir = path.join(CACHE, entry);
    if (entry !== current && Date.now() - fs.statSync(dir).mtimeMs > STALE_BUILD_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The result of a run that must have succeeded; anything else fails the test with what it printed.
 * @example const { stdout } = ok(await cli.run(['get', 'k']))
 */
export function ok(result: CliResult): CliResult {
  if (result.code !== 0) throw new Error(`exit ${result.code}; stdout: ${result.stdout}; stderr: ${result.stderr}`);
  return result;
}

/**
 * The JSON lines of a `-o json` run.
 * @example expect(jsonLines(await cli.run(['get', 'k', '-o', 'json']))).toEqual([{ key: 'k', value: 'v' }])
 */
export function jsonLines(result: CliResult): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
