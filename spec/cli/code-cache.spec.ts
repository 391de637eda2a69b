/**
 * The executable keeps a V8 code cache of the bundle per command word, where Node keeps its
 * compile cache: made by a command's first run, read by the later ones, made anew when V8
 * refuses it, and never made under NODE_DISABLE_COMPILE_CACHE. A cache is only ever a speed-up:
 * the commands print the same with or without one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { useCluster } from '../support/cluster';
import { useCli } from './support/cli';

describe('the CLI code cache', () => {
  const cluster = useCluster(1);
  const cli = useCli(cluster);

  const cacheDir = () => path.dirname(cli.tempFile('cache'));
  const caches = (dir: string) => (fs.existsSync(path.join(dir, 'etcd-rx')) ? fs.readdirSync(path.join(dir, 'etcd-rx')).sort() : []);

  beforeAll(async () => {
    expect((await cli.run(['put', 'cache/k', 'v'])).code).toBe(0);
  });

  it('is made by the first run of a command and read by the next', async () => {
    const dir = cacheDir();
    const env = { NODE_COMPILE_CACHE: dir };
    expect(await cli.run(['get', 'cache/k'], { env })).toEqual({ code: 0, signal: null, stdout: 'cache/k\nv\n', stderr: '' });
    expect(caches(dir)).toEqual([expect.stringMatching(/-get\.cache$/)]);
    const file = path.join(dir, 'etcd-rx', caches(dir)[0]);
    const made = fs.readFileSync(file);
    expect(await cli.run(['get', 'cache/k'], { env })).toEqual({ code: 0, signal: null, stdout: 'cache/k\nv\n', stderr: '' });
    // A cache V8 took is left as it is.
    expect(fs.readFileSync(file).equals(made)).toBe(true);
    expect((await cli.run(['-w', 'json', 'put', 'cache/k', 'v'], { env })).code).toBe(0);
    expect(caches(dir)).toEqual([expect.stringMatching(/-get\.cache$/), expect.stringMatching(/-json\.cache$/)]);
  });

  it('is made anew when V8 refuses it, and the command runs as without one', async () => {
    const dir = cacheDir();
    const env = { NODE_COMPILE_CACHE: dir };
    expect((await cli.run(['get', 'cache/k'], { env })).code).toBe(0);
    const file = path.join(dir, 'etcd-rx', caches(dir)[0]);
    fs.writeFileSync(file, 'not a code cache');
    expect(await cli.run(['get', 'cache/k'], { env })).toEqual({ code: 0, signal: null, stdout: 'cache/k\nv\n', stderr: '' });
    expect(fs.readFileSync(file, 'latin1')).not.toBe('not a code cache');
  });

  it('is neither read nor made under NODE_DISABLE_COMPILE_CACHE', async () => {
    const dir = cacheDir();
    const result = await cli.run(['get', 'cache/k'], { env: { NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: '1' } });
    expect([result.code, result.stdout]).toEqual([0, 'cache/k\nv\n']);
    expect(caches(dir)).toEqual([]);
  });

  it("is read only when it is the user's own file, and made anew otherwise", async () => {
    const dir = cacheDir();
    const env = { NODE_COMPILE_CACHE: dir };
    expect((await cli.run(['get', 'cache/k'], { env })).code).toBe(0);
    const file = path.join(dir, 'etcd-rx', caches(dir)[0]);
    const uid = process.getuid?.();
    // Handing a file to another user takes root (as the tests run in their container); elsewhere
    // the cache stays the user's and this only checks that it is read.
    const handedOver = uid === 0;
    if (handedOver) fs.chownSync(file, 4242, 4242);
    expect(await cli.run(['get', 'cache/k'], { env })).toEqual({ code: 0, signal: null, stdout: 'cache/k\nv\n', stderr: '' });
    expect(fs.statSync(file).uid).toBe(handedOver ? uid : fs.statSync(dir).uid);
  });

  it('is not needed: an unwritable place for it costs nothing but the time', async () => {
    const notADir = cli.tempFile('a-file');
    fs.writeFileSync(notADir, '');
    expect(await cli.run(['get', 'cache/k'], { env: { NODE_COMPILE_CACHE: notADir } })).toEqual({ code: 0, signal: null, stdout: 'cache/k\nv\n', stderr: '' });
  });
});
