import { hexId, hexLeaseId, decimalOfHex } from '../../src/ids';
import { encodeLeaseId } from '../../src/lease/lease-id';
import { encodeMemberId } from '../../src/cluster/membership';
import { EtcdInvalidArgumentError } from '../../src';

describe('lease and member ids in decimal and hexadecimal', () => {
  it('turns decimal ids into the hexadecimal etcdctl prints, and 0x-prefixed hexadecimal back', () => {
    expect(hexId('7587852521871779339')).toBe('694d77aa9e38260b');
    expect(hexLeaseId('833625604768524322')).toBe('0b91a2121fe5e822');
    expect(hexLeaseId('0')).toBe('0');
    expect(decimalOfHex('0x694d77aa9e38260b')).toBe('7587852521871779339');
    expect(decimalOfHex('0x0B91A2121FE5E822')).toBe('833625604768524322');
    expect(decimalOfHex('694d77aa9e38260b')).toBeUndefined();
  });

  it('takes a lease id in decimal, 0x hexadecimal or as a bigint, and names anything else', () => {
    expect(encodeLeaseId('7587852521871779339')).toBe('7587852521871779339');
    expect(encodeLeaseId('0x694d77aa9e38260b')).toBe('7587852521871779339');
    expect(encodeLeaseId(7587852521871779339n)).toBe('7587852521871779339');
    expect(() => encodeLeaseId('0xnothex')).toThrow(EtcdInvalidArgumentError);
    expect(() => encodeLeaseId('0x694d77aa9e38260b0')).toThrow(/0x-prefixed hexadecimal/);
  });

  it('takes a member id in decimal, 0x hexadecimal (as etcdctl prints it) or as a bigint, and names anything else', () => {
    expect(encodeMemberId('16045690984503054987')).toBe('16045690984503054987');
    expect(encodeMemberId('0xdeadbeefcafe128b')).toBe('16045690984503054987');
    expect(encodeMemberId(16045690984503054987n)).toBe('16045690984503054987');
    expect(() => encodeMemberId('0x0')).toThrow(EtcdInvalidArgumentError);
    expect(() => encodeMemberId('deadbeef')).toThrow(/0x hexadecimal/);
  });
});
