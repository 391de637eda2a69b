/**
 * Keys spread evenly between two keys, before the keys in between are known: a listing cuts its
 * range at such keys to fetch the parts in parallel. Keys are read as numbers whose digits are
 * the bytes the keys are made of (the alphabet a sample of keys shows, e.g. the ten digits of
 * `job/000123`), so that keys made of few byte values are not all crowded into one cut of the
 * 256 values a byte could take. A poor spread costs only balance: every cut is a real key
 * strictly between the two ends, in increasing order, whatever the sample.
 */

/** Cuts are placed by as many bytes past the common prefix as a number keeps exactly (2^48 values). */
const PRECISION_BITS = 48;
const ALL_BYTES = Array.from({ length: 256 }, (_, b) => b);

/**
 * Up to `count` keys strictly between `low` and `high` (undefined: the end of the key space),
 * evenly spread over the alphabet of `sample`, in increasing order, without repeats.
 * @example cutsBetween(Buffer.from('job/000999'), Buffer.from('job0'), 3, sample) // job/3…, job/6…, …
 */
export function cutsBetween(low: Buffer, high: Buffer | undefined, count: number, sample: readonly Buffer[]): Buffer[] {
  const prefix = high === undefined ? 0 : commonPrefixLength(low, high);
  const alphabet = alphabetOf(sample, prefix);
  const digits = Math.max(1, Math.floor(PRECISION_BITS / Math.log2(alphabet.length)));
  const from = valueOf(low, prefix, alphabet, digits);
  const to = high === undefined ? alphabet.length ** digits : valueOf(high, prefix, alphabet, digits);
  const step = (to - from) / (count + 1);
  const cuts: Buffer[] = [];
  let last = low;
  for (let i = 1; i <= count; i++) {
    const cut = keyOf(low.subarray(0, prefix), from + Math.floor(step * i), alphabet, digits);
    if (Buffer.compare(cut, last) > 0 && (high === undefined || Buffer.compare(cut, high) < 0)) {
      cuts.push(cut);
      last = cut;
    }
  }
  return cuts;
}

function commonPrefixLength(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a[i] === b[i]) i++;
  return i;
}

/** The byte values the sample's keys use past `prefix` bytes, sorted; every byte when fewer than two. */
function alphabetOf(sample: readonly Buffer[], prefix: number): number[] {
  const seen = new Set<number>();
  for (const key of sample) for (let i = prefix; i < key.length; i++) seen.add(key[i]);
  return seen.size < 2 ? ALL_BYTES : [...seen].sort((a, b) => a - b);
}

/** The key's first `digits` bytes past the prefix as a number in base alphabet.length, rounding bytes outside the alphabet down. */
function valueOf(key: Buffer, prefix: number, alphabet: readonly number[], digits: number): number {
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const byte = key[prefix + i];
    value = value * alphabet.length + (byte === undefined ? 0 : rankOf(byte, alphabet));
  }
  return value;
}

/** The index of the greatest letter of the alphabet not above `byte` (0 below them all). */
function rankOf(byte: number, alphabet: readonly number[]): number {
  let low = 0;
  let high = alphabet.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (alphabet[middle] <= byte) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** `prefix` followed by `value`'s `digits` digits as letters of the alphabet, trailing first letters dropped. */
function keyOf(prefix: Buffer, value: number, alphabet: readonly number[], digits: number): Buffer {
  const letters: number[] = [];
  for (let i = 0; i < digits; i++) {
    letters.unshift(alphabet[value % alphabet.length]);
    value = Math.floor(value / alphabet.length);
  }
  while (letters.length > 1 && letters[letters.length - 1] === alphabet[0]) letters.pop();
  return Buffer.concat([prefix, Buffer.from(letters)]);
}
