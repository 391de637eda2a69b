/** `defrag`, `alarm list|disarm`, `move-leader`, printed as etcdctl 3.4 prints them. */
import { catchError, concatMap, from, map, of } from 'rxjs';
import type { AlarmList } from '../index';
import { CLUSTER_FLAG, withChosenEndpoints } from './cluster-endpoints';
import { Command, Context, finished } from './command';
import { goJson, headerFields, headerJson, GoNumber, printAs, refuseFormats } from './etcdctl-format';
import { ExitCode } from './exit-codes';
import { hexId, parseHexId } from './render';

/** `defrag [--cluster]` */
export const defrag: Command = {
  name: 'defrag',
  summary: 'defragment the database of each endpoint, one at a time',
  details:
    'A member answers nothing else while it defragments. Prints one line per member; a member that fails is reported on stderr, and the exit code is then 1.',
  args: { positionals: [], flags: [CLUSTER_FLAG] },
  examples: ['etcd-rx defrag -s http://10.0.0.1:2379', 'etcd-rx defrag --cluster'],
  run: (context) =>
    withChosenEndpoints(context, async (etcd) => {
      let code: number = ExitCode.OK;
      const each = from(etcd.endpoints).pipe(
        concatMap((endpoint) =>
          etcd.defragment(endpoint).pipe(
            map(() => ({ endpoint, error: undefined as string | undefined })),
            catchError((error: unknown) => of({ endpoint, error: error instanceof Error ? error.message : String(error) })),
          ),
        ),
      );
      const ending = await context.interrupts.run(each, ({ endpoint, error }) => {
        if (error === undefined) context.out.raw(`Finished defragmenting etcd member[${endpoint}]`);
        else {
          code = ExitCode.ERROR;
          context.log.note(() => `Failed to defragment etcd member[${endpoint}] (${error})`);
        }
      });
      const exit = finished(ending);
      return exit === ExitCode.OK ? code : exit;
    }),
};

/** `alarm list` */
export const alarmList: Command = {
  name: 'alarm list',
  summary: 'list the alarms raised in the cluster (NOSPACE: the backend quota is full)',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx alarm list'],
  run: async (context) =>
    refuseFormats(context, ['table']) ?? finished(await context.interrupts.run(context.etcd().alarms(), (list) => printAlarms(context, list))),
};

/** `alarm disarm` */
export const alarmDisarm: Command = {
  name: 'alarm disarm',
  summary: 'disarm every alarm raised, printing those disarmed',
  details: 'Free space first (compact, then defrag), or a NOSPACE alarm comes straight back.',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx alarm disarm'],
  run: async (context) =>
    refuseFormats(context, ['table']) ?? finished(await context.interrupts.run(context.etcd().disarmAlarms(), (list) => printAlarms(context, list))),
};

/** `move-leader ID` */
export const moveLeader: Command = {
  name: 'move-leader',
  summary: 'hand the leadership to member ID (hexadecimal, as member list shows it)',
  details: 'The leader must be among the endpoints (-s), as etcdctl requires.',
  args: { positionals: [{ name: 'ID' }], flags: [] },
  examples: ['etcd-rx move-leader 8e9e05c52164694d -s http://10.0.0.1:2379,http://10.0.0.2:2379,http://10.0.0.3:2379'],
  run: async (context) => {
    const target = parseHexId(context.args.positionals[0], 'member ID');
    const moved = context.etcd().moveLeader(target);
    return finished(
      await context.interrupts.run(moved, (header) => context.out.raw(`Leadership transferred from ${hexId(header.memberId)} to ${hexId(target)}`)),
    );
  },
};

const ALARM_NUMBERS = { NOSPACE: 1, CORRUPT: 2 } as const;

function printAlarms(context: Context, list: AlarmList): void {
  printAs(context.out, {
    simple: () => list.alarms.map((a) => `memberID:${a.memberId} alarm:${a.alarm}`).join('\n'),
    json: () =>
      goJson({
        header: headerJson(list.header),
        alarms: list.alarms.length === 0 ? undefined : list.alarms.map((a) => ({ memberID: new GoNumber(a.memberId), alarm: ALARM_NUMBERS[a.alarm] })),
      }),
    fields: () => [...headerFields(list.header), ...list.alarms.flatMap((a) => [`"MemberID" : ${a.memberId}`, `"AlarmType" : ${a.alarm}`, ''])].join('\n'),
  });
}
