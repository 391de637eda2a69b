/**
 * One etcd server process of a test cluster: started, killed, frozen and restarted on demand, so
 * tests can break a cluster the ways production breaks (a crash, a hang, a reboot).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { checkHealth, EtcdMemberStatus, memberStatus } from './http-probe';
import { readLogTail } from './log-tail';
import { pollUntil } from './poll';
import { waitUntilStopped } from './process-stop';
import { Reaper } from './reaper';
import { ServerTlsPaths, TlsFiles } from './test-certificates';

/** How long one `/health` or status question may take before it counts as unanswered. */
export const PROBE_TIMEOUT_MS = 1000;
/** Pause between two readiness questions. */
export const POLL_INTERVAL_MS = 50;

/** `frozen`: SIGSTOPped, alive but silent. `stopped`: no process (never started, killed, crashed). */
export type EtcdMemberState = 'running' | 'frozen' | 'stopped';

/**
 * A member did not become healthy: its process died, or it did not answer `/health` true in
 * time. The message ends with the last lines of the member's log; `logTail` holds them alone.
 * @example
 * try { await member.restart() } catch (e) { if (e instanceof EtcdStartError) console.error(e.logTail) }
 */
export class EtcdStartError extends Error {
  override readonly name = 'EtcdStartError';
  constructor(
    readonly member: string,
    readonly problem: string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`etcd member ${member} did not become healthy: ${problem}\n--- last lines of ${logFile} ---\n${logTail}`);
  }
}

/**
 * What the members of one cluster share; made by EtcdCluster.
 * @example const context: MemberContext = { bin, initialCluster, token, extraArgs: [], timeoutMs: 30_000, reaper, closed: false }
 */
export interface MemberContext {
  readonly bin: string;
  /** `--initial-cluster`, the same for every member. */
  readonly initialCluster: string;
  /** `--initial-cluster-token`, unique per cluster so members of two clusters never join up. */
  readonly token: string;
  readonly extraArgs: readonly string[];
  /** Deadline of every wait (readiness, leader, health). */
  readonly timeoutMs: number;
  readonly reaper: Reaper;
  /** With TLS: the server's files for etcd, and what the harness's own probes present. */
  readonly tls?: { readonly server: ServerTlsPaths; readonly client: TlsFiles };
  /** Set once the cluster is stopped: its data dirs are gone, nothing may start again. */
  closed: boolean;
}

/** One process run: each start makes a new one. */
interface Run {
  readonly child: ChildProcess;
  /** How it ended ("exited with code 1"), once it has. */
  exit: string | undefined;
  readonly exited: Promise<void>;
}

/**
 * A member of an {@link EtcdCluster}, on 127.0.0.1 with its own ports and data dir. Obtain it from
 * `cluster.members`; the constructor is for EtcdCluster.
 * @example
 * const follower = cluster.members.find((m) => m !== (await cluster.leader()))!
 * follower.freeze()        // hangs: connections are accepted, nothing answers
 * follower.resume()
 * await follower.kill()    // vanishes
 * await follower.restart() // back, same data, same ports
 */
export class EtcdMember {
  private run: Run | undefined;
  private frozen = false;

  /** @internal Members are made by `EtcdCluster.start`. */
  constructor(
    /** `--name`, e.g. `member-1`. */
    readonly name: string,
    /** Where clients talk to it, e.g. `http://127.0.0.1:40123`. */
    readonly clientUrl: string,
    /** Where the other members talk to it. */
    readonly peerUrl: string,
    /** Its `--data-dir`; survives kill() and restart(), deleted by the cluster's stop(). */
    readonly dataDir: string,
    /** Its stdout and stderr, across restarts. */
    readonly logFile: string,
    private readonly context: MemberContext,
  ) {}

  /** The process id while a process runs (or is frozen). */
  get pid(): number | undefined {
    return this.run !== undefined && this.run.exit === undefined ? this.run.child.pid : undefined;
  }

  /** Whether a process runs, is frozen, or there is none. */
  get state(): EtcdMemberState {
    if (this.run === undefined || this.run.exit !== undefined) return 'stopped';
    return this.frozen ? 'frozen' : 'running';
  }

  /**
   * Starts the etcd process, without waiting for it to be ready. Used by EtcdCluster and restart();
   * a member joining a running cluster passes the `--initial-cluster` naming every member after
   * it was added (etcd's member add answers it; it ignores it when the data dir exists).
   * @example member.launch('existing', 'member-1=http://127.0.0.1:2380,member-4=http://127.0.0.1:2480'); await member.waitReady()
   */
  launch(clusterState: 'new' | 'existing', initialCluster = this.context.initialCluster): void {
    if (this.context.closed) throw new Error(`cannot start ${this.name}: its cluster was stopped and its data dir deleted`);
    if (this.state !== 'stopped') throw new Error(`cannot start ${this.name}: it is ${this.state} (pid ${this.pid})`);
    // Flags and their values in pairs, one pair a line.
    // prettier-ignore
    const args = [
      '--name', this.name,
      '--data-dir', this.dataDir,
      '--listen-client-urls', this.clientUrl,
      '--advertise-client-urls', this.clientUrl,
      '--listen-peer-urls', this.peerUrl,
      '--initial-advertise-peer-urls', this.peerUrl,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', clusterState,
      '--initial-cluster-token', this.context.token,
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      ...tlsArgs(this.context.tls?.server),
      ...this.context.extraArgs,
    ];
    // The child writes straight into the file: no pipe in this process that could keep it alive,
    // fill up unread, or lose what etcd said just before dying.
    const fd = fs.openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      fs.writeSync(fd, `--- etcd-rx ${new Date().toISOString()}: ${[this.context.bin, ...args].join(' ')}\n`);
      child = spawn(this.context.bin, args, { stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    const pid = child.pid;
    let resolveExited: () => void = () => undefined;
    const run: Run = { child, exit: undefined, exited: new Promise<void>((resolve) => (resolveExited = resolve)) };
    const ended = (how: string): void => {
      if (run.exit !== undefined) return;
      run.exit = how;
      if (pid !== undefined) this.context.reaper.forgetPid(pid);
      resolveExited();
    };
    child.on('exit', (code, signal) => ended(signal !== null ? `was killed by ${signal}` : `exited with code ${code}`));
    child.on('error', (error) => {
      if (pid === undefined) ended(`could not be started: ${error.message}`);
    });
    if (pid !== undefined) this.context.reaper.watchPid(pid);
    // A forgotten member must not keep a test process alive; the exit handler and the reaper kill it.
    child.unref();
    this.run = run;
    this.frozen = false;
  }

  /**
   * SIGKILL; resolves once the process has exited. Works on a frozen member. Nothing to do when
   * it is stopped already.
   * @example await member.kill()
   */
  async kill(): Promise<void> {
    const run = this.run;
    if (run === undefined || run.exit !== undefined) return;
    // Held until the exit arrives, or a plain script awaiting this would exit first.
    run.child.ref();
    run.child.kill('SIGKILL');
    await run.exited;
    this.frozen = false;
  }

  /**
   * SIGSTOP: the process stays, its sockets keep accepting connections, and nothing answers.
   * Returns once every thread has stopped (on Linux): no answer of its comes after freeze().
   * @throws when the member is stopped
   * @example member.freeze(); try { ... } finally { member.resume() }
   */
  freeze(): void {
    const run = this.run;
    if (run === undefined || run.exit !== undefined) throw new Error(`cannot freeze ${this.name}: it is stopped`);
    run.child.kill('SIGSTOP');
    this.frozen = true;
    if (run.child.pid !== undefined) waitUntilStopped(run.child.pid);
  }

  /**
   * SIGCONT after {@link freeze}. Does nothing unless frozen, so it is safe in a `finally`.
   * @example member.resume(); await cluster.waitHealthy()
   */
  resume(): void {
    const run = this.run;
    if (!this.frozen || run === undefined || run.exit !== undefined) return;
    run.child.kill('SIGCONT');
    this.frozen = false;
  }

  /**
   * Starts the member again with its data dir and ports (killing it first unless stopped) and
   * resolves once it answers `/health` true.
   * @throws EtcdStartError with the end of its log when it dies or stays unhealthy
   * @example await member.kill(); await member.restart()
   */
  async restart(): Promise<void> {
    await this.kill();
    // With a data dir etcd ignores the initial-cluster flags; "existing" says what is true.
    this.launch('existing');
    await this.waitReady();
  }

  /**
   * Resolves once the member answers `GET /health` with `{"health":"true"}` (which needs a leader).
   * @throws EtcdStartError when the process dies first or the cluster's start timeout passes
   * @example member.launch('new'); await member.waitReady()
   */
  async waitReady(): Promise<void> {
    const run = this.run;
    const gone = (): string | undefined =>
      run === undefined ? 'it was never started' : this.run !== run ? 'it was restarted meanwhile' : run.exit !== undefined ? `it ${run.exit}` : undefined;
    try {
      await pollUntil(
        async () => {
          await checkHealth(this.clientUrl, PROBE_TIMEOUT_MS, this.context.tls?.client);
          return true;
        },
        {
          timeoutMs: this.context.timeoutMs,
          intervalMs: POLL_INTERVAL_MS,
          what: `${this.name} (${this.clientUrl}) to answer /health true`,
          abort: () => {
            const why = gone();
            return why === undefined ? undefined : new Error(why);
          },
        },
      );
    } catch (error) {
      throw new EtcdStartError(this.name, (error as Error).message, this.logFile, readLogTail(this.logFile));
    }
  }

  /**
   * What this member says about itself: its ID and the leader it follows.
   * @example const { memberId, leaderId } = await member.status()
   */
  status(): Promise<EtcdMemberStatus> {
    return memberStatus(this.clientUrl, PROBE_TIMEOUT_MS, this.context.tls?.client);
  }
}

/** etcd's flags for TLS on the client URLs, with client certificates required. */
function tlsArgs(server: ServerTlsPaths | undefined): string[] {
  if (server === undefined) return [];
  return ['--cert-file', server.certFile, '--key-file', server.keyFile, '--trusted-ca-file', server.caFile, '--client-cert-auth'];
}
