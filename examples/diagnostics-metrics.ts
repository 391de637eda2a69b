/**
 * Prometheus metrics from etcd-rx's diagnostics channels, with no dependency: a tiny exporter
 * that counts attempts by method, endpoint and outcome, times them in a histogram, counts
 * failovers and coalesced batches, and prints them in Prometheus' text exposition format (what a
 * `/metrics` endpoint would serve). Run with `npx tsx examples/diagnostics-metrics.ts`.
 *
 * It does some work against the cluster named by ETCD_SERVERS (or a throwaway local etcd), then
 * prints the metrics. See docs/observability.md for every channel and field.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { firstValueFrom, forkJoin } from 'rxjs';
import { CallEndMessage, CoalesceBatchMessage, DIAGNOSTICS_CHANNELS, FailoverMessage } from 'etcd-rx';
import { runExample } from './run-example';

// Upper bounds of the latency histogram, in seconds.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Labels = Record<string, string>;

/** Counters and histograms keyed by their labels, printed in the text exposition format. */
class Registry {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly histograms = new Map<string, { help: string; values: Map<string, { buckets: number[]; sum: number; count: number }> }>();

  count(name: string, help: string, labels: Labels, by = 1): void {
    const counter = this.counters.get(name) ?? { help, values: new Map() };
    this.counters.set(name, counter);
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  observe(name: string, help: string, labels: Labels, seconds: number): void {
    const histogram = this.histograms.get(name) ?? { help, values: new Map() };
    this.histograms.set(name, histogram);
    const key = labelText(labels);
    const series = histogram.values.get(key) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    histogram.values.set(key, series);
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) series.buckets[i]++;
    });
    series.sum += seconds;
    series.count++;
  }

  exposition(): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}{${labels}} ${value}`);
    }
    for (const [name, { help, values }] of this.histograms) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const [labels, series] of values) {
        const sep = labels === '' ? '' : ',';
        BUCKETS.forEach((bound, i) => lines.push(`${name}_bucket{${labels}${sep}le="${bound}"} ${series.buckets[i]}`));
        lines.push(
          `${name}_bucket{${labels}${sep}le="+Inf"} ${series.count}`,
          `${name}_sum{${labels}} ${series.sum}`,
          `${name}_count{${labels}} ${series.count}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
}

/** Feeds `registry` from the channels until the returned function is called. */
function exportMetrics(registry: Registry): () => void {
  const listeners: [string, (message: unknown) => void][] = [
    [
      DIAGNOSTICS_CHANNELS.callEnd,
      (message) => {
        const end = message as CallEndMessage;
        const outcome = end.cancelled ? 'cancelled' : end.error === undefined ? 'ok' : 'error';
        registry.count('etcd_rx_attempts_total', 'Attempts sent to etcd members.', { method: end.method, endpoint: end.endpoint, outcome });
        if (!end.streaming)
          registry.observe('etcd_rx_attempt_duration_seconds', 'How long unary attempts took.', { method: end.method }, end.durationMs / 1000);
      },
    ],
    [
      DIAGNOSTICS_CHANNELS.failover,
      (message) => {
        const { from, to } = message as FailoverMessage;
        registry.count('etcd_rx_failovers_total', 'Operations moved from one endpoint to another.', { from, to });
      },
    ],
    [
      DIAGNOSTICS_CHANNELS.coalesceBatch,
      (message) => {
        const { kind, size } = message as CoalesceBatchMessage;
        registry.count('etcd_rx_coalesced_batches_total', 'Batches of coalesced calls sent.', { kind });
        registry.count('etcd_rx_coalesced_requests_total', 'Requests sent inside coalesced batches.', { kind }, size);
      },
    ],
  ];
  for (const [name, listener] of listeners) subscribe(name, listener);
  return () => {
    for (const [name, listener] of listeners) unsubscribe(name, listener);
  };
}

runExample(async (etcd) => {
  const registry = new Registry();
  const stop = exportMetrics(registry);
  try {
    for (let i = 0; i < 20; i++) await firstValueFrom(etcd.put(`metrics/key-${i}`, `value ${i}`));
    // Reads made together: the first goes at once, the nine made while it is in flight as one batch.
    await firstValueFrom(forkJoin(Array.from({ length: 10 }, (_, i) => etcd.get(`metrics/key-${i}`))));
    await firstValueFrom(etcd.range({ prefix: 'metrics/' }));
    await firstValueFrom(etcd.delete({ prefix: 'metrics/' }));
  } finally {
    stop();
  }
  process.stdout.write(registry.exposition());
});
