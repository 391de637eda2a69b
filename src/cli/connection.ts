/**
 * How the CLI reaches a secured cluster, with etcdctl's flags and variables: TLS files
 * (`--cacert`, `--cert`, `--key`, `--insecure-skip-tls-verify`), credentials (`--user`,
 * `--password`, asked on the terminal when left out), a key namespace (`--namespace`), and what
 * the client does printed on stderr (`--debug`). A flag wins over its variable.
 */
import { readFileSync } from 'fs';
import { Etcd } from '../index';
import type { EtcdOptions } from '../index';
import { FlagSpec, ParsedArgs, UsageError } from './args';
import { discoverEndpoints, SrvResolver } from './discovery';
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
  {
    name: 'insecure-transport',
    kind: 'boolean',
    description: 'true (the default): endpoints without a scheme are http unless TLS files are given; false: https, verified by the system CAs',
  },
  { name: 'namespace', kind: 'string', placeholder: 'PREFIX', description: 'work inside PREFIX: keys, locks and elections are relative to it' },
  {
    name: 'discovery-srv',
    short: 'd',
    kind: 'string',
    placeholder: 'DOMAIN',
    description: 'find the endpoints in the DNS SRV records _etcd-client-ssl._tcp.DOMAIN and _etcd-client._tcp.DOMAIN ($ETCDCTL_DISCOVERY_SRV)',
  },
  { name: 'discovery-srv-name', kind: 'string', placeholder: 'NAME', description: 'look up _etcd-client[-ssl]-NAME._tcp.DOMAIN instead' },
  { name: 'insecure-discovery', kind: 'boolean', description: 'true (the default): keep the http endpoints discovered; false: only https ones' },
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
export async function connectionOf(args: ParsedArgs, io: Io, resolveSrv?: SrvResolver): Promise<Connection> {
  const setting = (name: string, variable: string) => args.text(name) ?? nonEmpty(io.env[variable]);
  const servers = (await discovered(args, setting('discovery-srv', 'ETCDCTL_DISCOVERY_SRV'), io, resolveSrv)) ?? args.text('servers');
  const auth = await credentials(setting('user', 'ETCDCTL_USER'), setting('password', 'ETCDCTL_PASSWORD'), io);
  const tls = tlsFiles(
    setting('cacert', 'ETCDCTL_CACERT'),
    setting('cert', 'ETCDCTL_CERT'),
    setting('key', 'ETCDCTL_KEY'),
    args.bool('insecure-skip-tls-verify') || io.env.ETCDCTL_INSECURE_SKIP_TLS_VERIFY === 'true',
  );
  // etcdctl's --insecure-transport=false: TLS (with the system's CAs) even without any TLS file.
  const transport = tls === undefined && isFalse(args, 'insecure-transport') ? {} : tls;
  const namespace = args.text('namespace');
  if (namespace === '') throw new UsageError('--namespace must not be empty');
  if (args.bool('debug')) printDiagnostics(io.stderr);
  return {
    options: {
      ...(servers === undefined ? {} : { endpoints: servers }),
      ...(auth === undefined ? {} : { auth }),
      ...(transport === undefined ? {} : { tls: transport }),
    },
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
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A switch that defaults to true (as etcdctl's do), set with --name=false. */
function isFalse(args: ParsedArgs, name: string): boolean {
  return args.has(name) && !args.bool(name);
}

/** The endpoints DNS discovery finds (notes about those left out on stderr), or undefined without --discovery-srv or when it finds none. */
async function discovered(args: ParsedArgs, domain: string | undefined, io: Io, resolveSrv: SrvResolver | undefined): Promise<string | undefined> {
  if (domain === undefined) return undefined;
  // Loaded only here: most runs never look anything up.
  const resolve = resolveSrv ?? (await import('dns')).promises.resolveSrv;
  const found = await discoverEndpoints({ domain, serviceName: args.text('discovery-srv-name'), insecure: !isFalse(args, 'insecure-discovery') }, resolve);
  for (const note of found.notes) io.stderr.write(`${note}\n`);
  return found.endpoints.length === 0 ? undefined : found.endpoints.join(',');
}

/**
 * An environment variable's value, or undefined when it is unset or empty (as etcdctl takes them).
 * @example nonEmpty(io.env.ETCDCTL_WRITE_OUT)
 */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
