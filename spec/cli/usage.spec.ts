import * as fs from 'fs';
import * as path from 'path';
import { COMMANDS } from '../../src/cli/commands';
import { useCluster } from '../support/cluster';
import { runProcess, useCli } from './support/cli';

describe('etcd-rx usage: help, mistakes, server selection', () => {
  const cluster = useCluster(1);
  const cli = useCli(cluster);

  it("is an executable script, installed as the package's etcd-rx bin", async () => {
    const packageJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(packageJson.bin).toEqual({ 'etcd-rx': 'dist/cli/main.js' });
    expect(fs.readFileSync(cli.main(), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // npm makes a bin executable when it installs it; run it the way a shell then does.
    fs.chmodSync(cli.main(), 0o755);
    const result = await runProcess(cli.main(), ['put', 'bin/k', 'v'], { ...process.env, ETCD_SERVERS: cluster().endpoints[0] });
    expect([result.code, result.stdout]).toEqual([0, 'OK\n']);
  });

  it('lists every command with --help, and explains the exit codes', async () => {
    const result = await cli.run(['--help']);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command.name}`);
    expect(result.stdout).toContain('3  the lock, leadership or lease was lost');
    expect(result.stdout).toContain('127  lock -- COMMAND: COMMAND is not executable / not found');
    expect(result.stdout).toContain('etcd members, separated by commas, semicolons or spaces');
    expect(result.stdout).toMatch(/-o, -w, --output, --write-out FORMAT/);
  });

  it('prints the version of the package with --version, before or after a command', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(await cli.run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await cli.run(['get', 'k', '--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each(COMMANDS.map((c) => [c.name]))('has --help with an example for "%s"', async (name) => {
    const result = await cli.run([...name.split(' '), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`usage: etcd-rx ${name}`);
    expect(result.stdout).toMatch(new RegExp(`examples:\\n  etcd-rx ${name}`));
    expect(result.stdout).toContain('exit codes:');
  });

  it('answers help through "help COMMAND" and for a group', async () => {
    expect((await cli.run(['help', 'lease', 'grant'])).stdout).toContain('usage: etcd-rx lease grant TTL');
    const group = await cli.run(['lease', '--help']);
    expect([group.code, group.stdout]).toEqual([0, expect.stringContaining('lease grant TTL')]);
  });

  it.each([
    [['frobnicate'], 'etcd-rx: unknown command "frobnicate"', "Run 'etcd-rx --help'"],
    [[], 'etcd-rx: missing COMMAND', "Run 'etcd-rx --help'"],
    [['get'], 'etcd-rx: missing KEY', 'usage: etcd-rx get KEY [END] [options]'],
    [['put', 'k'], 'etcd-rx: missing VALUE (give it, or pipe it to stdin)', 'usage: etcd-rx put KEY [VALUE] [options]'],
    [['put', 'k', 'v', '--ignore-value'], 'etcd-rx: put takes no VALUE when --ignore-value is set', 'usage: etcd-rx put'],
    [['get', 'k', '--bogus'], 'etcd-rx: unknown option --bogus', 'usage: etcd-rx get'],
    [['get', 'k', '--rev', 'ten'], 'etcd-rx: --rev must be a whole number ≥ 0, got "ten"', 'usage: etcd-rx get'],
    [['put', 'k', 'v', '--ttl', 'abc'], 'etcd-rx: --ttl must be a whole number ≥ 1, got "abc"', 'usage: etcd-rx put'],
    [['put', 'k', 'v', '--ttl', '0'], 'etcd-rx: --ttl must be a whole number ≥ 1, got "0"', 'usage: etcd-rx put'],
    [['lease', 'grant', 'x'], 'etcd-rx: TTL must be a whole number ≥ 1, got "x"', 'usage: etcd-rx lease grant'],
    [['lease', 'grant', '0'], 'etcd-rx: TTL must be a whole number ≥ 1, got "0"', 'usage: etcd-rx lease grant'],
    [['lease', 'keep-alive', '--ttl', '0'], 'etcd-rx: --ttl must be a whole number ≥ 1, got "0"', 'usage: etcd-rx lease keep-alive'],
    [['lock', 'l', '--ttl', '0'], 'etcd-rx: --ttl must be a whole number ≥ 1, got "0"', 'usage: etcd-rx lock'],
    [['elect', 'e', '--ttl', '0'], 'etcd-rx: --ttl must be a whole number ≥ 1, got "0"', 'usage: etcd-rx elect'],
    [['compaction', 'x'], 'etcd-rx: REV must be a whole number ≥ 1, got "x"', 'usage: etcd-rx compaction'],
    [['compaction', '0'], 'etcd-rx: REV must be a whole number ≥ 1, got "0"', 'usage: etcd-rx compaction'],
    [['lease', 'keep-alive', '--once'], 'etcd-rx: --once renews an existing lease: give its ID', 'usage: etcd-rx lease keep-alive'],
    [['txn', 'plan.txn', '-i'], 'etcd-rx: -i reads the transaction from stdin: give no FILE', 'usage: etcd-rx txn'],
    [['watch', 'k', '--'], 'etcd-rx: missing COMMAND after --', 'usage: etcd-rx watch'],
    [['get', ''], 'etcd-rx: KEY must not be empty (use "" with --prefix or --from-key for every key)', 'usage: etcd-rx get'],
    [['del', '', 'z'], 'etcd-rx: KEY must not be empty', 'usage: etcd-rx del'],
    [['get', 'k', '--rev'], 'etcd-rx: --rev needs a value (N)', 'usage: etcd-rx get'],
    [['get', 'k', '--prefix', '--prefix'], 'etcd-rx: --prefix is given twice', 'usage: etcd-rx get'],
    [['get', 'a', 'b', 'c'], 'etcd-rx: unexpected argument "c"', 'usage: etcd-rx get'],
    [['get', 'a', 'z', '--prefix'], 'etcd-rx: END and --prefix cannot be used together', 'usage: etcd-rx get'],
    [['put', 'k', 'v', '--ttl', '5', '--lease', 'ab'], 'etcd-rx: --ttl cannot be used with --lease or --ignore-lease', 'usage: etcd-rx put'],
    [['lease'], 'etcd-rx: missing lease command (grant, revoke, timetolive, list', 'lease grant TTL'],
    [['lease', 'renew'], 'etcd-rx: unknown command "lease renew"', 'lease grant TTL'],
    [['get', 'k', '-o', 'yaml'], 'etcd-rx: --output (or $ETCDCTL_WRITE_OUT) must be simple (or text), json, table or fields; got "yaml"', 'usage: etcd-rx get'],
    [['--rev', '3', 'get', 'k'], "etcd-rx: unknown option --rev (a command's options go after the command)", "Run 'etcd-rx --help'"],
  ])('refuses %j with a short message and usage on stderr, exit code 1', async (args, message, usage) => {
    const result = await cli.run(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(message)).toBe(true);
    expect(result.stderr).toContain(usage);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says which servers failed when none can be reached (exit code 1, no stack trace)', async () => {
    const result = await cli.run(['get', 'k', '-s', 'http://127.0.0.1:1,127.0.0.1:2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^etcd-rx: all 2 etcd endpoint\(s\) failed: .*127\.0\.0\.1:1.*127\.0\.0\.1:2/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a malformed server list', async () => {
    const result = await cli.run(['get', 'k', '-s', 'http://a,,http://b']);
    expect([result.code, result.stderr]).toEqual([1, expect.stringContaining('an endpoint is empty')]);
  });

  describe('server selection: -s, else ETCD_SERVERS, else ETCDCTL_ENDPOINTS, else http://127.0.0.1:2379', () => {
    const dead = 'http://127.0.0.1:1';
    const live = () => cluster().endpoints[0];

    it('-s wins over the environment, and takes one list separated by commas, semicolons or spaces (a dead member is skipped)', async () => {
      const result = await cli.run(['-s', `${dead},${live()}`, 'put', 'sel/s', 'v'], { env: { ETCD_SERVERS: dead, ETCDCTL_ENDPOINTS: dead } });
      expect([result.code, result.stdout]).toEqual([0, 'OK\n']);
      for (const list of [`${dead};${live()}`, `${dead} ${live()}`, `${dead}, ${live()}`]) {
        expect(await cli.run(['get', 'sel/s', '-s', list], { env: { ETCD_SERVERS: dead } })).toMatchObject({ code: 0, stdout: 'sel/s\nv\n' });
      }
      const long = await cli.run(['get', 'sel/s', '--servers', live()], { env: { ETCD_SERVERS: dead } });
      expect(long.stdout).toBe('sel/s\nv\n');
      const etcdctlStyle = await cli.run(['get', 'sel/s', `--endpoints=${live()}`, '-w', 'json'], { env: { ETCD_SERVERS: dead } });
      expect((JSON.parse(etcdctlStyle.stdout) as { kvs: { key: string }[] }).kvs.map((kv) => Buffer.from(kv.key, 'base64').toString())).toEqual(['sel/s']);
    });

    it('ETCD_SERVERS comes before ETCDCTL_ENDPOINTS', async () => {
      expect((await cli.run(['get', 'sel/s'], { env: { ETCD_SERVERS: live(), ETCDCTL_ENDPOINTS: dead } })).stdout).toBe('sel/s\nv\n');
      const wrong = await cli.run(['get', 'sel/s'], { env: { ETCD_SERVERS: dead, ETCDCTL_ENDPOINTS: live() } });
      expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining(dead)]);
    });

    it('ETCDCTL_ENDPOINTS is used without ETCD_SERVERS', async () => {
      expect((await cli.run(['get', 'sel/s'], { env: { ETCD_SERVERS: undefined, ETCDCTL_ENDPOINTS: live() } })).stdout).toBe('sel/s\nv\n');
    });

    it('falls back to http://127.0.0.1:2379', async () => {
      const result = await cli.run(['endpoint', 'status', '-o', 'json'], { env: { ETCD_SERVERS: undefined, ETCDCTL_ENDPOINTS: undefined } });
      // Whether or not something answers there, the endpoint tried is the default one.
      expect(`${result.stdout}${result.stderr}`).toContain('http://127.0.0.1:2379');
    });
  });
});
