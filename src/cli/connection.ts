/**
 * How the CLI reaches a secured cluster, with etcdctl's flags and variables: TLS files
 * (`--cacert`, `--cert`, `--key`, `--insecure-skip-tls-verify`), credentials (`--user`,
 * `--password`, asked on the terminal when left out), a key namespace (`--namespace`), and what
 * the client does printed on stderr (`--debug`). A flag wins over its variable.
 */
import * as fs from 'fs';
import { Etcd } from '../index';
import type { EtcdOptions } from '../index';
import { FlagSpec, ParsedArgs, UsageError } from './args';
import { printDiagnostics } from './debug';
import type { Io } from './io';
import { askPassword, canAsk } from './password';

/** The connection flags every command takes. */
export const CONNECTION_FLAGS: readonly FlagSpec[] = [
  { name: 'cacert', kind: 'string', placeholder: 'FILE', description: 'verify the servers with the CA certificate(s) in FILE (PEM; $ETCDCTL_CACERT)' },
  { name: 'cert', kind: 'string', placeholder: 'FILE', description: 'identify with the client certificate in FILE (PEM; $ETCDCTL_CERT)' },
  { name: 'key', kind: 'string', placeholder: 'FILE', description: "the client certificate's private key (PEM; $ETCDCTL_KEY)" },
  { name: 'insecure-skip-tls-verify', kind: 'boolean', description: 'accept any server certificate (tests only; $ETCDCTL_INSECURE_SKIP_TLS_VERIFY)' },
  { name: 'user', kind: 'string', placeholder: 'USER[:PASSWORD]', description: 'log in as USER; the password is asked for when left out ($ETCDCTL_USER)' },
  { name: 'password', kind: 'string', placeholder: 'PASSWORD', description: 'the password of --user ($ETCDCTL_PASSWORD)' },
  { name: 'namespace', kind: 'string', placeholder: 'PREFIX', description: 'work inside PREFIX: keys, locks and elections are relative to it' },
  {
    name: 'debug',
    kind: 'boolean',
    description: 'print on stderr what the client does: each attempt, failover and watch reconnection (see docs/observability.md)',
  },
];

/** What the connection flags ask for: the client's options and the namespace. */
export interface Connection {
  readonly options: EtcdOptions;
  readonly namespace: string | undefined;
}

/**
 * The connection the flags (else the variables) describe: certificate files read, the password
 * asked for on the terminal when `--user` has none. Throws a UsageError naming what is wrong.
 * @example const connection = await connectionOf(args, io)
 */
export async function connectionOf(args: ParsedArgs, io: Io): Promise<Connection> {
  const setting = (name: string, variable: string) => args.text(name) ?? nonEmpty(io.env[variable]);
  const servers = args.text('servers');
  const auth = await credentials(setting('user', 'ETCDCTL_USER'), setting('password', 'ETCDCTL_PASSWORD'), io);
  const tls = tlsFiles(
    setting('cacert', 'ETCDCTL_CACERT'),
    setting('cert', 'ETCDCTL_CERT'),
    setting('key', 'ETCDCTL_KEY'),
    args.bool('insecure-skip-tls-verify') || io.env.ETCDCTL_INSECURE_SKIP_TLS_VERIFY === 'true',
  );
  const namespace = args.text('namespace');
  if (namespace === '') throw new UsageError('--namespace must not be empty');
  if (args.bool('debug')) printDiagnostics(io.stderr);
  return {
    options: { ...(servers === undefined ? {} : { endpoints: servers }), ...(auth === undefined ? {} : { auth }), ...(tls === undefined ? {} : { tls }) },
    namespace,
  };
}

/**
 * The client a connection describes (inside its namespace, if any).
 * @example const etcd = openClient(await connectionOf(args, io))
 */
export function openClient(connection: Connection): Etcd {
  const etcd = new Etcd(connection.options);
  return connection.namespace === undefined ? etcd : etcd.namespace(connection.namespace);
}

/**
 * `user` or `user:password`, as etcdctl takes them (the password may itself hold colons).
 * @example splitUser('app:s3:cr3t') // ['app', 's3:cr3t']
 */
export function splitUser(text: string): [string, string | undefined] {
  const colon = text.indexOf(':');
  return colon < 0 ? [text, undefined] : [text.slice(0, colon), text.slice(colon + 1)];
}

async function credentials(user: string | undefined, password: string | undefined, io: Io): Promise<EtcdOptions['auth']> {
  if (user === undefined) {
    if (password !== undefined) throw new UsageError('--password needs --user');
    return undefined;
  }
  const [username, inline] = password === undefined ? splitUser(user) : [user, undefined];
  if (username === '') throw new UsageError('--user needs a user name');
  const given = password ?? inline;
  if (given !== undefined) return { username, password: given };
  if (!canAsk(io))
    throw new UsageError(`--user ${username} needs a password: --user ${username}:PASSWORD, --password or $ETCDCTL_PASSWORD (there is no terminal to ask on)`);
  return { username, password: await askPassword(io, 'Password: ') };
}

function tlsFiles(cacert: string | undefined, cert: string | undefined, key: string | undefined, insecure: boolean): EtcdOptions['tls'] {
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if (cacert === undefined && cert === undefined && !insecure) return undefined;
  return {
    ...(cacert === undefined ? {} : { ca: pemFile(cacert, '--cacert') }),
    ...(cert === undefined || key === undefined ? {} : { cert: pemFile(cert, '--cert'), key: pemFile(key, '--key') }),
    ...(insecure ? { rejectUnauthorized: false } : {}),
  };
}

function pemFile(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
