/**
 * `npm run chaos`: the long chaos run. Six clients on a real 3-member cluster, every fault kind
 * in turn for several rounds (CHAOS_ROUNDS, default 4), the history checked for
 * linearizability, then a whole-cluster restart; writes the figures and the verdict to
 * docs/reliability.md.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Etcd } from '../src';
import { EtcdCluster, findEtcdBinary, formatViolation } from '../src/testing';
import { figuresByFault, FIGURES_HEADER, toMarkdownRow } from './chaos-harness/figures';
import { FaultSpan } from './chaos-harness/nemesis';
import { runChaos } from './chaos-harness/run';
import { restartWholeCluster } from './chaos-harness/whole-cluster-restart';

const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 4);
const CLIENTS = 6;
const KEYS = 5;
// The timeout of the run the figures are compared with: a frozen member costs at most this once.
const REQUEST_TIMEOUT_MS = 2000;
const OUT = path.resolve('docs', 'reliability.md');

async function main(): Promise<void> {
  const cluster = await EtcdCluster.start({ size: 3 });
  try {
    const run = await runChaos(cluster, {
      clients: CLIENTS,
      keys: KEYS,
      rounds: ROUNDS,
      client: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
      onFault: (fault, round) => console.log(`round ${round}/${ROUNDS}: ${fault}`),
    });
    const etcd = new Etcd({ endpoints: cluster.endpoints, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const restart = await restartWholeCluster(cluster, etcd, 'restart/', 500).finally(() => etcd.close());
    const report = render(run, restart);
    fs.writeFileSync(OUT, report);
    console.log(report);
    if (run.result.verdict !== 'linearizable' || restart.lost.length > 0) process.exitCode = 1;
  } finally {
    await cluster.stop();
  }
}

function render(run: Awaited<ReturnType<typeof runChaos>>, restart: Awaited<ReturnType<typeof restartWholeCluster>>): string {
  const version = execFileSync(findEtcdBinary(), ['--version']).toString().split('\n')[0];
  const deadlineMs = 3 * REQUEST_TIMEOUT_MS;
  const lines = [
    '# Reliability under faults',
    '',
    `Produced by \`npm run chaos\` (CHAOS_ROUNDS=${ROUNDS}) on ${new Date().toISOString().slice(0, 10)}: ${version}, 3 members on loopback,`,
    `${os.cpus().length} cores; ${CLIENTS} clients (one \`Etcd\` object each, \`requestTimeoutMs: ${REQUEST_TIMEOUT_MS}\`, so a`,
    `default deadline of ${deadlineMs} ms) reading, writing and compare-and-setting ${KEYS} keys as fast as they can.`,
    'Each round applies every fault in turn, holds it until every client has shown its effect (progress',
    'while a minority is gone, a failure while quorum is gone), heals it and waits for every client to',
    'work again.',
    '',
    `## Verdict: ${run.result.verdict}`,
    '',
    `${run.historyLength} operations entered the history (${run.result.keys} keys), checked in ${Math.round(run.checkMs)} ms:`,
    'writes and compare-and-sets whose outcome was unknown may take effect at any moment after their call',
    'or never; every other failure was taken at its word that nothing was applied.',
    ...run.result.violations.map((v) => ['', '```', formatViolation(v), '```'].join('\n')),
    '',
    '## Operations, by the fault in force when they were called',
    '',
    FIGURES_HEADER,
    ...figuresByFault(run.stats).map(toMarkdownRow),
    '',
    '"failed" operations were refused with nothing applied; "unknown" ones are writes that reached a',
    'member whose answer never came (`EtcdOutcomeUnknownError`). The longest operation is bounded by the',
    'deadline, plus the time a stalled request takes to be abandoned.',
    '',
    '## Recovery',
    '',
    '| fault | held (ms) | every client working again after healing (ms) |',
    '| --- | ---: | ---: |',
    ...run.spans.map((s: FaultSpan) => `| ${s.fault} | ${Math.round(s.healedAt - s.from)} | ${Math.round(s.recoveredAt - s.healedAt)} |`),
    '',
    '## Whole-cluster restart',
    '',
    `${restart.written} keys acknowledged, every member SIGKILLed, all restarted from their data: ${restart.lost.length} lost;`,
    `the same client object answered its first read ${Math.round(restart.recoveryMs)} ms after the members were started again.`,
    '',
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
