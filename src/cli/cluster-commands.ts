/** The cluster commands: leader, members, status, compact. */
import { catchError, from, map, mergeMap, of, toArray } from 'rxjs';
import type { Member, MemberStatus } from '../index';
import { wholeNumber } from './args';
import { Command, finished } from './command';
import { ExitCode } from './exit-codes';
import { Paint, table } from './output';
import { hexId } from './render';

const MEMBER_HEADING = ['ID', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'];

function memberRow(member: Member): string[] {
  return [hexId(member.id), member.name, member.peerUrls.join(','), member.clientUrls.join(','), String(member.isLearner)];
}

function memberJson(member: Member): Record<string, unknown> {
  return { id: hexId(member.id), name: member.name, peerUrls: member.peerUrls, clientUrls: member.clientUrls, isLearner: member.isLearner };
}

/** `leader`: the old `etcd-test leader`. */
export const leader: Command = {
  name: 'leader',
  summary: 'show the member that leads the cluster',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx leader -s http://10.0.0.1:2379,http://10.0.0.2:2379', 'etcd-rx leader -o json'],
  run: async (context) =>
    finished(
      await context.interrupts.run(context.etcd().leaderMember(), (m) =>
        context.out.emit(memberJson(m), (paint) => table([MEMBER_HEADING, memberRow(m)], paint)),
      ),
    ),
};

/** `members` */
export const members: Command = {
  name: 'members',
  summary: 'list the members of the cluster',
  details: 'IDs are hexadecimal, as etcdctl shows them. JSON: one object per member.',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx members', 'etcd-rx members -o json'],
  run: async (context) =>
    finished(
      await context.interrupts.run(context.etcd().memberList(), ({ members: list }) => {
        context.out.list(list.map(memberJson), (paint) => table([MEMBER_HEADING, ...list.map(memberRow)], paint));
      }),
    ),
};

type Asked = { readonly endpoint: string; readonly status?: MemberStatus; readonly error?: unknown };

/** `status` */
export const status: Command = {
  name: 'status',
  summary: 'show the status of every given member (version, database size, leader, raft)',
  details: 'Asks each endpoint of -s in turn; an endpoint that fails is reported on stderr, and the exit code is then 1.',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx status -s http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379', 'etcd-rx status -o json'],
  run: async (context) => {
    const etcd = context.etcd();
    const asked = from(etcd.endpoints).pipe(
      mergeMap((endpoint) =>
        etcd.endpointStatus(endpoint).pipe(
          map((s): Asked => ({ endpoint, status: s })),
          catchError((error: unknown) => of<Asked>({ endpoint, error })),
        ),
      ),
      toArray(),
      map((answers) => etcd.endpoints.map((endpoint) => answers.find((a) => a.endpoint === endpoint) as Asked)),
    );
    let code: number = ExitCode.OK;
    const ending = await context.interrupts.run(asked, (answers) => {
      const ok = answers.filter((a): a is Asked & { status: MemberStatus } => a.status !== undefined);
      if (ok.length > 0)
        context.out.list(
          ok.map((a) => statusJson(a.status)),
          (paint) =>
            statusTable(
              ok.map((a) => a.status),
              paint,
            ),
        );
      for (const failed of answers.filter((a) => a.error !== undefined)) {
        code = ExitCode.ERROR;
        const message = failed.error instanceof Error ? failed.error.message : String(failed.error);
        context.log.note((paint) => `${paint.red('etcd-rx:')} ${message.includes(failed.endpoint) ? message : `${failed.endpoint}: ${message}`}`);
      }
    });
    const exit = finished(ending);
    return exit === ExitCode.OK ? code : exit;
  },
};

function statusJson(s: MemberStatus): Record<string, unknown> {
  return {
    endpoint: s.endpoint,
    id: hexId(s.header.memberId),
    version: s.version,
    dbSize: s.dbSize,
    dbSizeInUse: s.dbSizeInUse,
    isLeader: s.leader === s.header.memberId,
    leader: hexId(s.leader),
    isLearner: s.isLearner,
    raftTerm: s.raftTerm,
    raftIndex: s.raftIndex,
    raftAppliedIndex: s.raftAppliedIndex,
    revision: s.header.revision,
    errors: s.errors,
  };
}

function statusTable(statuses: readonly MemberStatus[], paint: Paint): string {
  const rows = statuses.map((s) => [
    s.endpoint,
    hexId(s.header.memberId),
    s.version,
    humanBytes(s.dbSize),
    s.leader === s.header.memberId ? paint.green('true') : 'false',
    String(s.raftTerm),
    String(s.raftIndex),
    String(s.header.revision),
    s.errors.join(', '),
  ]);
  return table([['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'RAFT TERM', 'RAFT INDEX', 'REVISION', 'ERRORS'], ...rows], paint);
}

function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `compact REV [--physical]` */
export const compact: Command = {
  name: 'compact',
  summary: 'discard the history before revision REV',
  details: 'Reads and watches of revisions before REV fail afterwards. --physical waits until the space is reclaimed.',
  args: { positionals: [{ name: 'REV' }], flags: [{ name: 'physical', kind: 'boolean', description: 'wait until the compaction is applied to the database' }] },
  examples: ['etcd-rx compact 1000'],
  run: async (context) => {
    const revision = wholeNumber(context.args.positionals[0], 'REV', 1);
    const compacted = context.etcd().compact(revision, { physical: context.args.bool('physical') });
    return finished(await context.interrupts.run(compacted, () => context.out.emit({ compacted: revision }, () => `compacted revision ${revision}`)));
  },
};
