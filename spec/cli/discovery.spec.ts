/**
 * DNS discovery and Go's quoting, without etcd or a DNS server: the SRV lookups answered by a
 * stand-in resolver.
 */
import type { SrvRecord } from 'dns';
import { discoverEndpoints, SrvResolver } from '../../src/cli/discovery';
import { goQuote } from '../../src/cli/etcdctl-kv';

/** A resolver that knows `records` and fails, as Node's does, for any other name. */
function resolver(records: Record<string, SrvRecord[]>): SrvResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (name: string) => {
    asked.push(name);
    const found = records[name];
    if (found === undefined) throw Object.assign(new Error(`querySrv ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(resolve, { asked });
}

const srv = (name: string, port: number): SrvRecord => ({ name, port, priority: 0, weight: 0 });

describe('--discovery-srv', () => {
  it("looks up etcdctl's two services and makes URLs of their targets, https first", async () => {
    const resolve = resolver({
      '_etcd-client-ssl._tcp.example.com': [srv('etcd1.example.com.', 2379)],
      '_etcd-client._tcp.example.com': [srv('etcd2.example.com', 2381), srv('::1', 2379)],
    });
    const found = await discoverEndpoints({ domain: 'example.com', insecure: true }, resolve);
    expect(found).toEqual({ endpoints: ['https://etcd1.example.com:2379', 'http://etcd2.example.com:2381', 'http://[::1]:2379'], notes: [] });
    expect(resolve.asked.sort()).toEqual(['_etcd-client-ssl._tcp.example.com', '_etcd-client._tcp.example.com']);
  });

  it('adds --discovery-srv-name to the service names, and one failed lookup of two is no failure', async () => {
    const resolve = resolver({ '_etcd-client-blue._tcp.example.com': [srv('etcd1', 2379)] });
    const found = await discoverEndpoints({ domain: 'example.com', serviceName: 'blue', insecure: true }, resolve);
    expect(found.endpoints).toEqual(['http://etcd1:2379']);
    expect(resolve.asked).toContain('_etcd-client-ssl-blue._tcp.example.com');
  });

  it('without --insecure-discovery leaves the http members out, naming each', async () => {
    const resolve = resolver({
      '_etcd-client-ssl._tcp.example.com': [srv('etcd1', 2379)],
      '_etcd-client._tcp.example.com': [srv('etcd2', 2379)],
    });
    expect(await discoverEndpoints({ domain: 'example.com', insecure: false }, resolve)).toEqual({
      endpoints: ['https://etcd1:2379'],
      notes: ['ignoring discovered insecure endpoint "http://etcd2:2379"'],
    });
  });

  it('fails naming both lookups when neither answers', async () => {
    await expect(discoverEndpoints({ domain: 'nowhere.invalid', insecure: true }, resolver({}))).rejects.toThrow(
      'dns lookup errors: querySrv ENOTFOUND _etcd-client-ssl._tcp.nowhere.invalid and querySrv ENOTFOUND _etcd-client._tcp.nowhere.invalid',
    );
  });
});

describe("Go's %q, as etcdctl quotes keys and values", () => {
  it.each([
    ['plain', '"plain"'],
    ['a "b"\\', '"a \\"b\\"\\\\"'],
    ['tab\tnl\ncr\rbell\u0007', '"tab\\tnl\\ncr\\rbell\\a"'],
    ['\u0000\u001b\u007f', '"\\x00\\x1b\\x7f"'],
    ['héllo ✓ 😀', '"héllo ✓ 😀"'],
    ['zero\u200bwidth\u00a0nbsp', '"zero\\u200bwidth\\u00a0nbsp"'],
  ])('quotes %j as %s', (text, quoted) => expect(goQuote(Buffer.from(text))).toBe(quoted));

  it('escapes each byte that is not valid UTF-8', () => {
    expect(goQuote(Buffer.from([0x61, 0xff, 0xc3]))).toBe('"a\\xff\\xc3"');
  });
});
