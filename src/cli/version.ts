/** The version of etcd-rx, from its package.json. */
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

/**
 * The version in the package.json of etcd-rx, found by going up from this file: the compiled CLI
 * is in dist/cli when installed, elsewhere when built for the tests, so no fixed path fits.
 * @example packageVersion() // '0.1.0'
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const found = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (found.name === 'etcd-rx' && typeof found.version === 'string') return found.version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of etcd-rx above ${from}`);
  }
}
