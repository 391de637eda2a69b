/**
 * examples/ui-sync.ts in a real browser: Debian's Chromium, headless, driven by playwright-core,
 * on two pages at once, against a real etcd member; plus the example's HTTP API and its exit.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { firstValueFrom } from 'rxjs';
import { freePorts } from '../../src/testing';
import { CliProcess } from '../cli/support/cli';
import { useClusterWithClients } from '../support/cluster';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const SCREENSHOT = path.join(ROOT, 'docs', 'ui-sync.png');

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

  afterAll(async () => {
    await context?.close();
    await server?.kill();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('serves the API: writes and deletes under ui/ only, 403 outside, 400 for bad input, and keeps serving', async () => {
    const etcd = client();
    expect((await api('POST', '', '{"key":"ui/api","value":"v1"}')).status).toBe(200);
    expect((await firstValueFrom(etcd.get('ui/api'))).unwrap().value).toBe('v1');
    expect((await api('POST', '', '{"key":"uiz/x","value":"y"}')).status).toBe(403);
    expect((await api('POST', '', '{"key":"other","value":"y"}')).status).toBe(403);
    for (const bad of ['{not json', '{"value":"y"}', '{"key":5,"value":"y"}', '{"key":"ui/x","value":3}', '{"key":"ui/x"}']) {
      expect((await api('POST', '', bad)).status).toBe(400);
    }
    await firstValueFrom(etcd.put('uiz/x', 'kept'));
    expect((await api('DELETE', '?key=uiz/x')).status).toBe(403);
    expect((await firstValueFrom(etcd.get('uiz/x'))).some).toBe(true);
    expect((await api('DELETE', '?key=ui/api')).status).toBe(200);
    expect((await firstValueFrom(etcd.get('ui/api'))).none).toBe(true);
    const events = await fetch(`${base()}/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(events.status).toBe(400);
    expect((await fetch(base())).status).toBe(200);
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
      syncState('/events', { retryDelayMs: 200 }).subscribe((s) => seen.push({ revision: s.revision, snapshot: s.snapshot, keys: [...s.entries.keys()] }));
    })`);
    await waitInPage(pages[1], 'seen.length === 1');

    // SIGTERM ends the server at once; the same port serves again right away.
    server?.signal('SIGTERM');
    expect(await server?.exited).toEqual({ code: 0, signal: null });
    const written = await firstValueFrom(etcd.put('ui/while-away', 'written while the server was down'));
    await startServer();
    for (const page of pages) await expectText(valueOf(page, 'ui/while-away'), 'written while the server was down');
    await waitInPage(pages[1], `seen.some((s) => s.revision === ${written.revision})`);
    const seen = (await pages[1].evaluate('seen')) as { revision: number; snapshot: boolean; keys: string[] }[];
    // Resumed by revision: the change, not a second snapshot.
    expect(seen.map((s) => s.snapshot)).toEqual([true, false]);
    expect(seen[1].keys.sort()).toEqual(['ui/banner', 'ui/theme', 'ui/while-away']);

    await pages[0].locator('#status').filter({ hasText: 'live at revision' }).waitFor();
    await pages[0].screenshot({ path: SCREENSHOT });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(1000);
  });
});

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor({ timeout: 20_000 });
  expect(await locator.textContent()).toBe(text);
}

async function waitInPage(page: Page, condition: string): Promise<void> {
  await page.waitForFunction(condition, undefined, { timeout: 20_000 });
}
