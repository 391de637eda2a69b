/** The lease commands: `lease grant | revoke | ttl | list | keep-alive` (IDs in hexadecimal, as etcdctl shows them). */
import type { LeaseEvent } from '../index';
import { UsageError, wholeNumber } from './args';
import { Command, finished, untilInterrupted } from './command';
import { bytesJson, hexLeaseId, parseHexId, showBytes } from './render';

const ID = [{ name: 'ID' }];

/** `lease grant TTL` */
export const leaseGrant: Command = {
  name: 'lease grant',
  summary: 'grant a lease of TTL seconds (not kept alive: it expires unless renewed)',
  args: { positionals: [{ name: 'TTL' }], flags: [] },
  examples: ['etcd-rx lease grant 60', 'etcd-rx put session/42 alive --lease "$(etcd-rx lease grant 60 -o json | jq -r .id)"'],
  run: async (context) => {
    const granted = context.etcd().grantLease(wholeNumber(context.args.positionals[0], 'TTL', 1));
    return finished(
      await context.interrupts.run(granted, (lease) =>
        context.out.emit({ id: hexLeaseId(lease.id), ttl: lease.ttl }, () => `lease ${hexLeaseId(lease.id)} granted with TTL(${lease.ttl}s)`),
      ),
    );
  },
};

/** `lease revoke ID` */
export const leaseRevoke: Command = {
  name: 'lease revoke',
  summary: 'revoke a lease: every key attached to it is deleted',
  args: { positionals: ID, flags: [] },
  examples: ['etcd-rx lease revoke 694d77aa9e38260b'],
  run: async (context) => {
    const id = parseHexId(context.args.positionals[0], 'ID');
    return finished(
      await context.interrupts.run(context.etcd().revokeLease(id), (header) =>
        context.out.emit({ id: hexLeaseId(id), revoked: true, revision: header.revision }, () => `lease ${hexLeaseId(id)} revoked`),
      ),
    );
  },
};

/** `lease ttl ID [--keys]` */
export const leaseTtl: Command = {
  name: 'lease ttl',
  aliases: ['lease timetolive'],
  summary: 'show how long a lease has left (ttl -1: expired or unknown)',
  args: { positionals: ID, flags: [{ name: 'keys', kind: 'boolean', description: 'also list the keys attached to it' }] },
  examples: ['etcd-rx lease ttl 694d77aa9e38260b --keys'],
  run: async (context) => {
    const id = parseHexId(context.args.positionals[0], 'ID');
    const keys = context.args.bool('keys');
    return finished(
      await context.interrupts.run(context.etcd().timeToLive(id, { keys }), (lease) => {
        const json = {
          id: hexLeaseId(id),
          ttl: lease.ttl,
          grantedTtl: lease.grantedTtl,
          ...(keys ? { keys: lease.keys.map((k) => bytesJson('key', k)) } : {}),
        };
        context.out.emit(json, () => {
          if (lease.ttl < 0) return `lease ${hexLeaseId(id)} already expired`;
          const attached = keys ? `, attached keys([${lease.keys.map((k) => showBytes(k)).join(' ')}])` : '';
          return `lease ${hexLeaseId(id)} granted with TTL(${lease.grantedTtl}s), remaining(${lease.ttl}s)${attached}`;
        });
      }),
    );
  },
};

/** `lease list` */
export const leaseList: Command = {
  name: 'lease list',
  summary: 'list the IDs of every live lease',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx lease list', 'etcd-rx lease list -o json'],
  run: async (context) =>
    finished(
      await context.interrupts.run(context.etcd().leases(), (ids) =>
        context.out.list(
          ids.map((id) => ({ id: hexLeaseId(id) })),
          () => [`found ${ids.length} leases`, ...ids.map(hexLeaseId)].join('\n'),
        ),
      ),
    ),
};

/** `lease keep-alive [ID] [--ttl S]` */
export const leaseKeepAlive: Command = {
  name: 'lease keep-alive',
  summary: 'keep a lease alive until Ctrl-C (an existing one, or one granted for the purpose)',
  details:
    'With ID, renews that existing lease (as etcdctl does) and prints each renewal until Ctrl-C,\n' +
    'which stops renewing without revoking it. Without ID, grants a lease of --ttl seconds, keeps\n' +
    'it alive, and revokes it on Ctrl-C, deleting every key attached to it. Either way it goes on\n' +
    'across the failure of any member. JSON: {"event": "granted"|"renewed", "id", "ttl"}.\n' +
    'Exit code 3 if the lease is lost (expired, revoked elsewhere, or unknown).',
  args: {
    positionals: [{ name: 'ID', optional: true }],
    flags: [{ name: 'ttl', kind: 'count', min: 1, placeholder: 'S', description: 'the TTL in seconds of the lease to grant, without ID (default 10)' }],
  },
  examples: ['etcd-rx lease keep-alive 694d77aa9e38260b', 'etcd-rx lease keep-alive --ttl 5'],
  run: async (context) => {
    const given = context.args.positional(0);
    const ttl = context.args.count('ttl');
    if (given !== undefined && ttl !== undefined) {
      throw new UsageError('--ttl is for a lease to grant; an existing lease ID keeps the TTL it was granted with');
    }
    const etcd = context.etcd();
    const lease = given === undefined ? etcd.lease(ttl ?? DEFAULT_KEEP_ALIVE_TTL) : etcd.keepAlive(parseHexId(given, 'ID'));
    const print = (event: LeaseEvent) =>
      context.out.emit({ event: event.type, id: hexLeaseId(event.id), ttl: event.ttl }, () =>
        event.type === 'granted'
          ? `lease ${hexLeaseId(event.id)} granted with TTL(${event.ttl}s)`
          : `lease ${hexLeaseId(event.id)} keepalived with TTL(${event.ttl})`,
      );
    return untilInterrupted(await context.interrupts.run(lease, print));
  },
};

const DEFAULT_KEEP_ALIVE_TTL = 10;
