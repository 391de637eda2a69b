import { EtcdInvalidArgumentError } from '../../src';
import { encodeSelector, prefixEnd } from '../../src/kv/key-selector';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('key selectors', () => {
  it('computes the end of a prefix by incrementing its last byte below 0xff', () => {
    expect(prefixEnd(Buffer.from('abc'))).toEqual(Buffer.from('abd'));
    expect(prefixEnd(Buffer.from([0x61, 0xff, 0xff]))).toEqual(Buffer.from([0x62]));
    expect(prefixEnd(Buffer.from([0xff]))).toEqual(Buffer.from([0]));
  });

  it('encodes keys, prefixes and ranges', () => {
    expect(encodeSelector('k')).toEqual({ key: b64('k') });
    expect(encodeSelector({ prefix: 'app/' })).toEqual({ key: b64('app/'), range_end: b64('app0') });
    expect(encodeSelector({ prefix: '' })).toEqual({ key: b64(Buffer.from([0])), range_end: b64(Buffer.from([0])) });
    expect(encodeSelector({ from: 'a', to: 'm' })).toEqual({ key: b64('a'), range_end: b64('m') });
    expect(encodeSelector({ from: 'a' })).toEqual({ key: b64('a'), range_end: b64(Buffer.from([0])) });
  });

  it.each([
    ['', /key must not be empty/],
    [Buffer.alloc(0), /key must not be empty/],
    [42, /key selector must be a key, \{prefix\}, \{from, to\} or \{key\}, got number 42/],
    [null, /got null/],
    [{ from: '' }, /range start \(from\) must not be empty/],
    [{ nonsense: 1 }, /key selector must be/],
  ])('refuses %p with a clear message', (selector, message) => {
    expect(() => encodeSelector(selector as never)).toThrow(EtcdInvalidArgumentError);
    expect(() => encodeSelector(selector as never)).toThrow(message);
  });
});
