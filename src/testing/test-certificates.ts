/**
 * TLS certificates for a test cluster, made with `openssl`: a CA, a server certificate for
 * 127.0.0.1 and localhost, and a client certificate. The server certificate may also act as a
 * client: etcd's own JSON gateway connects to its gRPC server with it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** PEM text of a CA, a certificate and its key: what a client passes as its `tls` option. */
export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Where the server's files are, for etcd's command line. */
export interface ServerTlsPaths {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** What {@link createTestCertificates} made. */
export interface TestCertificates {
  /** For clients: the CA, and a client certificate it signed. */
  readonly client: TlsFiles;
  readonly server: ServerTlsPaths;
}

/**
 * `openssl` is missing or failed. The message says how to install it.
 * @example try { createTestCertificates(dir) } catch (e) { if (e instanceof OpensslError) console.error(e.message) }
 */
export class OpensslError extends Error {
  override readonly name = 'OpensslError';
}

const VALID_DAYS = '30';
// Elliptic-curve keys take milliseconds to make; RSA ones take a noticeable part of a second.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes a CA and the certificates it signs in `dir` (which must exist).
 * @throws OpensslError when openssl is not installed or fails
 * @example const { client, server } = createTestCertificates(await fs.promises.mkdtemp('/tmp/certs-'))
 */
export function createTestCertificates(dir: string): TestCertificates {
  const file = (name: string) => path.join(dir, name);
  openssl([
    'req',
    '-x509',
    ...NEW_KEY,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    VALID_DAYS,
    '-subj',
    '/CN=etcd-rx test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  signed(dir, 'server', '/O=etcd-rx test server', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth,clientAuth']);
  // No common name: with authentication on, etcd's gateway refuses (HTTP 400) a client
  // certificate that has one, as etcd would otherwise take it for a user name.
  signed(dir, 'client', '/O=etcd-rx test client', ['extendedKeyUsage=clientAuth']);
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  return {
    client: { ca: read('ca.crt'), cert: read('client.crt'), key: read('client.key') },
    server: { caFile: file('ca.crt'), certFile: file('server.crt'), keyFile: file('server.key') },
  };
}

function signed(dir: string, name: string, subject: string, extensions: string[]): void {
  const file = (suffix: string) => path.join(dir, `${name}.${suffix}`);
  fs.writeFileSync(file('ext'), ['keyUsage=critical,digitalSignature,keyEncipherment', ...extensions].join('\n') + '\n');
  openssl(['req', ...NEW_KEY, '-keyout', file('key'), '-out', file('csr'), '-subj', subject]);
  openssl([
    'x509',
    '-req',
    '-in',
    file('csr'),
    '-CA',
    path.join(dir, 'ca.crt'),
    '-CAkey',
    path.join(dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    file('crt'),
    '-days',
    VALID_DAYS,
    '-extfile',
    file('ext'),
  ]);
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const problem =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'openssl is not installed (Debian/Ubuntu: sudo apt-get install -y openssl)'
        : `openssl ${args[0]} failed: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`;
    throw new OpensslError(`cannot make the test cluster's TLS certificates: ${problem}`);
  }
}
