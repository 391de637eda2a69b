/**
 * The guarantee, proven on a real 3-member cluster: six clients' reads, writes and
 * compare-and-sets stay linearizable while members are killed, frozen (the leader too) and while
 * two of three are frozen at once; every failed write says whether it may have been applied.
 */
import { formatViolation } from '../../src/testing';
import { useCluster } from '../support/cluster';
import { figuresByFault, FIGURES_HEADER, toMarkdownRow } from '../support/chaos/figures';
import { runChaos } from '../support/chaos/run';

describe('chaos: a history under faults', () => {
  const cluster = useCluster(3);

  it('is linearizable, with every failure typed', async () => {
    const run = await runChaos(cluster(), { clients: 6, keys: 5, rounds: 1, client: { requestTimeoutMs: 2000 } });
    const table = [FIGURES_HEADER, ...figuresByFault(run.stats).map(toMarkdownRow)].join('\n');
    const violations = run.result.violations.map((v) => formatViolation(v)).join('\n\n');
    console.log(`${run.historyLength} operations in ${Math.round(run.runMs)} ms, checked in ${Math.round(run.checkMs)} ms: ${run.result.verdict}\n${table}\n${violations}`);
    expect(violations).toBe('');
    expect(run.result.verdict).toBe('linearizable');
    expect(run.stats.filter((s) => s.outcome === 'acknowledged').length).toBeGreaterThan(100);
  }, 240_000);
});
