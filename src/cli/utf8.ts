/** Strict UTF-8: what is valid, and where it is not, byte by byte. */

// ignoreBOM keeps a leading U+FEFF in the text, which would otherwise be dropped silently.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The bytes as text, or undefined when they are not valid UTF-8.
 * @example utf8(Buffer.from([0xff])) // undefined
 */
export function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The bytes split into UTF-8 characters (strings) and the single bytes that are not part of a
 * valid one (numbers), in order.
 * @example utf8Pieces(Buffer.from([0x61, 0xff])) // ['a', 0xff]
 */
export function utf8Pieces(bytes: Uint8Array): (string | number)[] {
  const pieces: (string | number)[] = [];
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes[i]);
    // A lone byte is ASCII or invalid: no decoder needed (decoding each, and failing, costs).
    if (length === 1) {
      pieces.push(bytes[i] < 0x80 ? String.fromCharCode(bytes[i]) : bytes[i]);
      i++;
      continue;
    }
    const char = utf8(bytes.subarray(i, i + length));
    if (char !== undefined) {
      pieces.push(char);
      i += length;
    } else {
      pieces.push(bytes[i]);
      i++;
    }
  }
  return pieces;
}

function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}
