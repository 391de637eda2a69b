/**
 * The commands that run until interrupted (watch, mirror, lease keep-alive, lock, elect), each
 * spawned as the built CLI and ended as a terminal ends it: Ctrl-C to the process group.
 */
import * as fs from 'fs';
import { freePorts } from '../../src/testing/free-port';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { watchGauges } from '../watch/watch-helpers';
import { CliProcess, ok, useCli } from './support/cli';

describe('etcd-rx streaming commands against a real etcd', () => {
  const cluster = useCluster(1);
  const cli = useCli(cluster);
  const etcdctl = async (...args: string[]) => ok(await cli.etcdctl(args)).stdout;
  const keys = async (prefix: string) => (await etcdctl('get', prefix, '--prefix', '--keys-only')).split('\n').filter((line) => line !== '');
  const watchers = async () => (await watchGauges(cluster().members[0])).watchers;
  /** Starts a command that watches, and waits until its server-side watch exists. */
  const startWatching = async (args: string[]): Promise<CliProcess> => {
    const before = await watchers();
    const started = cli.start(args);
    await waitFor(async () => (await watchers()) > before || !started.running, 'the watch to be created');
    return started;
  };
  /** Ctrl-C (or another signal) to the process group, as a terminal sends it; answers the exit code. */
  const interrupt = async (running: CliProcess, signal: NodeJS.Signals = 'SIGINT') => {
    running.interrupt(signal);
    const { code } = await running.exited;
    return code;
  };
  /** Whether a process has ended: gone, or a zombie that no one reaped after its parent left. */
  const ended = (pid: number) => {
    try {
      return /^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return true;
    }
  };

  describe('watch', () => {
    it('prints the events of writes made by etcdctl, as etcdctl watch does; Ctrl-C ends it (exit 0)', async () => {
      const watching = await startWatching(['watch', 'w1/', '--prefix', '--prev-kv']);
      await etcdctl('put', 'w1/a', '1');
      await etcdctl('put', 'w1/a', '2');
      await etcdctl('del', 'w1/a');
      await watching.waitForStdout(/DELETE/, 'the delete event');
      await waitFor(() => watching.stdout.endsWith('w1/a\n\n'), 'the whole delete event');
      expect(watching.stdout).toBe('PUT\nw1/a\n1\nPUT\nw1/a\n1\nw1/a\n2\nDELETE\nw1/a\n2\nw1/a\n\n');
      expect(await interrupt(watching)).toBe(0);
      expect(watching.stderr).toBe('');
    });

    it('replays from --rev, one JSON object per event', async () => {
      const first = JSON.parse(await etcdctl('put', 'w2/k', 'one', '-w', 'json')) as { header: { revision: number } };
      await etcdctl('put', 'w2/k', 'two');
      const watching = cli.start(['watch', 'w2/k', '--rev', String(first.header.revision), '-o', 'json']);
      await waitFor(() => watching.json.length === 2 || !watching.running, 'both events');
      expect(watching.json).toEqual([
        expect.objectContaining({ type: 'put', key: 'w2/k', value: 'one', revision: first.header.revision, version: 1 }),
        expect.objectContaining({ type: 'put', key: 'w2/k', value: 'two', revision: first.header.revision + 1, version: 2 }),
      ]);
      expect(await interrupt(watching, 'SIGTERM')).toBe(0);
    });

    it('watches every key with "" --from-key, as etcdctl does', async () => {
      const watching = await startWatching(['watch', '', '--from-key', '-o', 'json']);
      await etcdctl('put', 'w4/k', 'v');
      await etcdctl('put', '\u0001first', 'v');
      await waitFor(() => watching.json.length === 2 || !watching.running, 'both events');
      expect(watching.json.map((e) => e.key)).toEqual(['w4/k', '\u0001first']);
      expect(await interrupt(watching)).toBe(0);
    });

    it('ends with exit code 1 and the reason when the revision it needs was compacted', async () => {
      const put = JSON.parse(await etcdctl('put', 'w3/k', 'v', '-w', 'json')) as { header: { revision: number } };
      await etcdctl('compact', String(put.header.revision));
      const result = await cli.run(['watch', 'w3/k', '--rev', '1']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^etcd-rx: cannot watch from revision 1: it was compacted \(the oldest revision left is \d+\)/);
    });
    it('against a member that is down, says what it waits for and fails within the retry policy (exit 1)', async () => {
      const [port] = await freePorts(1);
      const down = `http://127.0.0.1:${port}`;
      const started = Date.now();
      const result = await cli.run(['watch', 'k', '-s', down], { timeoutMs: 60_000 });
      expect(result.code).toBe(1);
      // The retry policy's attempts take a few seconds; the limit of a broken watch is a minute.
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(result.stderr).toContain(`etcd-rx: waiting for a member to accept the watch (${down})`);
      expect(result.stderr).toContain(`failed: ${down}: connect ECONNREFUSED`);
    });
  });

  describe('mirror', () => {
    it('prints the state of a prefix, then each change to it', async () => {
      await etcdctl('put', 'snap/a', '1');
      await etcdctl('put', 'snap/b', 'two words');
      const before = await watchers();
      const watching = cli.start(['mirror', 'snap/']);
      await watching.waitForStdout(/2 keys/, 'the initial state');
      await waitFor(async () => (await watchers()) > before, 'the watch after the listing');
      await etcdctl('put', 'snap/c', '3');
      await etcdctl('put', 'snap/a', '9');
      await etcdctl('del', 'snap/b');
      await watching.waitForStdout(/- snap\/b/, 'the removal');
      expect(watching.stdout.replace(/revision \d+/g, 'revision R')).toBe(
        'revision R: 2 keys\n  snap/a = 1\n  snap/b = two words\nrevision R: + snap/c = 3\nrevision R: ~ snap/a = 9\nrevision R: - snap/b\n',
      );
      expect(await interrupt(watching)).toBe(0);
    });

    it('as JSON, lists every key as added first', async () => {
      const watching = cli.start(['mirror', 'snap/', '-o', 'json']);
      await waitFor(() => watching.json.length === 1 || !watching.running, 'the initial state');
      expect(watching.json[0]).toMatchObject({
        relisted: true,
        size: 2,
        changes: [
          { type: 'added', key: 'snap/a', value: '9' },
          { type: 'added', key: 'snap/c', value: '3' },
        ],
      });
      expect(await interrupt(watching)).toBe(0);
    });
  });

  describe('lease keep-alive', () => {
    it('keeps a lease alive past its TTL, and Ctrl-C revokes it with its keys', async () => {
      const keeping = cli.start(['lease', 'keep-alive', '--ttl', '2']);
      const renewals = () => keeping.stdout.split('\n').filter((line) => / keepalived with TTL\(2\)$/.test(line)).length;
      await waitFor(() => renewals() >= 4 || !keeping.running, 'renewals beyond the TTL');
      const id = /^lease ([0-9a-f]{16}) granted with TTL\(2s\)\n/.exec(keeping.stdout)?.[1] as string;
      expect(id).toBeDefined();
      await etcdctl('put', 'ka/key', 'v', `--lease=${id}`);
      expect(await etcdctl('lease', 'timetolive', id)).toMatch(/remaining\(\d+s\)/);
      expect(await interrupt(keeping)).toBe(0);
      expect(await etcdctl('lease', 'list')).not.toContain(id);
      expect(await keys('ka/')).toEqual([]);
    });

    it('with an ID, keeps a lease granted by etcdctl alive past its TTL; Ctrl-C stops renewing without revoking it', async () => {
      const id = /lease ([0-9a-f]+) granted/.exec(await etcdctl('lease', 'grant', '2'))?.[1] as string;
      const keeping = cli.start(['lease', 'keep-alive', id]);
      const lines = () => keeping.stdout.split('\n').filter((line) => line !== '');
      await waitFor(() => lines().length >= 5 || !keeping.running, 'renewals beyond the TTL');
      expect(lines().every((line) => line === `lease ${id} keepalived with TTL(2)`)).toBe(true);
      expect(await etcdctl('lease', 'timetolive', id)).toMatch(/remaining\(\d+s\)/);
      expect(await interrupt(keeping)).toBe(0);
      expect(await etcdctl('lease', 'list')).toContain(id);
    });

    it('with an ID that no lease has, ends as etcdctl does (exit code 0); --ttl with an ID is a usage error', async () => {
      const unknown = await cli.run(['lease', 'keep-alive', '7fffffff00000001']);
      expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([0, 'lease 7fffffff00000001 expired or revoked.\n', '']);
      const both = await cli.run(['lease', 'keep-alive', '7fffffff00000001', '--ttl', '5']);
      expect(both.code).toBe(1);
      expect(both.stderr).toContain('--ttl is for a lease to grant');
    });

    it('exits with code 3 when the lease is lost (revoked elsewhere)', async () => {
      const keeping = cli.start(['lease', 'keep-alive', '--ttl', '2']);
      await keeping.waitForStdout(/granted/, 'the grant');
      const id = /lease ([0-9a-f]+) granted/.exec(keeping.stdout)?.[1] as string;
      await etcdctl('lease', 'revoke', id);
      expect((await keeping.exited).code).toBe(3);
      expect(keeping.stderr).toContain(`etcd-rx: lease ${id} lost (gone)`);
    });
  });

  describe('lock', () => {
    it('holds the lock until Ctrl-C; a waiting `lock -- COMMAND` runs only then, and nothing is left behind', async () => {
      const holder = cli.start(['lock', 'lk1']);
      await holder.waitForStdout(/^lk1\/[0-9a-f]+\n$/, 'the lock key');
      expect(await keys('lk1/')).toEqual([holder.stdout.trim()]);
      const waiter = cli.start(['lock', 'lk1', '--', 'sh', '-c', 'echo "ran with $ETCD_LOCK_KEY"; exit 5']);
      await waitFor(async () => (await keys('lk1/')).length === 2, 'the waiter to queue');
      expect(waiter.stdout).toBe('');
      expect(await interrupt(holder)).toBe(0);
      const { code } = await waiter.exited;
      // The command's own status is etcd-rx's.
      expect(code).toBe(5);
      expect(waiter.stdout).toMatch(/^ran with lk1\/[0-9a-f]+\n$/);
      expect(await keys('lk1/')).toEqual([]);
    });

    it('runs contending commands one after the other, never overlapping, with growing fencing tokens', async () => {
      const log = cli.tempFile('log');
      const script = `echo "start $ETCD_LOCK_REV" >> ${log}; sleep 0.3; echo "end $ETCD_LOCK_REV" >> ${log}`;
      const results = await Promise.all([1, 2, 3].map(() => cli.run(['lock', 'lk2', '--', 'sh', '-c', script])));
      expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(6);
      const tokens: number[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const [start, end] = [lines[i].split(' '), lines[i + 1].split(' ')];
        expect([start[0], end[0], end[1]]).toEqual(['start', 'end', start[1]]);
        tokens.push(Number(start[1]));
      }
      expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
      expect(new Set(tokens).size).toBe(3);
      expect(await keys('lk2/')).toEqual([]);
    });

    it('Ctrl-C while waiting gives up the place in the queue, and Ctrl-C during COMMAND ends it, then releases the lock', async () => {
      const holder = cli.start(['lock', 'lk3', '--', 'sleep', '60']);
      await waitFor(async () => (await keys('lk3/')).length === 1, 'the holder to take the lock');
      const waiter = cli.start(['lock', 'lk3', '--', 'sh', '-c', 'echo should not run']);
      await waitFor(async () => (await keys('lk3/')).length === 2, 'the waiter to queue');
      expect(await interrupt(waiter)).toBe(130);
      expect(waiter.stdout).toBe('');
      expect(await keys('lk3/')).toHaveLength(1);
      // The terminal's Ctrl-C reaches sleep too; etcd-rx waits for it, releases, and exits with its status.
      expect(await interrupt(holder)).toBe(130);
      expect(holder.stderr).toBe('');
      expect(await keys('lk3/')).toEqual([]);
    });

    it('passes a SIGTERM on to COMMAND and releases the lock once it has exited', async () => {
      const holder = cli.start(['lock', 'lk4', '--', 'sh', '-c', 'trap "echo cleaning up; exit 0" TERM; echo ready; while true; do sleep 0.1; done']);
      await holder.waitForStdout(/ready/, 'the command to start');
      holder.signal('SIGTERM');
      const { code } = await holder.exited;
      expect([code, holder.stdout]).toEqual([0, 'ready\ncleaning up\n']);
      expect(await keys('lk4/')).toEqual([]);
    });

    it('exits 127 when COMMAND is not found and 126 when it cannot be run, as a shell does, naming it; the lock is released', async () => {
      const missing = await cli.run(['lock', 'lk6', '--', './no-such-command', 'arg']);
      expect([missing.code, missing.stdout, missing.stderr]).toEqual([127, '', 'etcd-rx: cannot run ./no-such-command: command not found\n']);
      const file = cli.tempFile('not-executable.sh');
      fs.writeFileSync(file, 'echo should not run\n', { mode: 0o644 });
      const notExecutable = await cli.run(['lock', 'lk6', '--', file]);
      expect([notExecutable.code, notExecutable.stdout, notExecutable.stderr]).toEqual([126, '', `etcd-rx: cannot run ${file}: permission denied\n`]);
      expect(await keys('lk6/')).toEqual([]);
    });

    it('on a second signal, kills a COMMAND that ignores the first and exits at once, leaving the lock key to its lease', async () => {
      const script = 'trap "echo ignoring TERM" TERM; trap "" INT; echo "pid $$"; while true; do sleep 0.1; done';
      const holder = cli.start(['lock', 'lk7', '--ttl', '60', '--', 'sh', '-c', script]);
      await holder.waitForStdout(/pid \d+\n/, 'the command to start');
      const pid = Number(/pid (\d+)/.exec(holder.stdout)?.[1]);
      holder.signal('SIGTERM');
      await holder.waitForStdout(/ignoring TERM/, 'the first SIGTERM to reach the command');
      holder.signal('SIGTERM');
      expect((await holder.exited).code).toBe(143);
      try {
        await waitFor(() => ended(pid), 'the command to be killed');
      } finally {
        // Should it have been left running, it must not outlive the test either.
        if (!ended(pid)) process.kill(pid, 'SIGKILL');
      }
      expect(await keys('lk7/')).toHaveLength(1);
    });

    it('stops COMMAND and exits with code 3 when the lock is lost', async () => {
      const holder = cli.start(['lock', 'lk5', '--ttl', '2', '--', 'sleep', '60']);
      await waitFor(async () => (await keys('lk5/')).length === 1, 'the holder to take the lock');
      await etcdctl('del', 'lk5/', '--prefix');
      expect((await holder.exited).code).toBe(3);
      expect(holder.stderr).toMatch(/^etcd-rx: lease [0-9a-f]+ lost \(key-deleted\)/);
    });
  });

  describe('elect', () => {
    it('campaigns, prints leadership events, hands over on Ctrl-C, and leaves no key behind', async () => {
      const alpha = cli.start(['elect', 'el1', 'alpha']);
      await alpha.waitForStdout(/ELECTED\nel1\/[0-9a-f]+\nalpha\n/, 'alpha to be elected');
      const observer = cli.start(['elect', 'el1', '--observe', '-o', 'json']);
      const beta = cli.start(['elect', 'el1', 'beta']);
      await beta.waitForStdout(/LEADER\nel1\/[0-9a-f]+\nalpha\n/, 'beta to see alpha lead');
      await waitFor(() => observer.json.length === 1 || !observer.running, 'the observer to see alpha');
      expect(observer.json[0]).toMatchObject({ event: 'leader', value: 'alpha' });
      expect(beta.stdout).not.toContain('ELECTED');

      expect(await interrupt(alpha)).toBe(0);
      await beta.waitForStdout(/ELECTED\nel1\/[0-9a-f]+\nbeta\n/, 'beta to be elected');
      await waitFor(() => observer.json.length === 2 || !observer.running, 'the observer to see beta');
      expect(observer.json[1]).toMatchObject({ event: 'leader', value: 'beta' });
      expect(observer.json[1].revision as number).toBeGreaterThan(observer.json[0].revision as number);

      beta.signal('SIGTERM');
      expect((await beta.exited).code).toBe(0);
      expect(await keys('el1/')).toEqual([]);
      expect(await interrupt(observer)).toBe(0);
      expect([alpha.stderr, beta.stderr, observer.stderr]).toEqual(['', '', '']);
    });

    it('leaves no key behind when interrupted before winning', async () => {
      const leader = cli.start(['elect', 'el2', 'first']);
      await leader.waitForStdout(/ELECTED/, 'the first to be elected');
      const candidate = cli.start(['elect', 'el2', 'second']);
      await waitFor(async () => (await keys('el2/')).length === 2, 'the candidate to queue');
      expect(await interrupt(candidate)).toBe(0);
      expect(await keys('el2/')).toHaveLength(1);
      expect(await interrupt(leader)).toBe(0);
      expect(await keys('el2/')).toEqual([]);
    });

    it('exits with code 3 when the leadership is lost', async () => {
      const leader = cli.start(['elect', 'el3', 'me', '--ttl', '2']);
      await leader.waitForStdout(/ELECTED/, 'the election');
      await etcdctl('del', 'el3/', '--prefix');
      expect((await leader.exited).code).toBe(3);
      expect(leader.stderr).toMatch(/^etcd-rx: lease [0-9a-f]+ lost \(key-deleted\)/);
    });
  });
});
