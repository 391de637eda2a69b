/** `member list|add|remove|update|promote`, printed as etcdctl 3.4 prints them. */
import { Observable } from 'rxjs';
import type { Member, MemberAdded, MemberList } from '../index';
import { UsageError } from './args';
import { Command, Context, finished } from './command';
import { boxTable, GoNumber, goJson, headerFields, headerJson, paddedHex, printAs, refuseFormats } from './etcdctl-format';
import { hexId, parseHexId } from './render';

const PEER_URLS = { name: 'peer-urls', kind: 'string', placeholder: 'URLS', description: 'the peer URLs of the member, separated by commas' } as const;
const MEMBER_ID = [{ name: 'ID' }];

/** `member list` */
export const memberList: Command = {
  name: 'member list',
  summary: 'list the members of the cluster (ID, status, name, peer and client URLs, learner)',
  details: 'Prints as etcdctl does, in every format: simple, json, table, fields. IDs are hexadecimal.',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx member list', 'etcd-rx member list -w table'],
  run: async (context) =>
    finished(
      await context.interrupts.run(context.etcd().memberList(), (list) =>
        printAs(context.out, {
          simple: () => list.members.map((m) => memberRow(m).join(', ')).join('\n'),
          json: () => goJson(listJson(list)),
          table: () => boxTable(['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'], list.members.map(memberRow)),
          fields: () => [...headerFields(list.header), ...list.members.flatMap(memberFields)].join('\n'),
        }),
      ),
    ),
};

/** `member add NAME --peer-urls URLS [--learner]` */
export const memberAdd: Command = {
  name: 'member add',
  summary: 'add a member to the cluster (then start it with the ETCD_ settings printed)',
  details:
    'Prints the settings the new member starts with (ETCD_NAME, ETCD_INITIAL_CLUSTER, ...), as\n' +
    'etcdctl does. With --learner it joins as a learner: it receives the log but does not vote\n' +
    "until 'member promote'.",
  args: { positionals: [{ name: 'NAME' }], flags: [PEER_URLS, { name: 'learner', kind: 'boolean', description: 'add it as a learner' }] },
  examples: ['etcd-rx member add infra4 --peer-urls http://10.0.0.4:2380', 'etcd-rx member add infra4 --peer-urls http://10.0.0.4:2380 --learner'],
  run: async (context) => {
    const refused = refuseFormats(context, ['table', 'fields']);
    if (refused !== undefined) return refused;
    const name = context.args.positionals[0];
    const added = context.etcd().addMember(peerUrls(context), { learner: context.args.bool('learner') });
    return finished(
      await context.interrupts.run(added, (answer) =>
        printAs(context.out, {
          simple: () =>
            [`Member ${paddedHex(answer.member.id)} added to cluster ${paddedHex(answer.header.clusterId)}`, '', ...startSettings(answer, name)].join('\n'),
          json: () => goJson({ header: headerJson(answer.header), member: memberJson(answer.member), members: answer.members.map(memberJson) }),
        }),
      ),
    );
  },
};

/** `member remove ID` */
export const memberRemove: Command = membershipChange('remove', 'remove member ID (hexadecimal) from the cluster', 'removed from', (context, id) =>
  context.etcd().removeMember(id),
);

/** `member update ID --peer-urls URLS` */
export const memberUpdate: Command = membershipChange(
  'update',
  'change the peer URLs of member ID (hexadecimal)',
  'updated in',
  (context, id) => context.etcd().updateMember(id, peerUrls(context)),
  [PEER_URLS],
);

/** `member promote ID` */
export const memberPromote: Command = membershipChange('promote', 'make learner ID (hexadecimal) a voting member', 'promoted in', (context, id) =>
  context.etcd().promoteMember(id),
);

function membershipChange(
  verb: string,
  summary: string,
  done: string,
  change: (context: Context, id: string) => Observable<MemberList>,
  flags: Command['args']['flags'] = [],
): Command {
  return {
    name: `member ${verb}`,
    summary,
    args: { positionals: MEMBER_ID, flags },
    examples: [`etcd-rx member ${verb} 8e9e05c52164694d${flags.length > 0 ? ' --peer-urls http://10.0.0.5:2380' : ''}`],
    run: async (context) => {
      const refused = refuseFormats(context, ['table', 'fields']);
      if (refused !== undefined) return refused;
      const id = parseHexId(context.args.positionals[0], 'member ID');
      return finished(
        await context.interrupts.run(change(context, id), (answer) =>
          printAs(context.out, {
            simple: () => `Member ${paddedHex(id)} ${done} cluster ${paddedHex(answer.header.clusterId)}`,
            json: () => goJson(listJson(answer)),
          }),
        ),
      );
    },
  };
}

function peerUrls(context: Context): string[] {
  const given = context.args.text('peer-urls');
  if (given === undefined || given.trim() === '') throw new UsageError('--peer-urls is required');
  return given.split(',').map((u) => u.trim());
}

function startSettings(answer: MemberAdded, name: string): string[] {
  const cluster = answer.members.flatMap((m) => m.peerUrls.map((u) => `${m.id === answer.member.id ? name : m.name}=${u}`));
  return [
    `ETCD_NAME="${name}"`,
    `ETCD_INITIAL_CLUSTER="${cluster.join(',')}"`,
    `ETCD_INITIAL_ADVERTISE_PEER_URLS="${answer.member.peerUrls.join(',')}"`,
    'ETCD_INITIAL_CLUSTER_STATE="existing"',
  ];
}

function memberRow(m: Member): string[] {
  return [hexId(m.id), m.name === '' ? 'unstarted' : 'started', m.name, m.peerUrls.join(','), m.clientUrls.join(','), String(m.isLearner)];
}

function memberJson(m: Member): Record<string, unknown> {
  return {
    ID: new GoNumber(m.id),
    name: m.name === '' ? undefined : m.name,
    peerURLs: m.peerUrls.length === 0 ? undefined : m.peerUrls,
    clientURLs: m.clientUrls.length === 0 ? undefined : m.clientUrls,
    isLearner: m.isLearner ? true : undefined,
  };
}

function listJson(list: MemberList): Record<string, unknown> {
  return { header: headerJson(list.header), members: list.members.map(memberJson) };
}

function memberFields(m: Member): string[] {
  return [
    `"ID" : ${m.id}`,
    `"Name" : ${JSON.stringify(m.name)}`,
    ...m.peerUrls.map((u) => `"PeerURL" : ${JSON.stringify(u)}`),
    ...m.clientUrls.map((u) => `"ClientURL" : ${JSON.stringify(u)}`),
    `"IsLearner" : ${m.isLearner}`,
    '',
  ];
}
