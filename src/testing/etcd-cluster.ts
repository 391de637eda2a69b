/**
 * Real etcd clusters for tests, started from the etcd binary on this machine: every member on
 * 127.0.0.1 with free ports and a temporary data dir, all cleaned up by stop(), by the process
 * exiting, or by a watchdog when the process dies some other way.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findEtcdBinary } from './etcd-binary';
import { adaptFlags, etcdHelp } from './etcd-flags';
import { EtcdMember, EtcdStartError, MemberContext, POLL_INTERVAL_MS, PROBE_TIMEOUT_MS } from './etcd-member';
import { Credentials, enableAuth } from './cluster-auth';
import { cleanUpAtExit } from './exit-cleanup';
import { freePorts } from './free-port';
import { checkHealth, EtcdMemberStatus } from './http-probe';
import { pollUntil } from './poll';
import { Reaper } from './reaper';
import { createTestCertificates, TestCertificates, TlsFiles } from './test-certificates';

/** How to start a cluster. */
export interface ClusterOptions {
  /** Number of members; default 1. 3 is the usual. */
  size?: number;
  /** The etcd binary; default `$ETCD_BIN`, else `etcd` on PATH. */
  etcdBin?: string;
  /**
   * Appended to every member's command line (later flags win), e.g. `['--heartbeat-interval', '50']`.
   * A flag renamed between versions may be given by either name (`--experimental-watch-progress-notify-interval`
   * or `--watch-progress-notify-interval`): it is passed as the binary's `--help` lists it.
   */
  extraArgs?: string[];
  /** Deadline of start, restart(), waitReady(), waitHealthy() and leader(); default 30000 ms. */
  startTimeoutMs?: number;
  /**
   * Serve clients over TLS (https:// client URLs) and require client certificates. The
   * certificates are made with `openssl`; clients find them in `cluster.tls`.
   */
  tls?: boolean;
  /** Enable authentication, with a root user whose credentials are in `cluster.rootCredentials`. */
  auth?: boolean;
  /** How long an unused auth token stays valid (etcd's `--auth-token-ttl`, default 300 s): short, to see tokens expire. */
  authTokenTtlSeconds?: number;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
// Ports are found free, released, then bound by etcd: someone may take one in between.
const START_ATTEMPTS = 3;

/**
 * A throwaway etcd cluster. Always stop() it; if a test forgets, the exit handler and a watchdog
 * process still kill the members and delete their directories.
 * @example
 * const cluster = await EtcdCluster.start({ size: 3 })
 * try {
 *   const etcd = new Etcd({ endpoints: cluster.endpoints })
 *   await (await cluster.leader()).kill()
 * } finally {
 *   await cluster.stop()
 * }
 */
export class EtcdCluster {
  private stopping: Promise<void> | undefined;
  /** Members made by newMember(): not in `members`, stopped with the cluster. */
  private readonly extraMembers: EtcdMember[] = [];
  private readonly forgetAtExit: () => void;

  private credentials: Credentials | undefined;

  private constructor(
    /** Every member, in `--initial-cluster` order, whatever its state. */
    readonly members: readonly EtcdMember[],
    /** The temporary directory holding every member's data dir and log. */
    readonly dir: string,
    private readonly context: MemberContext,
  ) {
    this.forgetAtExit = cleanUpAtExit(() => this.killNow());
  }

  /**
   * With `tls: true`: the CA and a client certificate (PEM), as the client's `tls` option takes them.
   * @example new Etcd({ endpoints: cluster.endpoints, tls: cluster.tls })
   */
  get tls(): TlsFiles | undefined {
    return this.context.tls?.client;
  }

  /**
   * With `auth: true`: the root user's name and generated password, as the client's `auth` option takes them.
   * @example new Etcd({ endpoints: cluster.endpoints, auth: cluster.rootCredentials })
   */
  get rootCredentials(): Credentials | undefined {
    return this.credentials;
  }

  /**
   * Starts a cluster and resolves once every member answers `GET /health` with `{"health":"true"}`.
   * @throws EtcdBinaryNotFoundError (saying how to install etcd) when there is no etcd binary
   * @throws EtcdStartError, with the end of the failing member's log, when a member dies or stays unhealthy
   * @example const cluster = await EtcdCluster.start({ size: 3 })
   */
  static async start(options: ClusterOptions = {}): Promise<EtcdCluster> {
    const size = options.size ?? 1;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`cluster size must be a positive integer, not ${size}`);
    const bin = findEtcdBinary(options.etcdBin);
    for (let attempt = 1; ; attempt++) {
      const cluster = await EtcdCluster.launch(size, bin, options);
      try {
        await Promise.all(cluster.members.map((member) => member.waitReady()));
        if (options.auth === true) cluster.credentials = await enableAuth(cluster.endpoints[0], cluster.tls);
        return cluster;
      } catch (error) {
        await cluster.stop();
        const portTaken = error instanceof EtcdStartError && /address already in use/i.test(error.logTail);
        if (!portTaken || attempt >= START_ATTEMPTS) throw error;
      }
    }
  }

  private static async launch(size: number, bin: string, options: ClusterOptions): Promise<EtcdCluster> {
    const ports = await freePorts(2 * size);
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'etcd-rx-'));
    const reaper = Reaper.spawn();
    reaper.watchDir(dir);
    const tls = options.tls === true ? await certificatesIn(path.join(dir, 'tls')) : undefined;
    const specs = Array.from({ length: size }, (_, i) => ({
      name: `member-${i + 1}`,
      clientUrl: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${ports[2 * i]}`,
      peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
    }));
    const context: MemberContext = {
      bin,
      initialCluster: specs.map((s) => `${s.name}=${s.peerUrl}`).join(','),
      token: `etcd-rx-${process.pid}-${randomBytes(6).toString('hex')}`,
      // Spelled as this binary knows them: `--experimental-*` up to 3.5, without the prefix from 3.6.
      extraArgs: adaptFlags([...ttlArgs(options.authTokenTtlSeconds), ...(options.extraArgs ?? [])], etcdHelp(bin)),
      tls,
      timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      reaper,
      closed: false,
    };
    const members = specs.map((s) => new EtcdMember(s.name, s.clientUrl, s.peerUrl, path.join(dir, s.name), path.join(dir, `${s.name}.log`), context));
    const cluster = new EtcdCluster(members, dir, context);
    try {
      for (const member of members) member.launch('new');
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Every member's client URL, killed and frozen ones included: the cluster's membership. */
  get endpoints(): string[] {
    return this.members.map((member) => member.clientUrl);
  }

  /**
   * The running member that leads: it names itself leader and a quorum of the running members
   * name it too. Waits (up to the start timeout) while there is none, e.g. during an election.
   * @example await (await cluster.leader()).kill()
   */
  async leader(): Promise<EtcdMember> {
    return pollUntil(
      async () => {
        const { leader, seen } = await this.askLeader();
        if (leader === undefined) throw new Error(`no leader with a quorum among the running members (${seen || 'none answered'})`);
        return leader;
      },
      { timeoutMs: this.context.timeoutMs, intervalMs: POLL_INTERVAL_MS, what: 'a leader' },
    );
  }

  /**
   * The running member that leads now, as {@link leader} tells it, or undefined while there is
   * none (during an election, or with quorum lost): one round of questions, no waiting. Polled,
   * it tells when an election ended.
   * @example const electing = (await cluster.leaderNow()) === undefined
   */
  async leaderNow(): Promise<EtcdMember | undefined> {
    return (await this.askLeader()).leader;
  }

  /** Asks every running member whom it follows: the leader a quorum names, and what each said. */
  private async askLeader(): Promise<{ leader?: EtcdMember; seen: string }> {
    const quorum = Math.floor(this.members.length / 2) + 1;
    const running = this.members.filter((member) => member.state === 'running');
    const answers = (
      await Promise.all(
        running.map((member) =>
          member.status().then(
            (status): { member: EtcdMember; status: EtcdMemberStatus } => ({ member, status }),
            () => undefined,
          ),
        ),
      )
    ).filter((answer) => answer !== undefined);
    const seen = answers.map((a) => `${a.member.name} follows ${a.status.leaderId ?? 'nobody'}`).join(', ');
    const leader = answers.find(
      ({ status }) => status.leaderId === status.memberId && answers.filter((a) => a.status.leaderId === status.memberId).length >= quorum,
    );
    return { leader: leader?.member, seen };
  }

  /**
   * A member with its own free ports and data dir, not started and not in `members`: to join
   * this cluster (add it with `addMember(member.peerUrl)`, then `member.launch('existing',
   * initialCluster)`) or to start from a restored snapshot. It is killed and deleted by stop().
   * @example const joining = await cluster.newMember(); await etcd.addMember(joining.peerUrl) ...
   */
  async newMember(name = `member-${this.members.length + this.extraMembers.length + 1}`): Promise<EtcdMember> {
    if (this.context.closed) throw new Error('cannot add a member: the cluster was stopped');
    const [clientPort, peerPort] = await freePorts(2);
    const member = new EtcdMember(
      name,
      `http://127.0.0.1:${clientPort}`,
      `http://127.0.0.1:${peerPort}`,
      path.join(this.dir, name),
      path.join(this.dir, `${name}.log`),
      this.context,
    );
    this.extraMembers.push(member);
    return member;
  }

  /**
   * Resolves once every running member (not frozen, not stopped) answers `/health` true.
   * @example victim.resume(); await cluster.waitHealthy()
   */
  async waitHealthy(): Promise<void> {
    await pollUntil(
      async () => {
        const running = this.members.filter((member) => member.state === 'running');
        await Promise.all(running.map((member) => checkHealth(member.clientUrl, PROBE_TIMEOUT_MS, this.tls)));
        return true;
      },
      { timeoutMs: this.context.timeoutMs, intervalMs: POLL_INTERVAL_MS, what: 'every running member to answer /health true' },
    );
  }

  /**
   * SIGKILLs every member (frozen ones too), waits for them to exit and deletes the data dirs and
   * logs. Calling it again returns the same promise.
   * @example afterAll(() => cluster.stop())
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    this.context.closed = true;
    await Promise.all([...this.members, ...this.extraMembers].map((member) => member.kill()));
    await fs.promises.rm(this.dir, { recursive: true, force: true });
    this.forgetAtExit();
    this.context.reaper.release();
  }

  /** For the exit handler, where nothing asynchronous runs any more. */
  private killNow(): void {
    this.context.closed = true;
    for (const member of [...this.members, ...this.extraMembers]) {
      const pid = member.pid;
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function ttlArgs(seconds: number | undefined): string[] {
  if (seconds === undefined) return [];
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`authTokenTtlSeconds must be a positive whole number, not ${seconds}`);
  return ['--auth-token-ttl', String(seconds)];
}

async function certificatesIn(dir: string): Promise<TestCertificates> {
  await fs.promises.mkdir(dir);
  return createTestCertificates(dir);
}
