/**
 * The figures of a chaos run: operations attempted, acknowledged, failed and of unknown outcome,
 * the longest operation, and the errors seen, per fault kind and in all; as rows for a Markdown
 * table.
 */
import { OperationStat } from './workload';

/** The figures of one group of operations. */
export interface Figures {
  readonly group: string;
  readonly attempted: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly unknown: number;
  readonly longestMs: number;
  /** Error classes seen, with counts, most frequent first. */
  readonly errors: string;
}

/**
 * Groups operations by the fault in force when they were called, plus a line for all of them.
 * @example figuresByFault(load.stats).map(toMarkdownRow)
 */
export function figuresByFault(stats: readonly OperationStat[]): Figures[] {
  const groups = new Map<string, OperationStat[]>();
  for (const stat of stats) groups.set(stat.fault, [...(groups.get(stat.fault) ?? []), stat]);
  return [...[...groups].map(([group, members]) => figures(group, members)), figures('all', stats)];
}

function figures(group: string, stats: readonly OperationStat[]): Figures {
  const errors = new Map<string, number>();
  for (const stat of stats) if (stat.error !== undefined) errors.set(stat.error, (errors.get(stat.error) ?? 0) + 1);
  return {
    group,
    attempted: stats.length,
    acknowledged: stats.filter((s) => s.outcome === 'acknowledged').length,
    failed: stats.filter((s) => s.outcome === 'failed').length,
    unknown: stats.filter((s) => s.outcome === 'unknown').length,
    longestMs: Math.round(stats.reduce((longest, s) => Math.max(longest, s.durationMs), 0)),
    errors:
      [...errors]
        .sort((a, b) => b[1] - a[1])
        .map(([name, count]) => `${name} ×${count}`)
        .join(', ') || '—',
  };
}

/** The header of the table that `toMarkdownRow` fills. */
export const FIGURES_HEADER =
  '| under | attempted | acknowledged | failed | unknown | longest (ms) | errors |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |';

/**
 * One row of the figures table.
 * @example console.log([FIGURES_HEADER, ...figuresByFault(stats).map(toMarkdownRow)].join('\n'))
 */
export function toMarkdownRow(f: Figures): string {
  return `| ${f.group} | ${f.attempted} | ${f.acknowledged} | ${f.failed} | ${f.unknown} | ${f.longestMs} | ${f.errors} |`;
}
