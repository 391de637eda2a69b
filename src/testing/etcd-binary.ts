/**
 * Finding the etcd server binary. A missing binary must fail loudly and say how to get one: a
 * test suite that quietly skips its real-server tests proves nothing.
 */
import * as fs from 'fs';
import * as path from 'path';

const HOW_TO_GET_ETCD =
  'etcd-rx starts real etcd members (etcd 3.4 or newer) for its tests. Get one with ' +
  '`bash scripts/ensure-etcd.sh` (in an etcd-rx checkout), or `apt-get install -y etcd-server etcd-client` ' +
  '(Debian/Ubuntu), or point ETCD_BIN (or the etcdBin option) at an etcd binary.';

/**
 * No usable etcd server binary; the message says where it looked and how to get one.
 * @example
 * await EtcdCluster.start({ etcdBin: '/nonexistent/etcd' }) // rejects with EtcdBinaryNotFoundError
 */
export class EtcdBinaryNotFoundError extends Error {
  override readonly name = 'EtcdBinaryNotFoundError';
  constructor(readonly problem: string) {
    super(`etcd server binary not found: ${problem}. ${HOW_TO_GET_ETCD}`);
  }
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The etcd version a bare `etcd` on PATH stands for: the one Debian 12 ships. */
const SYSTEM_VERSION = '3.4';
/** Where `scripts/ensure-etcd.sh` unpacks other versions, relative to a checkout. */
const PROJECT_FOLDER = '.etcd';

/**
 * `.etcd/<version>/usr/bin/etcd` in `dir` or the nearest directory above it that has one.
 */
function projectEtcd(version: string, dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const candidate = path.join(current, PROJECT_FOLDER, version, 'usr', 'bin', 'etcd');
    if (isExecutableFile(candidate)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
}

/**
 * The absolute path of the etcd binary to run: `explicit` if given, else `$ETCD_BIN`, else, when
 * `$ETCD_VERSION` names a version other than 3.4, the one `scripts/ensure-etcd.sh` unpacked into
 * `.etcd/<version>/` of this checkout (looked for from the working directory upwards), else
 * `etcd` on `PATH`. A bare name is looked up on `PATH`, a path is taken as is.
 * @throws EtcdBinaryNotFoundError when that file does not exist or is not executable
 * @example const etcd = findEtcdBinary() // '/usr/bin/etcd'; with ETCD_VERSION=3.5: '/repo/.etcd/3.5/usr/bin/etcd'
 */
export function findEtcdBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const envBin = env.ETCD_BIN === '' ? undefined : env.ETCD_BIN;
  if (explicit === undefined && envBin === undefined) {
    const version = env.ETCD_VERSION ?? '';
    if (version !== '' && version !== SYSTEM_VERSION) return versionedEtcd(version, cwd);
  }
  const wanted = explicit ?? envBin ?? 'etcd';
  const source = explicit !== undefined ? `etcdBin '${explicit}'` : envBin !== undefined ? `ETCD_BIN=${envBin}` : "'etcd'";
  if (wanted.includes('/') || wanted.includes(path.sep)) {
    const absolute = path.resolve(wanted);
    if (isExecutableFile(absolute)) return absolute;
    throw new EtcdBinaryNotFoundError(`${source} is not an executable file`);
  }
  const found = searchPath(wanted, env.PATH);
  if (found !== undefined) return found;
  throw new EtcdBinaryNotFoundError(`${source} is not on PATH (${env.PATH ?? 'PATH is not set'})`);
}

function versionedEtcd(version: string, cwd: string): string {
  if (!/^\d+\.\d+$/.test(version)) {
    throw new EtcdBinaryNotFoundError(`ETCD_VERSION=${version} is not a major.minor version such as 3.5`);
  }
  const found = projectEtcd(version, cwd);
  if (found !== undefined) return found;
  throw new EtcdBinaryNotFoundError(
    `ETCD_VERSION=${version} but there is no ${PROJECT_FOLDER}/${version}/usr/bin/etcd in ${cwd} or above ` +
      `(\`ETCD_VERSION=${version} bash scripts/ensure-etcd.sh\` puts one there)`,
  );
}
