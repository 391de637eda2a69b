/**
 * Where the client connects: an array of URLs, one string of them (the old `etcd_open_str`),
 * or the `ETCD_SERVERS` / `ETCDCTL_ENDPOINTS` environment variables.
 */
import { EtcdInvalidArgumentError } from './errors';

/**
 * Used when no endpoint is given anywhere: etcd's default client URL.
 * @example new Etcd({ endpoints: process.env.MY_ETCD ?? DEFAULT_ENDPOINT })
 */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:2379';

const DEFAULT_CLIENT_PORT = 2379;

/**
 * Parses and validates endpoints; `host:port` without a scheme means `http://host:port`. In one
 * string, entries are separated by commas (as etcdctl takes them), semicolons or spaces (as the
 * old `etcd_open_str` took them); a bare host (`etcd1`) means port 2379. `scheme` is what an entry
 * without one uses. Throws EtcdInvalidArgumentError naming the first malformed entry.
 * @example parseEndpoints('10.0.0.1:2379, http://10.0.0.2:2379') // ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']
 */
export function parseEndpoints(input: string | readonly string[], scheme: Scheme = 'http'): string[] {
  const entries = typeof input === 'string' ? input.trim().split(/\s*[,;]\s*|\s+/) : input;
  if (!Array.isArray(entries)) {
    throw new EtcdInvalidArgumentError(`endpoints must be a string or an array of strings, got ${typeof input}`);
  }
  const urls = entries
    .map((entry: unknown, i: number) => {
      if (typeof entry !== 'string') throw new EtcdInvalidArgumentError(`endpoint #${i + 1} must be a string, got ${typeof entry}`);
      return parseEndpoint(entry.trim(), scheme);
    })
    .filter((url, i, all) => all.indexOf(url) === i);
  if (urls.length === 0) throw new EtcdInvalidArgumentError('no endpoint given: pass at least one URL such as http://127.0.0.1:2379');
  return urls;
}

/**
 * The endpoints from the environment (`ETCD_SERVERS`, then `ETCDCTL_ENDPOINTS`), else the default.
 * @example endpointsFromEnvironment(process.env)
 */
export function endpointsFromEnvironment(env: NodeJS.ProcessEnv = process.env, scheme: Scheme = 'http'): string[] {
  const fromEnv = env.ETCD_SERVERS?.trim() || env.ETCDCTL_ENDPOINTS?.trim();
  return parseEndpoints(fromEnv || new URL(DEFAULT_ENDPOINT).host, scheme);
}

/** The scheme of an endpoint given as `host:port` (https when the client has TLS options). */
export type Scheme = 'http' | 'https';

function parseEndpoint(entry: string, scheme: Scheme): string {
  if (entry === '') throw new EtcdInvalidArgumentError('an endpoint is empty (two separators in a row, or one at the end?)');
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(entry);
  const withScheme = hasScheme ? entry : `${scheme}://${entry}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new EtcdInvalidArgumentError(`endpoint "${entry}" is not a valid URL (expected e.g. http://127.0.0.1:2379)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EtcdInvalidArgumentError(`endpoint "${entry}" must use http:// or https://, not ${url.protocol}//`);
  }
  if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname)) {
    throw new EtcdInvalidArgumentError(`endpoint "${entry}" has no valid host name`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '' || !/^\/*$/.test(url.pathname)) {
    throw new EtcdInvalidArgumentError(`endpoint "${entry}" must be scheme://host:port only (no path, query, fragment or credentials)`);
  }
  if (url.port === '0') throw new EtcdInvalidArgumentError(`endpoint "${entry}" has port 0, which no server listens on`);
  // A bare host means etcd's client port (port 80 is never what it meant); a URL means what it says.
  if (!hasScheme && url.port === '' && !/:\d+\/*$/.test(entry)) return `${scheme}://${url.host}:${DEFAULT_CLIENT_PORT}`;
  return `${url.protocol}//${url.host}`;
}
