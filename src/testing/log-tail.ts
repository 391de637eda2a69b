/**
 * The end of a member's log, for error messages: a failed start is only debuggable with what
 * etcd said before it died or hung.
 */
import * as fs from 'fs';

const TAIL_BYTES = 16 * 1024;

/**
 * The last `maxLines` lines of `file`, or a note saying why there are none.
 * @example throw new Error(`member died:\n${readLogTail(logFile)}`)
 */
export function readLogTail(file: string, maxLines = 20): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (size > length) lines.shift(); // the first line was cut in the middle
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    return lines.length === 0 ? `(${file} is empty)` : lines.slice(-maxLines).join('\n');
  } catch (error) {
    return `(no log: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
