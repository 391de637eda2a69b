/**
 * UI state sync: every key under `ui/` live in the browser, editable, over Server-Sent Events.
 *
 *   ETCD_SERVERS=http://127.0.0.1:2379 PORT=8080 npx tsx examples/ui-sync.ts
 *
 * Open the printed address in several tabs: they share one stream, an edit in one appears in
 * all (at once in the tab that made it), and so does a key written with `etcdctl put ui/greeting
 * hi`. Keys under `ui/private/`, and values starting with `private:`, never reach a browser.
 * Restart the server and the pages recover by themselves, resuming after the last revision they
 * saw. Without ETCD_SERVERS it starts a throwaway local etcd (with two keys to begin with).
 * Ctrl-C or SIGTERM stops it at once. (In a clone, `npm run build:browser` first.)
 *
 * Routes: GET / (the page), GET /events (the stream of `ui/`, see etcd-rx/sse), POST /api/keys
 * with JSON {"key":"ui/x","value":"y"}, DELETE /api/keys?key=ui/x; both answer {"revision":R}.
 * Keys outside `ui/` get 403.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { firstValueFrom } from 'rxjs';
import { Etcd, KeyValue } from 'etcd-rx';
import { browserModules, sseHandler } from 'etcd-rx/sse';
import { onInterrupt, runExample } from './run-example';

const PREFIX = 'ui/';
const MAX_BODY_BYTES = 64 * 1024;

/** What browsers may see of a key: nothing of private ones, not even their names. */
function visible(kv: KeyValue): string | undefined {
  return kv.key.startsWith(`${PREFIX}private/`) || kv.value.startsWith('private:') ? undefined : kv.value;
}

/** A request the API refuses, with the status that says why. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function keyUnderPrefix(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new Refusal(400, 'key must be a non-empty string');
  if (!key.startsWith(PREFIX) || key.length === PREFIX.length) throw new Refusal(403, `only keys under ${PREFIX} may be changed here`);
  return key;
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_BODY_BYTES) throw new Refusal(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new Refusal(400, 'the body must be JSON: {"key":"ui/x","value":"y"}');
  }
}

/** POST /api/keys and DELETE /api/keys?key=: writes under `ui/`, answering with the revision. */
async function changeKey(etcd: Etcd, request: http.IncomingMessage, url: URL): Promise<{ revision: number }> {
  if (request.method === 'POST') {
    const body = await readJson(request);
    const { key, value } = (typeof body === 'object' && body !== null ? body : {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || typeof value !== 'string') throw new Refusal(400, 'key and value must both be strings');
    return { revision: (await firstValueFrom(etcd.put(keyUnderPrefix(key), value))).revision };
  }
  if (request.method === 'DELETE') {
    const { header } = await firstValueFrom(etcd.delete(keyUnderPrefix(url.searchParams.get('key') ?? '')));
    return { revision: header.revision };
  }
  throw new Refusal(405, 'use POST or DELETE');
}

function send(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-cache' }).end(body);
}

runExample(async (etcd, startedLocally) => {
  if (startedLocally) {
    await firstValueFrom(etcd.put(`${PREFIX}greeting`, 'hello'));
    await firstValueFrom(etcd.put(`${PREFIX}theme`, 'light'));
  }
  const events = sseHandler(etcd, { select: () => ({ prefix: PREFIX }), transform: visible });
  const scripts = browserModules();
  const page = pageHtml();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const script = scripts.get(url.pathname.slice(1));
    if (url.pathname === '/events') return events(request, response);
    if (request.method === 'GET' && url.pathname === '/') return send(response, 200, 'text/html', page);
    if (request.method === 'GET' && script !== undefined) return send(response, 200, 'text/javascript', script);
    if (url.pathname !== '/api/keys') return send(response, 404, 'text/plain', 'not found\n');
    changeKey(etcd, request, url).then(
      (result) => send(response, 200, 'application/json', JSON.stringify(result)),
      (error: unknown) =>
        error instanceof Refusal
          ? send(response, error.status, 'text/plain', `${error.message}\n`)
          : send(response, 503, 'text/plain', `etcd: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(process.env.PORT || 8080), '127.0.0.1', resolve);
  });
  console.log(`ui-sync: serving the keys under ${PREFIX} at http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await new Promise<void>((resolve) => onInterrupt(resolve));
  // Streams never end by themselves: end them, and every other connection, so the port is free at once.
  events.close();
  server.closeAllConnections();
  server.close();
});

/** The page: plain HTML and one module script, with etcd-rx/browser and rxjs served beside it. */
function pageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>etcd-rx · ui/</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1d232a; background: #f6f7f9; }
  h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
  #status { color: #5b6570; margin-top: 0; }
  table { width: 100%; border-collapse: collapse; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 3px #0002; }
  th, td { text-align: left; padding: 0.5rem 0.75rem; border-bottom: 1px solid #e6e8eb; }
  th { font-family: ui-monospace, monospace; font-weight: 600; white-space: nowrap; }
  td.value { font-family: ui-monospace, monospace; word-break: break-all; width: 40%; }
  tr.fresh td.value { animation: flash 1s ease-out; }
  tr.pending td.value { color: #8a94a0; font-style: italic; }
  @keyframes flash { from { background: #fff3b0; } to { background: transparent; } }
  input { font: inherit; padding: 0.2rem 0.4rem; border: 1px solid #c4cad1; border-radius: 4px; width: 10rem; }
  button { font: inherit; padding: 0.2rem 0.7rem; border: 0; border-radius: 4px; background: #2f6fde; color: #fff; cursor: pointer; }
  button.delete { background: #c8373a; }
  form#add, form.edit { display: flex; gap: 0.5rem; }
  form#add { margin-top: 1.2rem; }
  #empty { color: #5b6570; }
</style>
</head>
<body>
<h1>Keys under <code>${PREFIX}</code></h1>
<p id="status">connecting…</p>
<table id="keys"><tbody></tbody></table>
<p id="empty" hidden>No keys yet: add one below.</p>
<form id="add"><input name="key" value="${PREFIX}" aria-label="key"><input name="value" placeholder="value" aria-label="value"><button>Put</button></form>
<script type="importmap">{ "imports": { "rxjs": "/rxjs.js" } }</script>
<script type="module">
  import { syncStore } from '/etcd-rx-browser.js';
  // One stream for all the tabs of this page; the tab that holds it says so on <html data-role>.
  const store = syncStore('/events', { onRole: (role) => (document.documentElement.dataset.role = role) });
  window.store = store; // for the console
  const rows = document.querySelector('#keys tbody');
  const status = document.querySelector('#status');
  const request = (method, query, body) => async () => {
    const r = await fetch('/api/keys' + query, { method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
    if (!r.ok) throw new Error(await r.text());
    return (await r.json()).revision;
  };
  // Shown at once; confirmed when the live state reaches the write's revision, undone if refused.
  const write = (change, send) =>
    store.write(change, send).then(
      (state) => (document.body.dataset.confirmed = String(state.revision)),
      (e) => (status.textContent = 'refused: ' + e.message.trim()),
    );
  const put = (key, value) => write({ type: 'put', key, value }, request('POST', '', { key, value }));
  const remove = (key) => write({ type: 'delete', key }, request('DELETE', '?key=' + encodeURIComponent(key)));

  function row(key) {
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    tr.innerHTML = '<th></th><td class="value"></td><td><form class="edit"><input name="value" placeholder="new value" aria-label="new value"> <button>Save</button></form></td><td><button class="delete">Delete</button></td>';
    tr.querySelector('th').textContent = key;
    tr.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      put(key, e.target.value.value);
      e.target.reset();
    });
    tr.querySelector('.delete').addEventListener('click', () => remove(key));
    return tr;
  }

  store.states.subscribe({
    next: ({ revision, entries, changes, synced, pending }) => {
      status.textContent = entries.size + ' key(s), ' + (synced ? 'live at revision ' : 'catching up, at revision ') + revision;
      for (const tr of [...rows.children]) if (!entries.has(tr.dataset.key)) tr.remove();
      const touched = new Set(changes.map((c) => c.key));
      for (const key of [...entries.keys()].sort()) {
        let tr = rows.querySelector('tr[data-key="' + CSS.escape(key) + '"]');
        if (!tr) {
          tr = row(key);
          rows.insertBefore(tr, [...rows.children].find((other) => other.dataset.key > key) ?? null);
        }
        tr.querySelector('.value').textContent = entries.get(key);
        tr.classList.toggle('fresh', touched.has(key));
        tr.classList.toggle('pending', pending.has(key));
      }
      document.querySelector('#empty').hidden = entries.size > 0;
    },
    error: (e) => (status.textContent = 'stopped: ' + e.message),
  });

  document.querySelector('#add').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.target;
    put(form.key.value, form.value.value);
    form.value.value = '';
  });
</script>
</body>
</html>
`;
}
