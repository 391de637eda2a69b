/**
 * examples/ui-sync.ts in a real browser: Debian's Chromium, headless, driven by playwright-core,
 * with one profile's tabs sharing one stream, against a real etcd member; plus the example's
 * HTTP API and its exit.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium, Page, Request } from 'playwright-core';
import { firstValueFrom } from 'rxjs';
import { freePorts } from '../../src/testing';
import { CliProcess } from '../cli/support/cli';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
// docs/ui-sync.png is this screenshot, refreshed with UPDATE_DOCS_SCREENSHOT=1; a plain run
// leaves the checkout untouched.
const SCREENSHOT =
  process.env.UPDATE_DOCS_SCREENSHOT === '1' ? path.join(ROOT, 'docs', 'ui-sync.png') : path.join(os.tmpdir(), `etcd-rx-ui-sync-${process.pid}.png`);

describe('examples/ui-sync.ts in Chromium', () => {
  const { cluster, client } = useClusterWithClients(1);
  let port = 0;
  let server: CliProcess | undefined;
  let context: BrowserContext | undefined;
  let profile = '';

  const startServer = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ETCD_SERVERS: cluster().endpoints.join(','), PORT: String(port) };
    delete env.ETCDCTL_ENDPOINTS;
    const started = new CliProcess(
      spawn(TSX, [path.join(ROOT, 'examples', 'ui-sync.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
    );
    server = started;
    await started.waitForStdout(new RegExp(`http://127\\.0\\.0\\.1:${port}\\b`), 'the server to listen');
    return started;
  };
  const base = () => `http://127.0.0.1:${port}`;
  const api = (method: string, query: string, body?: string) =>
    fetch(`${base()}/api/keys${query}`, { method, body, headers: { 'Content-Type': 'application/json' } });
  const valueOf = (page: Page, key: string) => page.locator(`tr[data-key="${key}"] td.value`);

  beforeAll(async () => {
    // The page's modules are files the build makes; a clone makes them here when they are stale.
    execFileSync('bash', [path.join(ROOT, 'scripts', 'build-browser.sh'), '--if-stale'], { stdio: 'inherit' });
    [port] = await freePorts(1);
    await startServer();
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 900, height: 520 },
    });
  }, 120_000);

  // Each test opens its own tabs; the profile's first tab stays so that the context stays open.
  afterEach(async () => {
    for (const page of (context as BrowserContext).pages().slice(1)) await page.close();
  });

  afterAll(async () => {
    await context?.close();
    await server?.kill();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('serves the API: writes and deletes under ui/ only, 403 outside, 400 for bad input, and keeps serving', async () => {
    const etcd = client();
    const written = await api('POST', '', '{"key":"ui/api","value":"v1"}');
    expect(written.status).toBe(200);
    const { revision } = (await written.json()) as { revision: number };
    expect((await firstValueFrom(etcd.get('ui/api'))).unwrap()).toMatchObject({ value: 'v1', modRevision: revision });
    expect((await api('POST', '', '{"key":"uiz/x","value":"y"}')).status).toBe(403);
    expect((await api('POST', '', '{"key":"other","value":"y"}')).status).toBe(403);
    for (const bad of ['{not json', '{"value":"y"}', '{"key":5,"value":"y"}', '{"key":"ui/x","value":3}', '{"key":"ui/x"}']) {
      expect((await api('POST', '', bad)).status).toBe(400);
    }
    await firstValueFrom(etcd.put('uiz/x', 'kept'));
    expect((await api('DELETE', '?key=uiz/x')).status).toBe(403);
    expect((await firstValueFrom(etcd.get('uiz/x'))).some).toBe(true);
    const deleted = await api('DELETE', '?key=ui/api');
    expect(deleted.status).toBe(200);
    expect((await firstValueFrom(etcd.get('ui/api'))).none).toBe(true);
    // The deletion's own revision: the next write is the one after it.
    const next = await firstValueFrom(etcd.put('not-ui/after', 'x'));
    expect(await deleted.json()).toEqual({ revision: next.revision - 1 });
    const events = await fetch(`${base()}/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(events.status).toBe(400);
    expect((await fetch(base())).status).toBe(200);
  });

  it("serves the page's modules as the build made them: etcd-rx/browser and rxjs, byte for byte", async () => {
    const built = path.join(ROOT, 'dist', 'esm');
    const files = [
      ['etcd-rx-browser.js', path.join(built, 'browser', 'index.js')],
      ['sync-state.js', path.join(built, 'browser', 'sync-state.js')],
      ['rxjs.js', path.join(built, 'rxjs.js')],
    ];
    for (const [name, file] of files) {
      const served = await fetch(`${base()}/${name}`);
      expect(served.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await served.text()).toBe(fs.readFileSync(file, 'utf8'));
    }
    expect(fs.readFileSync(path.join(built, 'rxjs.js'), 'utf8')).toMatch(/^\/\/ rxjs [\d.]+ as an ES module/);
  });

  it('two pages show the same live state: a write through a page, one through the library, a deletion, a server restart', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('ui/greeting', 'hello'));
    await firstValueFrom(etcd.put('ui/theme', 'light'));
    const pages = [await (context as BrowserContext).newPage(), await (context as BrowserContext).newPage()];
    await Promise.all(pages.map((page) => page.goto(base())));
    for (const page of pages) await expectText(valueOf(page, 'ui/greeting'), 'hello');

    // A write typed into the first page.
    await pages[0].locator('tr[data-key="ui/theme"] input[name="value"]').fill('dark');
    await pages[0].locator('tr[data-key="ui/theme"] button', { hasText: 'Save' }).click();
    for (const page of pages) await expectText(valueOf(page, 'ui/theme'), 'dark');
    expect((await firstValueFrom(etcd.get('ui/theme'))).unwrap().value).toBe('dark');

    // A key added through the library.
    await firstValueFrom(etcd.put('ui/banner', 'Maintenance at 18:00'));
    for (const page of pages) await expectText(valueOf(page, 'ui/banner'), 'Maintenance at 18:00');

    // A deletion through the second page.
    await pages[1].locator('tr[data-key="ui/greeting"] button.delete').click();
    for (const page of pages) await page.locator('tr[data-key="ui/greeting"]').waitFor({ state: 'detached' });
    expect((await firstValueFrom(etcd.get('ui/greeting'))).none).toBe(true);

    // The browser module itself, beside the page's own use of it: what it emits across a restart.
    // (Source text, so that it reaches the page as written rather than compiled for Node.)
    await pages[1].evaluate(`import('/etcd-rx-browser.js').then(({ syncState }) => {
      window.seen = [];
      syncState('/events', { retryDelayMs: 200 }).subscribe((s) => seen.push({ revision: s.revision, snapshot: s.snapshot, synced: s.synced, keys: [...s.entries.keys()] }));
    })`);
    await waitInPage(pages[1], 'seen.some((s) => s.synced)');

    // SIGTERM ends the server at once; the same port serves again right away.
    server?.signal('SIGTERM');
    expect(await server?.exited).toEqual({ code: 0, signal: null });
    const written = await firstValueFrom(etcd.put('ui/while-away', 'written while the server was down'));
    await startServer();
    for (const page of pages) await expectText(valueOf(page, 'ui/while-away'), 'written while the server was down');
    await waitInPage(pages[1], `seen.some((s) => s.revision === ${written.revision} && s.synced)`);
    const seen = (await pages[1].evaluate('seen')) as { revision: number; snapshot: boolean; synced: boolean; keys: string[] }[];
    // Resumed by revision: the change, not a second snapshot; then synced at that revision.
    expect(seen.filter((s) => s.snapshot)).toHaveLength(1);
    const change = seen.find((s) => s.revision === written.revision) as { keys: string[] };
    expect(change.keys.sort()).toEqual(['ui/banner', 'ui/theme', 'ui/while-away']);
    // Unsynced from the loss on (whichever tab held the stream), until the synced after the replay.
    const lost = seen.findIndex((s) => !s.synced && !s.snapshot);
    expect(seen[lost].revision).toBeLessThan(written.revision);
    expect(seen.slice(lost).map((s) => [s.revision, s.synced])).toEqual([
      [seen[lost].revision, false],
      [written.revision, false],
      [written.revision, true],
    ]);

    await pages[0].locator('#status').filter({ hasText: 'live at revision' }).waitFor();
    await pages[0].screenshot({ path: SCREENSHOT });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(1000);
    if (process.env.UPDATE_DOCS_SCREENSHOT !== '1') fs.rmSync(SCREENSHOT);
  });

  /** Opens `count` tabs of the profile on the page, each once its state is synced. */
  const openTabs = async (count: number): Promise<Page[]> => {
    const tabs: Page[] = [];
    for (let i = 0; i < count; i++) tabs.push(await (context as BrowserContext).newPage());
    await Promise.all(tabs.map((tab) => tab.goto(base())));
    for (const tab of tabs) await tab.locator('#status').filter({ hasText: 'live at revision' }).waitFor({ timeout: 20_000 });
    return tabs;
  };
  /**
   * Records, in the tab, every change the page's store emits from now on ("revision type key"),
   * and every turn of its synced flag.
   */
  const recordChanges = (tab: Page) =>
    tab.evaluate(
      `window.changes = []; window.syncedTurns = [];
      store.states.subscribe((s) => {
        if (!s.snapshot) for (const c of s.changes) changes.push(s.revision + ' ' + c.type + ' ' + c.key);
        if (s.synced !== (syncedTurns.at(-1) ?? true)) syncedTurns.push(s.synced);
      }); 0`,
    );
  const holders = async (tabs: Page[]) => {
    const roles = await Promise.all(tabs.map((tab) => tab.evaluate('document.documentElement.dataset.role')));
    return tabs.filter((_, i) => roles[i] === 'holder');
  };

  it('keys the transform hides never reach the page: not created, changed or deleted while hidden; shown → hidden removes, hidden → shown adds', async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('ui/private/listed', 'kept on the server'));
    const [tab] = await openTabs(1);
    expect(await tab.evaluate('[...store.current.entries.keys()].filter((k) => k.includes("private"))')).toEqual([]);
    await recordChanges(tab);
    const revisions: number[] = [];
    const write = async (key: string, value?: string) => {
      revisions.push(value === undefined ? (await firstValueFrom(etcd.delete(key))).header.revision : (await firstValueFrom(etcd.put(key, value))).revision);
    };
    await write('ui/private/new', 'created hidden');
    await write('ui/private/new', 'changed hidden');
    await write('ui/private/new');
    await write('ui/private/listed');
    await write('ui/moving', 'private: hidden at first');
    await write('ui/moving', 'shown'); // hidden → shown
    await write('ui/moving', 'private: hidden again'); // shown → hidden
    await write('ui/moving', 'private: still hidden');
    await write('ui/moving');
    await write('ui/marker', 'end');
    await expectText(valueOf(tab, 'ui/marker'), 'end');
    expect(await tab.evaluate('changes')).toEqual([`${revisions[5]} put ui/moving`, `${revisions[6]} delete ui/moving`, `${revisions[9]} put ui/marker`]);
    expect(await tab.content()).not.toContain('private');
  });

  it('10 tabs of one profile share one stream: all live, a change shows in all, and after the holder closes the others go on with no gap or repeat', async () => {
    const etcd = client();
    // Every stream the profile opens, as the URL it asked for.
    const streams: string[] = [];
    const onRequest = (request: Request) => {
      if (new URL(request.url()).pathname === '/events') streams.push(request.url());
    };
    (context as BrowserContext).on('request', onRequest);
    try {
      const tabs = await openTabs(10);
      await waitFor(async () => (await holders(tabs)).length === 1, 'one holder among the tabs');
      expect(streams).toEqual([`${base()}/events`]);
      for (const tab of tabs) await recordChanges(tab);
      const first = await firstValueFrom(etcd.put('ui/tabs', 'one'));
      for (const tab of tabs) await expectText(valueOf(tab, 'ui/tabs'), 'one');

      const [holder] = await holders(tabs);
      await holder.close();
      const rest = tabs.filter((tab) => tab !== holder);
      // Written while the stream changes hands, then after.
      const second = await firstValueFrom(etcd.put('ui/tabs', 'two'));
      const third = await firstValueFrom(etcd.put('ui/tabs-also', 'x'));
      const fourth = await firstValueFrom(etcd.put('ui/tabs', 'three'));
      for (const tab of rest) await expectText(valueOf(tab, 'ui/tabs'), 'three');
      await waitFor(async () => (await holders(rest)).length === 1, 'a new holder');
      // One new stream, resuming after the last revision the tabs held.
      expect(streams).toEqual([`${base()}/events`, `${base()}/events?lastEventId=${first.revision}`]);
      const expected = [
        `${first.revision} put ui/tabs`,
        `${second.revision} put ui/tabs`,
        `${third.revision} put ui/tabs-also`,
        `${fourth.revision} put ui/tabs`,
      ];
      for (const tab of rest) await tab.locator('#status').filter({ hasText: 'live at revision' }).waitFor();
      for (const tab of rest) expect(await tab.evaluate('changes')).toEqual(expected);
      // Each tab was told it might be behind while the stream changed hands, then that it caught up.
      for (const tab of rest) expect(await tab.evaluate('syncedTurns')).toEqual([false, true]);
    } finally {
      (context as BrowserContext).off('request', onRequest);
    }
  });

  it("read-your-writes: a page's write shows at once, is confirmed at its revision, and a refused one is rolled back", async () => {
    const etcd = client();
    await firstValueFrom(etcd.put('ui/color', 'red'));
    const [tab, other] = await openTabs(2);
    // Hold the page's write until the test has seen it on screen.
    let release = await holdApi(tab);
    await tab.locator('tr[data-key="ui/color"] input[name="value"]').fill('blue');
    await tab.locator('tr[data-key="ui/color"] button', { hasText: 'Save' }).click();
    await tab.locator('tr.pending[data-key="ui/color"]').waitFor();
    expect(await valueOf(tab, 'ui/color').textContent()).toBe('blue');
    expect((await firstValueFrom(etcd.get('ui/color'))).unwrap().value).toBe('red');
    expect(await valueOf(other, 'ui/color').textContent()).toBe('red');
    release();
    await waitInPage(tab, 'document.body.dataset.confirmed !== undefined');
    const confirmed = Number(await tab.evaluate('document.body.dataset.confirmed'));
    expect((await firstValueFrom(etcd.get('ui/color'))).unwrap()).toMatchObject({ value: 'blue', modRevision: confirmed });
    expect(await tab.locator('tr.pending').count()).toBe(0);
    expect(await valueOf(tab, 'ui/color').textContent()).toBe('blue');
    await expectText(valueOf(other, 'ui/color'), 'blue');
    // The browser API waits for a revision: at once for one already held...
    expect(await tab.evaluate(`store.waitForRevision(${confirmed}).then((s) => s.entries.get('ui/color'))`)).toBe('blue');
    // ...and, for one to come, until the state includes it.
    await tab.evaluate(
      `window.waited = undefined; store.waitForRevision(store.current.revision + 1).then((s) => (waited = { revision: s.revision, color: s.entries.get('ui/color') })); 0`,
    );
    expect(await tab.evaluate('waited')).toBeUndefined();
    const later = await firstValueFrom(etcd.put('ui/color', 'green'));
    await waitInPage(tab, 'waited !== undefined');
    expect(await tab.evaluate('waited')).toEqual({ revision: later.revision, color: 'green' });

    // A change to a key the page shows, refused by the server (400): shown at once, then the server's value again.
    release = await holdApi(tab);
    await tab.evaluate(
      `window.refused = undefined;
      store
        .write({ type: 'put', key: 'ui/color', value: 'purple' }, async () => {
          const r = await fetch('/api/keys', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"key":"ui/color","value":7}' });
          if (!r.ok) throw new Error(r.status + ' ' + (await r.text()).trim());
          return (await r.json()).revision;
        })
        .catch((e) => (refused = e.message)); 0`,
    );
    await tab.locator('tr.pending[data-key="ui/color"]').waitFor();
    expect(await valueOf(tab, 'ui/color').textContent()).toBe('purple');
    release();
    await waitInPage(tab, 'refused !== undefined');
    expect(await tab.evaluate('refused')).toBe('400 key and value must both be strings');
    await expectText(valueOf(tab, 'ui/color'), 'green');
    expect(await tab.locator('tr.pending').count()).toBe(0);
    expect((await firstValueFrom(etcd.get('ui/color'))).unwrap().value).toBe('green');

    // A key outside ui/, through the page's form: shown at once, refused by the server (403), rolled back.
    release = await holdApi(tab);
    await tab.locator('#add input[name="key"]').fill('elsewhere/x');
    await tab.locator('#add input[name="value"]').fill('nope');
    await tab.locator('#add button').click();
    await tab.locator('tr.pending[data-key="elsewhere/x"]').waitFor();
    release();
    await tab.locator('tr[data-key="elsewhere/x"]').waitFor({ state: 'detached' });
    await tab.locator('#status').filter({ hasText: 'refused: only keys under ui/ may be changed here' }).waitFor();
    expect((await firstValueFrom(etcd.get('elsewhere/x'))).none).toBe(true);
    expect(await valueOf(other, 'ui/color').textContent()).toBe('green');
  });
});

/** Holds the page's requests to its API until the returned function is called. */
async function holdApi(page: Page): Promise<() => void> {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  // The requests an earlier hold let through are on their way: this one replaces it.
  await page.unrouteAll({ behavior: 'wait' });
  await page.route('**/api/keys*', async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor({ timeout: 20_000 });
  expect(await locator.textContent()).toBe(text);
}

async function waitInPage(page: Page, condition: string): Promise<void> {
  await page.waitForFunction(condition, undefined, { timeout: 20_000 });
}
