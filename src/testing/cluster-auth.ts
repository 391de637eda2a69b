/**
 * Turns authentication on in a fresh test cluster, through the JSON gateway as etcdctl's
 * `user add root`, `user grant-role root root` and `auth enable` do.
 */
import { randomBytes } from 'crypto';
import { postJson } from './http-probe';
import { TlsFiles } from './test-certificates';

/** A user name and password, as the client's `auth` option takes them. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

const TIMEOUT_MS = 5000;

/**
 * Adds a root user with a random password, gives it the root role, enables authentication and
 * answers the root user's credentials.
 * @example const root = await enableAuth(cluster.endpoints[0], cluster.tls)
 */
export async function enableAuth(endpoint: string, tls: TlsFiles | undefined): Promise<Credentials> {
  const root = { username: 'root', password: randomBytes(12).toString('base64url') };
  await postJson(endpoint, '/v3/auth/user/add', { name: root.username, password: root.password }, TIMEOUT_MS, tls);
  await postJson(endpoint, '/v3/auth/user/grant', { user: root.username, role: 'root' }, TIMEOUT_MS, tls);
  await postJson(endpoint, '/v3/auth/enable', {}, TIMEOUT_MS, tls);
  return root;
}
