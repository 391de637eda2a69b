import { Agent as HttpAgent } from 'http';
import type * as https from 'https';
import { Observable } from 'rxjs';
import type * as tls from 'tls';

/** One etcd member's client URL with the keep-alive agent every call to it shares. */
export interface HttpEndpoint {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:2379`. */
  readonly url: string;
  readonly agent: HttpAgent;
  /** Where the auth token of every request comes from, when the client authenticates. */
  readonly tokens?: TokenSource;
  /** For a `https://` endpoint: the CA, client certificate and verification settings. */
  readonly tls?: tls.ConnectionOptions;
}

/**
 * The auth token of a client, shared by its endpoints. A token belongs to the cluster, not to
 * the member that issued it (simple tokens are replicated through raft, JWTs are signed).
 * @example session.token(endpoint).subscribe((token) => send({ authorization: token }))
 */
export interface TokenSource {
  /** The token to send: the current one, or a new one got from `endpoint` first. '' means none is needed. */
  token(endpoint: HttpEndpoint): Observable<string>;
  /** Counts the tokens got so far: which one a call used, to tell `refused` about it. */
  readonly generation: number;
  /** The server refused the token of `generation`: the next call gets a new one (once, for every caller). */
  refused(generation: number): void;
}

/**
 * Creates the keep-alive agent for one endpoint: reusing connections is what makes small calls
 * cheap (a new TCP connection per call would double their cost). An `https://` endpoint's
 * agent verifies and presents certificates as `tlsOptions` say.
 * @example const agent = createAgent('https://127.0.0.1:2379', { ca })
 */
export function createAgent(url: string, tlsOptions?: tls.ConnectionOptions): HttpAgent {
  const options = { keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' as const };
  if (!url.startsWith('https:')) return new HttpAgent(options);
  // Loaded only for a TLS endpoint: https brings tls and crypto, costly at a process's start.
  const { Agent } = require('https') as typeof https;
  return new Agent({ ...options, ...tlsOptions });
}
