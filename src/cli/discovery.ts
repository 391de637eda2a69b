/**
 * etcdctl's DNS discovery (`--discovery-srv DOMAIN`): the client URLs are the targets of the SRV
 * records `_etcd-client-ssl._tcp.DOMAIN` (https) and `_etcd-client._tcp.DOMAIN` (http), with
 * `-NAME` after the service when `--discovery-srv-name NAME` is given. It fails only when both
 * lookups fail; without `--insecure-discovery` (on by default) the http ones are left out.
 */
import type { SrvRecord } from 'dns';

/** Looks up the SRV records of a name (dns.promises.resolveSrv, or a stand-in in tests). */
export type SrvResolver = (name: string) => Promise<SrvRecord[]>;

/** What to look up, as etcdctl's flags say it. */
export interface DiscoveryQuery {
  readonly domain: string;
  readonly serviceName?: string;
  /** Keep http:// endpoints (etcdctl's --insecure-discovery, true by default). */
  readonly insecure: boolean;
}

/** The endpoints found, and the notes to print about those left out. */
export interface Discovered {
  readonly endpoints: readonly string[];
  readonly notes: readonly string[];
}

/**
 * The client URLs the SRV records of `query.domain` name, https ones first, as etcdctl finds
 * them; throws an Error naming both failed lookups when neither answers.
 * @example await discoverEndpoints({ domain: 'example.com', insecure: true }, dns.promises.resolveSrv)
 */
export async function discoverEndpoints(query: DiscoveryQuery, resolve: SrvResolver): Promise<Discovered> {
  const lookup = async (scheme: 'https' | 'http') => {
    const name = `_${serviceOf(scheme, query.serviceName)}._tcp.${query.domain}`;
    // A target is a fully qualified name ending in a dot, which a URL does not carry.
    return (await resolve(name)).map((srv) => `${scheme}://${hostPort(srv.name.replace(/\.$/, ''), srv.port)}`);
  };
  const [secure, plain] = await Promise.allSettled([lookup('https'), lookup('http')]);
  if (secure.status === 'rejected' && plain.status === 'rejected') {
    throw new Error(`dns lookup errors: ${reason(secure.reason)} and ${reason(plain.reason)}`);
  }
  const found = [...(secure.status === 'fulfilled' ? secure.value : []), ...(plain.status === 'fulfilled' ? plain.value : [])];
  if (query.insecure) return { endpoints: found, notes: [] };
  const insecure = found.filter((url) => url.startsWith('http://'));
  return { endpoints: found.filter((url) => !insecure.includes(url)), notes: insecure.map((url) => `ignoring discovered insecure endpoint "${url}"`) };
}

function serviceOf(scheme: 'https' | 'http', serviceName: string | undefined): string {
  const service = scheme === 'https' ? 'etcd-client-ssl' : 'etcd-client';
  return serviceName === undefined || serviceName === '' ? service : `${service}-${serviceName}`;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
