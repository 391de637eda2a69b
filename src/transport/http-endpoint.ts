import * as http from 'http';
import * as https from 'https';

/** One etcd member's client URL with the keep-alive agent every call to it shares. */
export interface HttpEndpoint {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:2379`. */
  readonly url: string;
  readonly agent: http.Agent;
}

/**
 * Creates the keep-alive agent for one endpoint: reusing connections is what makes small calls
 * cheap (a new TCP connection per call would double their cost).
 * @example const agent = createAgent('http://127.0.0.1:2379')
 */
export function createAgent(url: string): http.Agent {
  const options = { keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' as const };
  return url.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}
