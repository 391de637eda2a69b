/**
 * Passwords on the command line's terms: asked on the terminal without echo, or read as the
 * first line of stdin when there is no terminal (so scripts can pipe one in).
 */
import { Io } from './io';
import { UsageError } from './args';

const ENTER = ['\r', '\n'];
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u007f', '\b'];

/**
 * Whether a password can be asked for: stdin is a terminal that can stop echoing.
 * @example if (!canAsk(io)) throw new UsageError('give the password with --password')
 */
export function canAsk(io: Io): boolean {
  return io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
}

/**
 * Asks for a password on the terminal: `prompt` on stderr, the typed characters not shown.
 * Ctrl-C gives up (a UsageError), Enter or Ctrl-D ends the input.
 * @example const password = await askPassword(io, 'Password: ')
 */
export function askPassword(io: Io, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise<string>((resolve, reject) => {
    let typed = '';
    const done = (outcome: () => void) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of chunk.toString()) {
        if (char === CTRL_C) return done(() => reject(new UsageError('no password given (interrupted)')));
        if (ENTER.includes(char) || char === CTRL_D) return done(() => resolve(typed));
        typed = BACKSPACE.includes(char) ? [...typed].slice(0, -1).join('') : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The first line of stdin (without its line end): a password piped in by a script.
 * @example const password = await firstLine(io.stdin)
 */
export async function firstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

/**
 * A password from the terminal (asked twice when `confirm`, as etcdctl does for a new one), or
 * else the first line of stdin.
 * @example const password = await passwordInput(io, 'Password of app: ', { confirm: true })
 */
export async function passwordInput(io: Io, prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  if (!canAsk(io)) return firstLine(io.stdin);
  const password = await askPassword(io, prompt);
  if (options.confirm && (await askPassword(io, `Type it again for confirmation: `)) !== password) throw new UsageError('the two passwords differ');
  return password;
}
