import { PassThrough } from 'stream';
import { Io } from '../../src/cli/io';
import { askPassword, passwordInput } from '../../src/cli/password';

/** A terminal as the CLI sees one: a stdin that can stop echoing, and what was written to stderr. */
function terminal(): { io: Io; stdin: PassThrough; stderr: string[]; raw: boolean[] } {
  const stdin = new PassThrough();
  const raw: boolean[] = [];
  const stderr: string[] = [];
  const tty = Object.assign(stdin, { isTTY: true, setRawMode: (mode: boolean) => raw.push(mode) });
  return { io: { stdin: tty, stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: {} }, stdin, stderr, raw };
}

describe('passwords', () => {
  it('are asked on a terminal without echo: typing is not shown, backspace erases, Enter ends', async () => {
    const t = terminal();
    const answer = askPassword(t.io, 'Password: ');
    t.stdin.write('se');
    t.stdin.write('\u007fcret\r');
    await expect(answer).resolves.toBe('scret');
    expect(t.stderr.join('')).toBe('Password: \n');
    expect(t.raw).toEqual([true, false]);
  });

  it('are asked twice for confirmation, and refused when they differ or on Ctrl-C', async () => {
    const t = terminal();
    const answer = passwordInput(t.io, 'Password of app: ', { confirm: true });
    t.stdin.write('one\r');
    await new Promise((resolve) => setImmediate(resolve));
    t.stdin.write('two\r');
    await expect(answer).rejects.toThrow('the two passwords differ');
    const u = terminal();
    const cancelled = askPassword(u.io, 'Password: ');
    u.stdin.write('abc\u0003');
    await expect(cancelled).rejects.toThrow(/interrupted/);
  });

  it('are the first line of stdin when there is no terminal', async () => {
    const stdin = new PassThrough();
    stdin.end('piped\nrest\n');
    await expect(passwordInput({ stdin, stdout: { write: () => true }, stderr: { write: () => true }, env: {} }, 'unused')).resolves.toBe('piped');
  });
});
