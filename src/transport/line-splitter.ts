/** Newline-separated messages out of a byte stream cut into arbitrary chunks. */

const NEWLINE = 0x0a;

/**
 * Cuts a byte stream at newlines. Pieces of a long line are kept as a list and joined once, so
 * a multi-megabyte message costs one copy rather than one per chunk.
 * @example const lines = new LineSplitter(); lines.push(chunk, (line) => console.log(line.toString()))
 */
export class LineSplitter {
  private pieces: Buffer[] = [];

  /** Calls `line` with each line that `chunk` completes (without its newline). */
  push(chunk: Buffer, line: (bytes: Buffer) => void): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.pieces.push(chunk.subarray(start, end));
      const whole = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
      this.pieces = [];
      line(whole);
      start = end + 1;
    }
    if (start < chunk.length) this.pieces.push(chunk.subarray(start));
  }

  /** What followed the last newline: a last message without one, or the piece of a cut one. */
  rest(): Buffer {
    const rest = Buffer.concat(this.pieces);
    this.pieces = [];
    return rest;
  }
}
