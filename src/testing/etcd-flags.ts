/**
 * Server flags that changed name between etcd versions. 3.6 renamed the `--experimental-*` flags
 * (`--experimental-watch-progress-notify-interval` became `--watch-progress-notify-interval`)
 * and 3.7 removed the old names; 3.4 and 3.5 know only the old ones. Rather than a table per
 * version, a flag is spelled the way the binary's own `--help` lists it.
 */
import { spawnSync } from 'child_process';

const EXPERIMENTAL = '--experimental-';
const helpTexts = new Map<string, string>();

/**
 * What `bin --help` prints (read once per binary).
 * @example etcdHelp('/usr/bin/etcd').includes('--experimental-watch-progress-notify-interval') // true on 3.4
 */
export function etcdHelp(bin: string): string {
  let help = helpTexts.get(bin);
  if (help === undefined) {
    const run = spawnSync(bin, ['--help'], { encoding: 'utf8', timeout: 10_000 });
    help = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    helpTexts.set(bin, help);
  }
  return help;
}

/**
 * The version `bin --version` reports, e.g. `3.5.30`; undefined when it says none.
 * @example etcdVersion('/usr/bin/etcd') // '3.4.23'
 */
export function etcdVersion(bin: string): string | undefined {
  const run = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return /etcd Version:\s*(\d+\.\d+\.\d+\S*)/.exec(`${run.stdout ?? ''}${run.stderr ?? ''}`)?.[1];
}

/**
 * `args` with every flag that `help` does not list, but lists under its other name (with or
 * without `--experimental-`), renamed to that name. Values and unknown flags stay as they are.
 * @example adaptFlags(['--experimental-watch-progress-notify-interval', '500ms'], help36) // ['--watch-progress-notify-interval', '500ms']
 */
export function adaptFlags(args: readonly string[], help: string): string[] {
  const listed = (flag: string) => new RegExp(`(^|\\s)${flag.replace(/[-]/g, '\\-')}(\\s|=|$)`, 'm').test(help);
  return args.map((arg) => {
    if (!arg.startsWith('--')) return arg;
    const [flag, ...value] = arg.split('=');
    if (listed(flag)) return arg;
    const other = flag.startsWith(EXPERIMENTAL) ? `--${flag.slice(EXPERIMENTAL.length)}` : `${EXPERIMENTAL}${flag.slice(2)}`;
    return listed(other) ? [other, ...value].join('=') : arg;
  });
}
