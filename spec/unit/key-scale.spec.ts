/**
 * Cuts between two keys: always real keys strictly between the ends, increasing, whatever the
 * sample says; spread by the sample's alphabet so that keys of few byte values are cut evenly.
 */
import { cutsBetween } from '../../src/kv/key-scale';

const digits = (n: number) => Buffer.from(`job/${String(n).padStart(6, '0')}`);

describe('cutsBetween', () => {
  it('spreads cuts of digit keys evenly between two of them', () => {
    const sample = Array.from({ length: 100 }, (_, i) => digits(i));
    const cuts = cutsBetween(digits(0), digits(1000), 9, sample).map(String);
    expect(cuts).toEqual(Array.from({ length: 9 }, (_, i) => `job/000${i + 1}`));
  });

  it('gives only keys strictly between the ends, in increasing order, for any ends and sample', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    const key = () => Buffer.from(Array.from({ length: 1 + random(6) }, () => [0, 1, 0x61, 0x62, 0xfe, 0xff][random(6)]));
    for (let round = 0; round < 2000; round++) {
      const [low, high] = [key(), key()].sort(Buffer.compare);
      const top = random(4) === 0 ? undefined : high;
      const cuts = cutsBetween(low, top, 1 + random(20), Array.from({ length: random(5) }, key));
      cuts.forEach((cut, i) => {
        expect(Buffer.compare(cut, i === 0 ? low : cuts[i - 1])).toBe(1);
        if (top !== undefined) expect(Buffer.compare(cut, top)).toBe(-1);
      });
    }
  });

  it('cuts up to the end of the key space', () => {
    const cuts = cutsBetween(Buffer.from([0x10]), undefined, 3, []);
    expect(cuts.map((cut) => cut[0])).toEqual([0x4c, 0x88, 0xc4]);
  });
});
