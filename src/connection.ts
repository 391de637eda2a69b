/**
 * How a client reaches its cluster: the endpoints, and the credentials every request to them
 * carries (TLS settings, the auth token's source). One scheme for all endpoints: a client never
 * talks TLS to some members and plain HTTP to others, nor plain HTTP when given TLS settings.
 */
import * as tls from 'tls';
import { endpointsFromEnvironment, parseEndpoints } from './endpoints';
import { EtcdInvalidArgumentError } from './errors';
import { authOption, EtcdOptions } from './options';
import { AuthSession } from './transport/auth-session';
import { TokenSource } from './transport/http-endpoint';
import { tlsConnectionOptions } from './transport/tls-options';

/** The endpoints and credentials of a client. */
export interface Connection {
  readonly endpoints: string[];
  readonly tls?: tls.ConnectionOptions;
  readonly tokens?: TokenSource;
}

/**
 * Reads the endpoints (`host:port` meaning https:// when `tls` is given), the `tls` and the
 * `auth` options, refusing mixed schemes and plain-HTTP endpoints given TLS settings, by name.
 * @example resolveConnection({ endpoints: 'etcd1:2379', tls: { ca } }).endpoints // ['https://etcd1:2379']
 */
export function resolveConnection(options: EtcdOptions): Connection {
  const tlsOptions = tlsConnectionOptions(options.tls);
  const scheme = tlsOptions === undefined ? 'http' : 'https';
  const endpoints = options.endpoints === undefined ? endpointsFromEnvironment(process.env, scheme) : parseEndpoints(options.endpoints, scheme);
  const plain = endpoints.filter((url) => url.startsWith('http:'));
  if (plain.length > 0 && plain.length < endpoints.length) {
    const secure = endpoints.filter((url) => url.startsWith('https:'));
    throw new EtcdInvalidArgumentError(`endpoints mix http:// (${plain.join(', ')}) and https:// (${secure.join(', ')}): use one scheme for every member`);
  }
  if (plain.length > 0 && tlsOptions !== undefined) {
    throw new EtcdInvalidArgumentError(`option tls is given but endpoints use plain http:// (${plain.join(', ')}): use https:// URLs`);
  }
  const auth = authOption(options.auth);
  return { endpoints, tls: tlsOptions, tokens: auth === undefined ? undefined : new AuthSession(auth) };
}
