/** `endpoint status|health|hashkv`: one row per endpoint, printed as etcdctl 3.4 prints them. */
import { forkJoin } from 'rxjs';
import type { EndpointHealth, HashKv, MemberStatus } from '../index';
import { wholeNumber } from './args';
import { CLUSTER_FLAG, withChosenEndpoints } from './cluster-endpoints';
import { Command, finished } from './command';
import { boxTable, GoNumber, goDuration, goJson, headerFields, headerJson, humanBytes, printAs } from './etcdctl-format';
import { ExitCode } from './exit-codes';
import { hexId } from './render';

/** `endpoint status [--cluster]` */
export const endpointStatus: Command = {
  name: 'endpoint status',
  summary: 'show the status of each endpoint (version, database size, leader, raft)',
  details: 'One row per endpoint, as etcdctl prints it; an endpoint that fails is reported on stderr, and the exit code is then 1.',
  args: { positionals: [], flags: [CLUSTER_FLAG] },
  examples: ['etcd-rx endpoint status --cluster -w table', 'etcd-rx endpoint status -w json'],
  run: (context) =>
    withChosenEndpoints(context, async (etcd) => {
      let code: number = ExitCode.OK;
      const ending = await context.interrupts.run(etcd.endpointStatuses(), (answers) => {
        const ok: MemberStatus[] = [];
        for (const answer of answers) {
          if (answer.ok) ok.push(answer.val);
          else {
            code = ExitCode.ERROR;
            context.log.note(() => `Failed to get the status of endpoint ${answer.val.endpoint} (${answer.val.error.message})`);
          }
        }
        printAs(context.out, {
          simple: () => ok.map((s) => statusRow(s).join(', ')).join('\n'),
          json: () => goJson(ok.map((s) => ({ Endpoint: s.endpoint, Status: statusJson(s) }))),
          table: () =>
            boxTable(
              ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS'],
              ok.map(statusRow),
            ),
          fields: () => ok.flatMap(statusFields).join('\n'),
        });
      });
      const exit = finished(ending);
      return exit === ExitCode.OK ? code : exit;
    }),
};

/** `endpoint health [--cluster]` */
export const endpointHealth: Command = {
  name: 'endpoint health',
  summary: 'check that each endpoint answers a linearizable read in time',
  details:
    'As etcdctl defines it: an endpoint is healthy when a linearizable read of one key is answered\n' +
    'within the request timeout (an answer "permission denied" counts as healthy). Like etcdctl, the\n' +
    'simple format goes to stderr; the exit code is 1 when an endpoint is unhealthy.',
  args: { positionals: [], flags: [CLUSTER_FLAG] },
  examples: ['etcd-rx endpoint health --cluster', 'etcd-rx endpoint health -w table'],
  run: (context) =>
    withChosenEndpoints(context, async (etcd) => {
      let healthy = true;
      const ending = await context.interrupts.run(etcd.endpointHealth(), (all) => {
        healthy = all.every((h) => h.health);
        if (context.out.format === 'text') {
          context.log.note(() => all.map(healthLine).join('\n'));
          return;
        }
        printAs(context.out, {
          simple: () => '',
          json: () => goJson(all.map((h) => ({ endpoint: h.endpoint, health: h.health, took: took(h), error: h.error }))),
          table: () =>
            boxTable(
              ['ENDPOINT', 'HEALTH', 'TOOK', 'ERROR'],
              all.map((h) => [h.endpoint, String(h.health), took(h), h.error ?? '']),
            ),
          fields: () =>
            all
              .flatMap((h) => [`"Endpoint" : ${JSON.stringify(h.endpoint)}`, `"Health" : ${h.health}`, `"Took" : ${took(h)}`, `"Error" : ${h.error ?? ''}`, ''])
              .join('\n'),
        });
      });
      const exit = finished(ending);
      if (exit !== ExitCode.OK) return exit;
      if (!healthy) context.log.note(() => 'Error: unhealthy cluster');
      return healthy ? ExitCode.OK : ExitCode.ERROR;
    }),
};

/** `endpoint hashkv [--rev N] [--cluster]` */
export const endpointHashKv: Command = {
  name: 'endpoint hashkv',
  summary: "show the hash of each endpoint's key-value store (equal on members that agree)",
  args: {
    positionals: [],
    flags: [CLUSTER_FLAG, { name: 'rev', kind: 'string', placeholder: 'N', description: 'hash the store up to revision N (default: the latest)' }],
  },
  examples: ['etcd-rx endpoint hashkv --cluster', 'etcd-rx endpoint hashkv --rev 100 -w table'],
  run: (context) =>
    withChosenEndpoints(context, async (etcd) => {
      const given = context.args.text('rev');
      const revision = given === undefined ? 0 : wholeNumber(given, '--rev');
      const hashes = forkJoin(etcd.endpoints.map((e) => etcd.hashKv(e, { revision })));
      return finished(
        await context.interrupts.run(hashes, (all) =>
          printAs(context.out, {
            simple: () => all.map((h) => `${h.endpoint}, ${h.hash}`).join('\n'),
            json: () => goJson(all.map((h) => ({ Endpoint: h.endpoint, HashKV: hashJson(h) }))),
            table: () =>
              boxTable(
                ['ENDPOINT', 'HASH'],
                all.map((h) => [h.endpoint, String(h.hash)]),
              ),
            fields: () => all.flatMap((h) => [...headerFields(h.header), `"Endpoint" : ${JSON.stringify(h.endpoint)}`, `"Hash" : ${h.hash}`, '']).join('\n'),
          }),
        ),
      );
    }),
};

function took(h: EndpointHealth): string {
  return goDuration(BigInt(Math.round(h.tookMs * 1e6)));
}

function healthLine(h: EndpointHealth): string {
  return h.health
    ? `${h.endpoint} is healthy: successfully committed proposal: took = ${took(h)}`
    : `${h.endpoint} is unhealthy: failed to commit proposal: ${h.error ?? ''}`;
}

function statusRow(s: MemberStatus): string[] {
  return [
    s.endpoint,
    hexId(s.header.memberId),
    s.version,
    humanBytes(s.dbSize),
    String(s.leader === s.header.memberId),
    String(s.isLearner),
    String(s.raftTerm),
    String(s.raftIndex),
    String(s.raftAppliedIndex),
    s.errors.join(', '),
  ];
}

function statusJson(s: MemberStatus): Record<string, unknown> {
  const omitZero = (n: number) => (n === 0 ? undefined : n);
  return {
    header: headerJson(s.header),
    version: s.version === '' ? undefined : s.version,
    dbSize: omitZero(s.dbSize),
    leader: s.leader === '0' ? undefined : new GoNumber(s.leader),
    raftIndex: omitZero(s.raftIndex),
    raftTerm: omitZero(s.raftTerm),
    raftAppliedIndex: omitZero(s.raftAppliedIndex),
    errors: s.errors.length === 0 ? undefined : s.errors,
    dbSizeInUse: omitZero(s.dbSizeInUse),
    isLearner: s.isLearner ? true : undefined,
  };
}

function statusFields(s: MemberStatus): string[] {
  return [
    ...headerFields(s.header),
    `"Version" : ${JSON.stringify(s.version)}`,
    `"DBSize" : ${s.dbSize}`,
    `"Leader" : ${s.leader}`,
    `"IsLearner" : ${s.isLearner}`,
    `"RaftIndex" : ${s.raftIndex}`,
    `"RaftTerm" : ${s.raftTerm}`,
    `"RaftAppliedIndex" : ${s.raftAppliedIndex}`,
    `"Errors" : [${s.errors.join(' ')}]`,
    `"Endpoint" : ${JSON.stringify(s.endpoint)}`,
    '',
  ];
}

function hashJson(h: HashKv): Record<string, unknown> {
  return { header: headerJson(h.header), hash: h.hash === 0 ? undefined : h.hash, compact_revision: h.compactRevision === 0 ? undefined : h.compactRevision };
}
