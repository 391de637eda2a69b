/** Renders the benchmark's measurements as the markdown of bench/RESULTS.md. */
import { ClientName, CLIENTS, KvOperation } from './clients';
import { median, PhaseResult } from './phase';

/** The measurements of one (operation, concurrency) cell: one result per round for each client. */
export interface Cell {
  readonly operation: KvOperation;
  readonly concurrency: number;
  readonly results: Record<ClientName, PhaseResult[]>;
}

/** Medians over the rounds of one client in one cell. */
export interface ClientStats {
  readonly ops: number;
  readonly cpu: number;
  readonly server: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * The medians of each client in a cell.
 * @example stats(cell).rx.ops / stats(cell).etcd3.ops
 */
export function stats(cell: Cell): Record<ClientName, ClientStats> {
  const of = (results: readonly PhaseResult[]): ClientStats => ({
    ops: median(results.map((r) => r.opsPerSecond)),
    cpu: median(results.map((r) => r.cpuUsPerOp)),
    server: median(results.map((r) => r.serverCpuUsPerOp)),
    p50: median(results.map((r) => r.p50Ms)),
    p99: median(results.map((r) => r.p99Ms)),
  });
  return Object.fromEntries(CLIENTS.map((client) => [client, of(cell.results[client])])) as Record<ClientName, ClientStats>;
}

/** How the tables name each operation. */
export const OPERATION_NAMES: Record<KvOperation, string> = {
  get: 'get',
  put: 'put',
  cas: 'compare-and-set',
  listing: 'one listing of 5,000 keys × 256 B',
};

const NAMES: Record<ClientName, string> = { bare: 'bare', fetch: 'node-fetch', etcd3: 'etcd3', rx: 'etcd-rx', 'rx-off': 'etcd-rx, coalescing off' };

/**
 * One line of summary for the console.
 * @example console.log(summarize(cell)) // "get  c=16  bare 5600/s … | etcd-rx / etcd3 1.80"
 */
export function summarize(cell: Cell): string {
  const s = stats(cell);
  return (
    `${cell.operation.padEnd(7)} c=${String(cell.concurrency).padEnd(3)} ` +
    CLIENTS.map((client) => `${NAMES[client]} ${fmt(s[client].ops)}/s ${fmt(s[client].cpu)} µs`).join(' | ') +
    ` | etcd-rx / bare ${ratio(s.rx.ops, s.bare.ops)}, / etcd3 ${ratio(s.rx.ops, s.etcd3.ops)}`
  );
}

/** A markdown table. */
export interface Table {
  readonly title: string;
  readonly note?: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * The throughput table and the latency and CPU table of one operation.
 * @example kvTables('get', cells.filter((c) => c.operation === 'get'))
 */
export function kvTables(operation: KvOperation, cells: readonly Cell[]): Table[] {
  const each = (s: Record<ClientName, ClientStats>, pick: (c: ClientStats) => number) => CLIENTS.map((client) => fmt(pick(s[client])));
  const throughput = cells.map((cell) => {
    const s = stats(cell);
    return [String(cell.concurrency), ...each(s, (c) => c.ops), ratio(s.rx.ops, s.bare.ops), ratio(s.rx.ops, s.etcd3.ops), ratio(s['rx-off'].ops, s.etcd3.ops)];
  });
  const costs = cells.map((cell) => {
    const s = stats(cell);
    return [
      String(cell.concurrency),
      ...CLIENTS.map((client) => `${fmt(s[client].p50)} / ${fmt(s[client].p99)}`),
      ...each(s, (c) => c.cpu),
      ratio(s.rx.cpu, s.etcd3.cpu),
      each(s, (c) => c.server).join(', '),
    ];
  });
  const names = CLIENTS.map((client) => NAMES[client]);
  return [
    {
      title: `${OPERATION_NAMES[operation]}: operations per second`,
      header: ['concurrency', ...names, 'etcd-rx / bare', 'etcd-rx / etcd3', 'etcd-rx, coalescing off / etcd3'],
      rows: throughput,
    },
    {
      title: `${OPERATION_NAMES[operation]}: latency (p50 / p99 ms) and CPU per operation (µs)`,
      header: [
        'concurrency',
        ...names.map((name) => `${name} p50 / p99`),
        ...names.map((name) => `${name} client CPU`),
        'client CPU etcd-rx / etcd3',
        `etcd CPU: ${names.join(', ')}`,
      ],
      rows: costs,
    },
  ];
}

/**
 * A table of measures (rows) by client (columns) with the etcd-rx / etcd3 ratio of each row.
 * @example measureTable('list', ['bare', 'etcd3', 'rx'], [['time (ms)', { bare: 900, etcd3: 1200, rx: 1100 }]])
 */
export function measureTable<C extends ClientName>(title: string, clients: readonly C[], rows: readonly [string, Record<C, number>][], note?: string): Table {
  return {
    title,
    note,
    header: ['measure', ...clients.map((client) => NAMES[client]), 'etcd-rx / etcd3'],
    rows: rows.map(([measure, values]) => [
      measure,
      ...clients.map((client) => fmt(values[client])),
      ratio((values as Record<string, number>).rx, (values as Record<string, number>).etcd3),
    ]),
  };
}

/** One target of the comparison with etcd3. */
export interface Target {
  readonly what: string;
  /** The measured ratio etcd-rx / etcd3. */
  readonly ratio: number;
  readonly bound: number;
  /** Whether the ratio must be at least (throughput) or at most (cost, time) the bound. */
  readonly atLeast: boolean;
}

/**
 * The targets table: every target, its bound, the measured ratio and whether it was met.
 * @example targetTable([{ what: 'get c=64 ops/s', ratio: 3.2, bound: 3, atLeast: true }])
 */
export function targetTable(targets: readonly Target[]): Table {
  return {
    title: 'Targets (etcd-rx with default options against the bare call or etcd3, same run)',
    header: ['target', 'bound', 'measured', 'met'],
    rows: targets.map((t) => {
      const met = t.atLeast ? t.ratio >= t.bound : t.ratio <= t.bound;
      return [t.what, `${t.atLeast ? '≥' : '≤'} ${t.bound.toFixed(2)}`, t.ratio.toFixed(2), met ? '✓' : '✗ missed'];
    }),
  };
}

/**
 * A table as markdown lines.
 * @example renderTable(targetTable(targets)).join('\n')
 */
export function renderTable(table: Table): string[] {
  const lines = [`## ${table.title}`, ''];
  if (table.note !== undefined) lines.push(table.note, '');
  lines.push(`| ${table.header.join(' | ')} |`, `| ${table.header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
  lines.push('');
  return lines;
}

/**
 * A ratio with two decimals.
 * @example ratio(3, 2) // '1.50'
 */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? (a / b).toFixed(2) : '?';
}

/**
 * A measurement: whole numbers from 100 up, one decimal below.
 * @example fmt(1234.5) // '1235'
 */
export function fmt(n: number): string {
  return Number.isNaN(n) ? '?' : Math.abs(n) >= 100 ? Math.round(n).toString() : n.toFixed(1);
}
