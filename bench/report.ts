/** Renders the benchmark's measurements as the markdown of bench/RESULTS.md. */
import { median, PhaseResult } from './phase';

/**
 * The clients measured: `bare` is one `http.request` (the wire's limit), `fetch` the same call
 * through node-fetch (the floor of a node-fetch client), `rx` etcd-rx.
 */
export const CLIENTS = ['bare', 'fetch', 'rx'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** The measurements of one (operation, concurrency) cell: one result per round for each client. */
export interface Cell {
  readonly operation: string;
  readonly concurrency: number;
  readonly results: Record<ClientName, PhaseResult[]>;
}

/** Where and how the run was made. */
export interface RunInfo {
  readonly date: string;
  readonly node: string;
  readonly cpus: string;
  readonly etcdVersion: string;
  readonly command: string;
  readonly rounds: number;
  readonly phaseMs: number;
  readonly warmupMs: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

/** The ratio etcd-rx must keep to the bare call's throughput. */
export const TARGET_RATIO = 0.9;

/**
 * One line of summary for the console.
 * @example console.log(summarize(cell)) // "put  c=16  bare 5600/s 67 µs/op | node-fetch … | etcd-rx … | ratio 0.95"
 */
export function summarize(cell: Cell): string {
  const s = stats(cell);
  const client = (name: string, c: ClientStats) => `${name} ${fmt(c.ops)}/s ${fmt(c.cpu)} µs/op`;
  return (
    `${cell.operation.padEnd(4)} c=${String(cell.concurrency).padEnd(3)} ` +
    `${client('bare', s.bare)} | ${client('node-fetch', s.fetch)} | ${client('etcd-rx', s.rx)} | ` +
    `ratio ${ratio(s.rx.ops, s.bare.ops)} (to node-fetch ${ratio(s.rx.ops, s.fetch.ops)})`
  );
}

/**
 * The whole RESULTS.md.
 * @example fs.writeFileSync('bench/RESULTS.md', renderResults(info, cells))
 */
export function renderResults(info: RunInfo, cells: readonly Cell[]): string {
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`${info.command}\` on ${info.date}.`,
    '',
    `- Machine: ${info.cpus}; Node ${info.node}; load average ${info.loadBefore} before, ${info.loadAfter} after`,
    `- etcd ${info.etcdVersion}, one member on loopback, started by the test harness (client and server share the cores)`,
    '- Clients: **bare** is one `http.request` over a keep-alive agent (the wire\'s limit); **node-fetch** is the same ' +
      'call through node-fetch with an AbortSignal, as etcd-rx makes it (the floor of any node-fetch client); ' +
      '**etcd-rx** is `etcd.put()` / `etcd.get()` with failover, timeout, abort and typed decoding',
    `- ${info.rounds} rounds per cell, the clients alternating (their order reversed every round), ` +
      `${info.phaseMs} ms closed-loop phases after a ${info.warmupMs} ms warm-up of each`,
    '- Medians over the rounds. CPU is user + system time per operation: the client is this process ' +
      '(`process.cpuUsage()`), the server is etcd (`/proc/<pid>/stat`, 10 ms ticks).',
    `- Target: etcd-rx throughput at least ${TARGET_RATIO} of the bare call's at every concurrency.`,
    '',
  ];
  for (const operation of [...new Set(cells.map((c) => c.operation))]) {
    lines.push(
      `## ${operation}`,
      '',
      '| concurrency | ops/s: bare, node-fetch, etcd-rx | etcd-rx / bare | etcd-rx / node-fetch | client CPU µs/op: bare, node-fetch, etcd-rx | etcd CPU µs/op: bare, node-fetch, etcd-rx |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const cell of cells.filter((c) => c.operation === operation)) {
      const s = stats(cell);
      const mark = s.rx.ops / s.bare.ops < TARGET_RATIO ? ' ✗' : ' ✓';
      const each = (pick: (c: ClientStats) => number) => CLIENTS.map((client) => fmt(pick(s[client]))).join(', ');
      lines.push(
        `| ${cell.concurrency} | ${each((c) => c.ops)} | ${ratio(s.rx.ops, s.bare.ops)}${mark} | ${ratio(s.rx.ops, s.fetch.ops)} | ` +
          `${each((c) => c.cpu)} | ${each((c) => c.server)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Every round (ops/s: bare, node-fetch, etcd-rx)', '');
  for (const cell of cells) {
    const rounds = cell.results.bare.map((_, i) => CLIENTS.map((client) => fmt(cell.results[client][i].opsPerSecond)).join(', ')).join('; ');
    lines.push(`- ${cell.operation} c=${cell.concurrency}: ${rounds}`);
  }
  lines.push('');
  return lines.join('\n');
}

interface ClientStats {
  readonly ops: number;
  readonly cpu: number;
  readonly server: number;
}

function stats(cell: Cell): Record<ClientName, ClientStats> {
  const of = (results: readonly PhaseResult[]): ClientStats => ({
    ops: median(results.map((r) => r.opsPerSecond)),
    cpu: median(results.map((r) => r.cpuUsPerOp)),
    server: median(results.map((r) => r.serverCpuUsPerOp)),
  });
  return { bare: of(cell.results.bare), fetch: of(cell.results.fetch), rx: of(cell.results.rx) };
}

function ratio(a: number, b: number): string {
  return (a / b).toFixed(2);
}

function fmt(n: number): string {
  return Number.isNaN(n) ? '?' : n >= 100 ? Math.round(n).toString() : n.toFixed(1);
}
