import { EtcdInvalidArgumentError, endpointsFromEnvironment, parseEndpoints, Etcd } from '../../src';

describe('endpoint parsing', () => {
  it('takes an array or one comma-separated string, adding http:// where missing', () => {
    expect(parseEndpoints('10.0.0.1:2379, http://10.0.0.2:2379/')).toEqual(['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    expect(parseEndpoints(['https://a.example:2379'])).toEqual(['https://a.example:2379']);
  });

  it('takes semicolons and spaces between entries too, as the old etcd_open_str did', () => {
    expect(parseEndpoints(' a:1;b:2  c:3 ;\td:4 ')).toEqual(['http://a:1', 'http://b:2', 'http://c:3', 'http://d:4']);
  });

  it("gives a bare host etcd's client port, and keeps a URL's own port", () => {
    expect(parseEndpoints('etcd1, etcd2:80, etcd4:80/, [::1], http://etcd3')).toEqual([
      'http://etcd1:2379',
      'http://etcd2',
      'http://etcd4',
      'http://[::1]:2379',
      'http://etcd3',
    ]);
  });

  it('drops duplicates', () => {
    expect(parseEndpoints('a:1,http://a:1')).toEqual(['http://a:1']);
  });

  it.each([
    ['ht!tp:/bad', /ht!tp:\/bad/],
    ['ftp://host:21', /must use http/],
    ['http://a:1,,http://b:2', /empty/],
    ['http://a:1;', /empty/],
    ['http://host:99999', /not a valid URL/],
    ['http://user:pw@host:1', /no path, query, fragment or credentials/],
    ['http://host:1/v3', /no path/],
    ['host:0', /port 0/],
  ])('refuses %s naming the bad entry', (input, message) => {
    expect(() => parseEndpoints(input)).toThrow(EtcdInvalidArgumentError);
    expect(() => parseEndpoints(input)).toThrow(message);
  });

  it('refuses non-strings', () => {
    expect(() => parseEndpoints([42 as unknown as string])).toThrow(/endpoint #1 must be a string, got number/);
  });

  it('reads ETCD_SERVERS, then ETCDCTL_ENDPOINTS, then the default', () => {
    expect(endpointsFromEnvironment({ ETCD_SERVERS: 'a:1,b:2', ETCDCTL_ENDPOINTS: 'c:3' })).toEqual(['http://a:1', 'http://b:2']);
    expect(endpointsFromEnvironment({ ETCDCTL_ENDPOINTS: 'c:3' })).toEqual(['http://c:3']);
    expect(endpointsFromEnvironment({})).toEqual(['http://127.0.0.1:2379']);
  });

  it('gives https:// to entries without a scheme when asked (a client with TLS settings)', () => {
    expect(parseEndpoints('a:1, etcd2, http://b:2', 'https')).toEqual(['https://a:1', 'https://etcd2:2379', 'http://b:2']);
    expect(endpointsFromEnvironment({}, 'https')).toEqual(['https://127.0.0.1:2379']);
  });

  it('makes the constructor fail at once on a malformed URL or option', () => {
    expect(() => new Etcd('http://ok:1,ht!tp:/bad')).toThrow(/ht!tp:\/bad/);
    expect(() => new Etcd({ endpoints: 'a:1', requestTimeoutMs: -5 })).toThrow(/requestTimeoutMs/);
    expect(() => new Etcd({ endpoints: 'a:1', retry: { jitter: 2 } })).toThrow(/jitter/);
    expect(() => new Etcd(null as never)).toThrow(/new Etcd\(\) takes options, an endpoint list or a string of endpoints; got null/);
    expect(() => new Etcd(5 as never)).toThrow(/got number 5/);
  });
});
