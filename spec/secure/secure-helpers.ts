/**
 * What the secured-cluster specs need beyond the client: etcdctl against a secured member (to
 * set up users and roles, and to check what the client did), and etcd's own record of the
 * simple tokens it let expire.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { EtcdCluster, EtcdMember } from '../../src/testing';

const run = promisify(execFile);

/** A simple token as etcd 3.4 makes them: 16 letters, a dot, a raft index. */
export const SIMPLE_TOKEN = /[A-Za-z]{16}\.\d+/;

/**
 * Runs `etcdctl args…` as root against the cluster (with its TLS files when it has them) and
 * answers its stdout.
 * @example await etcdctl(cluster, ['role', 'add', 'app-rw'])
 */
export async function etcdctl(cluster: EtcdCluster, args: string[]): Promise<string> {
  const flags = [`--endpoints=${cluster.endpoints.join(',')}`, '--dial-timeout=5s', '--command-timeout=10s'];
  const root = cluster.rootCredentials;
  if (root !== undefined) flags.push(`--user=${root.username}:${root.password}`);
  const tls = cluster.tls;
  if (tls !== undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etcdctl-tls-'));
    for (const [name, pem] of Object.entries(tls)) fs.writeFileSync(path.join(dir, name), pem);
    flags.push(`--cacert=${path.join(dir, 'ca')}`, `--cert=${path.join(dir, 'cert')}`, `--key=${path.join(dir, 'key')}`);
  }
  const { stdout } = await run('etcdctl', [...flags, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
  return stdout;
}

/**
 * Adds a user whose one role may read and write the keys under `prefix`.
 * @example await addUserWithPrefix(cluster, 'alice', 'secret', 'app/')
 */
export async function addUserWithPrefix(cluster: EtcdCluster, user: string, password: string, prefix: string): Promise<void> {
  const role = `${user}-role`;
  await etcdctl(cluster, ['role', 'add', role]);
  await etcdctl(cluster, ['role', 'grant-permission', role, '--prefix=true', 'readwrite', prefix]);
  await etcdctl(cluster, ['user', 'add', `${user}:${password}`]);
  await etcdctl(cluster, ['user', 'grant-role', user, role]);
}

/** How many simple tokens of `user` `member` has let expire so far (it logs each one). */
export function expiredTokens(member: EtcdMember, user: string): number {
  const lines = fs.readFileSync(member.logFile, 'utf8').split('\n');
  return lines.filter((line) => line.includes('deleted a simple token') && line.includes(`"user-name":${JSON.stringify(user)}`)).length;
}
