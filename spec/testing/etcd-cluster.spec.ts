/**
 * The test harness itself, against real etcd: if it lied about a member being up, down or hung,
 * every resilience test built on it would prove nothing.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { EtcdBinaryNotFoundError, EtcdCluster, EtcdMember, EtcdStartError, findEtcdBinary } from '../../src/testing';
import * as freePortModule from '../../src/testing/free-port';
import { checkHealth, httpRequest, postJson } from '../../src/testing/http-probe';
import { threadStates } from '../../src/testing/process-stop';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** What `kill(pid, 0)` says: "ESRCH" once the process has exited and been reaped. */
function probeProcess(pid: number): string {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

/**
 * Gone: no such process, or a zombie. An orphan is reaped by init, and this machine's init
 * leaves zombies around (measured), so kill(pid, 0) alone would call them alive.
 */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw error;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ...", S being the state; Z is a zombie.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function put(member: EtcdMember, key: string, value: string): Promise<void> {
  await postJson(member.clientUrl, '/v3/kv/put', { key: b64(key), value: b64(value) }, 5000);
}

/** The value `member` holds locally (serializable read: no leader asked), or undefined. */
async function localValue(member: EtcdMember, key: string): Promise<string | undefined> {
  const answer = (await postJson(member.clientUrl, '/v3/kv/range', { key: b64(key), serializable: true }, 2000)) as {
    kvs?: { value?: string }[];
  };
  const value = answer.kvs?.[0]?.value;
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

describe('a 3-member cluster', () => {
  const cluster = useCluster(3);

  const follower = async (): Promise<EtcdMember> => {
    const leader = await cluster().leader();
    return cluster().members.find((m) => m !== leader)!;
  };

  it('starts with every member running on its own loopback ports and answering /health true', async () => {
    const { members, endpoints } = cluster();
    expect(members).toHaveLength(3);
    expect(endpoints).toEqual(members.map((m) => m.clientUrl));
    expect(new Set(members.flatMap((m) => [m.clientUrl, m.peerUrl])).size).toBe(6);
    for (const member of members) {
      expect(member.state).toBe('running');
      expect(member.pid).toEqual(expect.any(Number));
      expect(member.clientUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(fs.existsSync(member.dataDir)).toBe(true);
    }
    const answers = await Promise.all(endpoints.map((e) => httpRequest(`${e}/health`, { timeoutMs: 2000 })));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ health: 'true' });
    }
  });

  it('names as leader the member every member follows', async () => {
    const leader = await cluster().leader();
    expect(cluster().members).toContain(leader);
    const statuses = await Promise.all(cluster().members.map((m) => m.status()));
    const leaderStatus = statuses[cluster().members.indexOf(leader)];
    expect(leaderStatus.leaderId).toBe(leaderStatus.memberId);
    for (const status of statuses) expect(status.leaderId).toBe(leaderStatus.memberId);
  });

  it('brings a killed follower back with its data and what it missed', async () => {
    const victim = await follower();
    const leader = await cluster().leader();
    await put(leader, 'harness/before-kill', 'one');
    await waitFor(async () => (await localValue(victim, 'harness/before-kill')) === 'one', 'the follower to apply the put');

    const oldPid = victim.pid!;
    await victim.kill();
    expect(victim.state).toBe('stopped');
    expect(victim.pid).toBeUndefined();
    expect(probeProcess(oldPid)).toBe('ESRCH');
    await expect(httpRequest(`${victim.clientUrl}/health`, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/);
    await put(leader, 'harness/while-down', 'two');

    await victim.restart();
    expect(victim.state).toBe('running');
    expect(victim.pid).not.toBe(oldPid);
    await checkHealth(victim.clientUrl, 2000);
    expect(await localValue(victim, 'harness/before-kill')).toBe('one');
    await waitFor(async () => (await localValue(victim, 'harness/while-down')) === 'two', 'the restarted follower to catch up');
    await cluster().waitHealthy();
  });

  it('makes a frozen member hang while the others answer, and resume() brings it back', async () => {
    const victim = await follower();
    const others = cluster().members.filter((m) => m !== victim);
    victim.freeze();
    try {
      expect(victim.state).toBe('frozen');
      expect(probeProcess(victim.pid!)).toBe('alive');
      // Stopped through and through once freeze() returns: a thread still running could answer.
      expect(threadStates(victim.pid!).filter((state) => state !== 'T')).toEqual([]);
      await expect(httpRequest(`${victim.clientUrl}/health`, { timeoutMs: 1000 })).rejects.toThrow(/no answer .* within 1000 ms/);
      await Promise.all(others.map((m) => checkHealth(m.clientUrl, 5000)));
      await cluster().waitHealthy(); // frozen members are not waited for
    } finally {
      victim.resume();
    }
    expect(victim.state).toBe('running');
    await victim.waitReady();
    await cluster().waitHealthy();
  });

  it('finds the new leader once the old one is frozen', async () => {
    const old = await cluster().leader();
    old.freeze();
    try {
      const next = await cluster().leader();
      expect(next).not.toBe(old);
      expect(next.state).toBe('running');
    } finally {
      old.resume();
    }
    await cluster().waitHealthy();
  });
});

describe('EtcdCluster.stop', () => {
  it('kills every member, frozen and killed ones included, and deletes the data dirs', async () => {
    const cluster = await EtcdCluster.start({ size: 3 });
    try {
      const [frozen, killed] = cluster.members;
      const pids = cluster.members.map((m) => m.pid!);
      frozen.freeze();
      await killed.kill();
      for (const member of cluster.members) expect(fs.existsSync(member.dataDir)).toBe(true);

      await cluster.stop();

      for (const pid of pids) expect(probeProcess(pid)).toBe('ESRCH');
      for (const member of cluster.members) {
        expect(member.state).toBe('stopped');
        expect(fs.existsSync(member.dataDir)).toBe(false);
      }
      expect(fs.existsSync(cluster.dir)).toBe(false);
      await cluster.stop(); // idempotent
      await expect(killed.restart()).rejects.toThrow(/cluster was stopped/);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});

describe('start failures', () => {
  it('rejects a missing etcd binary with how to install one', async () => {
    const error = await EtcdCluster.start({ etcdBin: '/nonexistent/etcd' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdBinaryNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('/nonexistent/etcd');
    expect(message).toContain('bash scripts/ensure-etcd.sh');
    expect(message).toContain('apt-get install -y etcd-server etcd-client');
    expect(message).toContain('ETCD_BIN');
  });

  it('rejects an ETCD_BIN that points nowhere, and an etcd missing from PATH', async () => {
    const saved = process.env.ETCD_BIN;
    process.env.ETCD_BIN = '/nonexistent/bin/etcd';
    try {
      await expect(EtcdCluster.start()).rejects.toThrow(/ETCD_BIN=\/nonexistent\/bin\/etcd is not an executable file.*apt-get install/s);
    } finally {
      if (saved === undefined) delete process.env.ETCD_BIN;
      else process.env.ETCD_BIN = saved;
    }
    expect(() => findEtcdBinary(undefined, { PATH: '/nonexistent' })).toThrow(/'etcd' is not on PATH.*ensure-etcd\.sh/s);
  });

  it('reports the end of the log of a member that dies at start, and leaves nothing behind', async () => {
    const error = await EtcdCluster.start({ size: 1, extraArgs: ['--no-such-flag'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdStartError);
    const startError = error as EtcdStartError;
    expect(startError.message).toMatch(/member-1 did not become healthy: it exited with code \d+/);
    expect(startError.message).toContain('flag provided but not defined: -no-such-flag');
    expect(fs.existsSync(path.dirname(startError.logFile))).toBe(false);
  });
});

describe('ports taken between being found free and being bound', () => {
  it('starts again with other ports', async () => {
    // Forces the race: the first draw hands member-2 a client port someone else holds.
    // It hangs up at once: the harness's health probes of that port must not keep it open.
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    const realFreePorts = freePortModule.freePorts;
    const draws = jest.spyOn(freePortModule, 'freePorts').mockImplementationOnce(async (count, host) => {
      const ports = await realFreePorts(count, host);
      ports[2] = taken;
      return ports;
    });
    let cluster: EtcdCluster | undefined;
    try {
      cluster = await EtcdCluster.start({ size: 3 });
      expect(draws).toHaveBeenCalledTimes(2);
      expect(cluster.endpoints).not.toContain(`http://127.0.0.1:${taken}`);
      await cluster.waitHealthy();
    } finally {
      draws.mockRestore();
      await cluster?.stop();
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);
});

describe('cleanup when the process ends without stop()', () => {
  const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
  const testing = path.resolve(__dirname, '../../src/testing');

  interface Script {
    /** What the script reported first: its etcd member's pid and the cluster's directory. */
    started: Promise<{ etcd: number; dir: string }>;
    /** How the script ended, and every line it printed. */
    ended: Promise<{ how: string; lines: string[] }>;
  }

  /** Runs `body` in a fresh Node process, after it has started a 1-member `cluster`. */
  function runScript(body: string): Script {
    const script = `
      import * as fs from 'fs';
      import { EtcdCluster } from ${JSON.stringify(testing)};
      const report = (line: object) => fs.writeSync(1, JSON.stringify(line) + '\\n');
      (async () => {
        const cluster = await EtcdCluster.start({ size: 1 });
        report({ etcd: cluster.members[0].pid, dir: cluster.dir });
        ${body}
      })();`;
    const child = spawn(tsx, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const ended = new Promise<{ how: string; lines: string[] }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ how: `${signal ?? code}`, lines: out.split('\n').filter((l) => l !== '') })),
    );
    const started = (async () => {
      await waitFor(() => out.includes('\n') || child.exitCode !== null, 'the script to start its cluster', 30_000);
      try {
        return JSON.parse(out.split('\n')[0]) as { etcd: number; dir: string };
      } catch {
        throw new Error(`the script said: ${out}`);
      }
    })();
    return { started, ended };
  }

  /** The parent of a process: the Node process running the script (tsx runs it in a child of its own). */
  function parentOf(pid: number): number {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }

  it('kills the members and deletes the dirs in an exit handler, and does not keep the process alive', async () => {
    // The script's own exit handler runs after the harness's (registered first), and before the
    // watchdog can notice anything: the directory must already be gone then.
    const { started, ended } = runScript(`process.on('exit', () => report({ dirGoneAtExit: !fs.existsSync(cluster.dir) }));`);
    const { etcd, dir } = await started;
    const { how, lines } = await ended;
    expect(how).toBe('0'); // ended by itself: the etcd child kept nothing alive
    expect(lines).toContain(JSON.stringify({ dirGoneAtExit: true }));
    await waitFor(() => isGone(etcd), 'the orphaned etcd to die');
    expect(fs.existsSync(dir)).toBe(false);
  }, 60_000);

  it('kills the members and deletes the dirs from a watchdog when the process is SIGKILLed', async () => {
    const { started, ended } = runScript(`setInterval(() => undefined, 1000); // alive until killed`);
    const { etcd, dir } = await started;
    process.kill(parentOf(etcd), 'SIGKILL');
    await ended;
    await waitFor(() => isGone(etcd), 'the orphaned etcd to die');
    await waitFor(() => !fs.existsSync(dir), 'the watchdog to delete the directory');
  }, 60_000);
});
