/** `elect NAME [VALUE] [--ttl S] [--observe]`: campaign in a leader election, or watch who leads. */
import { hostname } from 'os';
import { filter, map, merge } from 'rxjs';
import type { CampaignEvent, Leader } from '../index';
import { UsageError } from './args';
import { Command, untilInterrupted } from './command';
import { argumentBytes } from './command-line';
import { Paint } from './output';
import { bytesJson, hexLeaseId, showBytes } from './render';

type Shown = { readonly event: 'leader' | 'elected'; readonly key: Buffer; readonly value: Buffer; readonly revision: number; readonly lease: string };

/** `elect NAME [VALUE] [--ttl S] [--observe]` */
export const elect: Command = {
  name: 'elect',
  summary: 'campaign to lead an election until Ctrl-C (or, with --observe, only watch who leads)',
  details:
    'Campaigns with VALUE (default: HOST:PID) and prints each leadership event: LEADER when a leader\n' +
    'is elected or proclaims a value, ELECTED when this process wins; each followed by the leader\n' +
    'key and value (JSON: {"event", "key", "value", "revision", "lease"}). Ctrl-C resigns (before\n' +
    'winning, it leaves the queue); the exit code is 3 if the leadership is lost.\n' +
    'With --observe, only prints who leads, at each change, without campaigning.',
  args: {
    positionals: [{ name: 'NAME' }, { name: 'VALUE', optional: true }],
    flags: [
      {
        name: 'observe',
        short: 'l',
        aliases: ['listen'],
        kind: 'boolean',
        description: 'do not campaign: print who leads, at each change (etcdctl: -l, --listen)',
      },
      { name: 'ttl', kind: 'count', min: 1, placeholder: 'S', description: 'TTL of the lease behind the candidacy (default 10)' },
    ],
  },
  examples: ['etcd-rx elect scheduler "$(hostname):8080"', 'etcd-rx elect scheduler --observe -o json'],
  run: async (context) => {
    const { args } = context;
    const [name, value] = args.positionals.map(argumentBytes);
    const election = context.etcd().election(name);
    const leaders = election.observe().pipe(map((leader) => shownLeader('leader', leader)));
    let events = leaders;
    if (args.bool('observe')) {
      if (value !== undefined || args.has('ttl')) throw new UsageError('--observe takes no VALUE and no --ttl');
    } else {
      const proposal = value ?? `${hostname()}:${process.pid}`;
      // `resigned` only follows a resign through the leadership, which this command never makes.
      const elected = election.campaign(proposal, { ttl: args.count('ttl') }).pipe(
        filter((event): event is Extract<CampaignEvent, { type: 'elected' }> => event.type === 'elected'),
        map(({ leadership }): Shown => ({
          event: 'elected',
          key: leadership.keyBuffer,
          value: Buffer.from(proposal),
          revision: leadership.fencingToken,
          lease: leadership.leaseId,
        })),
      );
      events = merge(leaders, elected);
    }
    const print = (shown: Shown) => context.out.emit(shownJson(shown), (paint) => shownText(shown, paint));
    return untilInterrupted(await context.interrupts.run(events, print));
  },
};

function shownLeader(event: 'leader', leader: Leader): Shown {
  return { event, key: Buffer.from(leader.key), value: leader.valueBuffer, revision: leader.revision, lease: leader.leaseId };
}

function shownJson(shown: Shown): Record<string, unknown> {
  return { event: shown.event, ...bytesJson('key', shown.key), ...bytesJson('value', shown.value), revision: shown.revision, lease: hexLeaseId(shown.lease) };
}

function shownText(shown: Shown, paint: Paint): string {
  const heading = shown.event === 'elected' ? paint.green('ELECTED') : paint.bold('LEADER');
  return [heading, paint.cyan(showBytes(shown.key)), showBytes(shown.value, { multiline: true })].join('\n');
}
