/** The cluster commands: leader and compaction. */
import type { Member } from '../index';
import { wholeNumber } from './args';
import { Command, finished } from './command';
import { table } from './output';
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

/** `compaction REV [--physical]` */
export const compaction: Command = {
  name: 'compaction',
  summary: 'discard the history before revision REV',
  details: 'Reads and watches of revisions before REV fail afterwards. --physical waits until the space is reclaimed.',
  args: { positionals: [{ name: 'REV' }], flags: [{ name: 'physical', kind: 'boolean', description: 'wait until the compaction is applied to the database' }] },
  examples: ['etcd-rx compaction 1000', 'etcd-rx compaction 1000 --physical'],
  run: async (context) => {
    const revision = wholeNumber(context.args.positionals[0], 'REV', 1);
    const compacted = context.etcd().compact(revision, { physical: context.args.bool('physical') });
    // etcdctl prints this line whatever the output format.
    return finished(await context.interrupts.run(compacted, () => context.out.raw(`compacted revision ${revision}`)));
  },
};
