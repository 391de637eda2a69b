/**
 * The lease commands: `lease grant | revoke | timetolive | list | keep-alive`, printed in
 * etcdctl's forms (IDs in hexadecimal in the simple form, as etcdctl shows and reads them).
 */
import { concatMap, map, Observable, take } from 'rxjs';
import { LeaseLostError } from '../index';
import type { Etcd, LeaseEvent, ResponseHeader } from '../index';
import { UsageError, wholeNumber } from './args';
import { Command, Context, finished, untilInterrupted } from './command';
import type { Ending } from './interrupts';
import { ExitCode } from './exit-codes';
import { GoNumber, goJson, headerFields, headerJson, printAs, refuseFormats } from './etcdctl-format';
import { goQuote } from './etcdctl-kv';
import { hexLeaseId, parseHexId, showBytes } from './render';

const ID = [{ name: 'ID' }];
const TABLE_REFUSED = 'etcdctl has no table form of lease answers: -w table is refused with exit code 4, as etcdctl refuses it.';

/** `lease grant TTL` */
export const leaseGrant: Command = {
  name: 'lease grant',
  summary: 'grant a lease of TTL seconds (not kept alive: it expires unless renewed)',
  details: TABLE_REFUSED,
  args: { positionals: [{ name: 'TTL' }], flags: [] },
  examples: ['etcd-rx lease grant 60', 'etcd-rx put session/42 alive --lease "$(etcd-rx lease grant 60 | cut -d" " -f2)"'],
  run: async (context) =>
    refuseFormats(context, ['table']) ??
    finished(
      await context.interrupts.run(context.etcd().grantLease(wholeNumber(context.args.positionals[0], 'TTL', 1)), (lease) =>
        printAs(context.out, {
          simple: () => `lease ${hexLeaseId(lease.id)} granted with TTL(${lease.ttl}s)`,
          json: () => goJson({ ...headerJson(lease.header), ID: new GoNumber(lease.id), TTL: lease.ttl, Error: '' }),
          fields: () => [...headerFields(lease.header), `"ID" : ${lease.id}`, `"TTL" : ${lease.ttl}`].join('\n'),
        }),
      ),
    ),
};

/** `lease revoke ID` */
export const leaseRevoke: Command = {
  name: 'lease revoke',
  summary: 'revoke a lease: every key attached to it is deleted',
  details: TABLE_REFUSED,
  args: { positionals: ID, flags: [] },
  examples: ['etcd-rx lease revoke 694d77aa9e38260b'],
  run: async (context) => {
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    const id = parseHexId(context.args.positionals[0], 'ID');
    return finished(
      await context.interrupts.run(context.etcd().revokeLease(id), (header) =>
        printAs(context.out, {
          simple: () => `lease ${hexLeaseId(id)} revoked`,
          json: () => goJson({ header: headerJson(header) }),
          fields: () => headerFields(header).join('\n'),
        }),
      ),
    );
  },
};

/** `lease timetolive ID [--keys]` */
export const leaseTimeToLive: Command = {
  name: 'lease timetolive',
  summary: 'show how long a lease has left (ttl -1: expired or unknown)',
  details: TABLE_REFUSED,
  args: { positionals: ID, flags: [{ name: 'keys', kind: 'boolean', description: 'also list the keys attached to it' }] },
  examples: ['etcd-rx lease timetolive 694d77aa9e38260b --keys'],
  run: async (context) => {
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    const id = parseHexId(context.args.positionals[0], 'ID');
    const keys = context.args.bool('keys');
    return finished(
      await context.interrupts.run(context.etcd().timeToLive(id, { keys }), (lease) =>
        printAs(context.out, {
          simple: () => {
            if (lease.ttl < 0) return `lease ${hexLeaseId(id)} already expired`;
            const attached = keys ? `, attached keys([${lease.keys.map((k) => showBytes(k)).join(' ')}])` : '';
            return `lease ${hexLeaseId(id)} granted with TTL(${lease.grantedTtl}s), remaining(${lease.ttl}s)${attached}`;
          },
          json: () =>
            goJson({
              ...headerJson(lease.header),
              id: new GoNumber(id),
              ttl: lease.ttl,
              'granted-ttl': lease.grantedTtl,
              keys: lease.keys.length === 0 ? null : lease.keys.map((k) => k.toString('base64')),
            }),
          fields: () =>
            [
              ...headerFields(lease.header),
              `"ID" : ${id}`,
              `"TTL" : ${lease.ttl}`,
              `"GrantedTTL" : ${lease.grantedTtl}`,
              ...lease.keys.map((k) => `"Key" : ${goQuote(k)}`),
            ].join('\n'),
        }),
      ),
    );
  },
};

/** `lease list` */
export const leaseList: Command = {
  name: 'lease list',
  summary: 'list the IDs of every live lease',
  details: `${TABLE_REFUSED}\nThe header of -w json and -w fields is that of a read made right after the list.`,
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx lease list', 'etcd-rx lease list -w json'],
  run: async (context) => {
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    const etcd = context.etcd();
    // The list answer carries no header; a count-only read right after gives the one etcd would send.
    const listed = etcd.leases().pipe(concatMap((ids) => headerNow(etcd).pipe(map((header) => ({ ids, header })))));
    return finished(
      await context.interrupts.run(listed, ({ ids, header }) =>
        printAs(context.out, {
          simple: () => [`found ${ids.length} leases`, ...ids.map(hexLeaseId)].join('\n'),
          json: () => goJson({ ...headerJson(header), leases: ids.length === 0 ? null : ids.map((id) => ({ id: new GoNumber(id) })) }),
          fields: () => [...headerFields(header), ...ids.map((id) => `"ID" : ${id}`)].join('\n'),
        }),
      ),
    );
  },
};

/** `lease keep-alive [ID] [--ttl S] [--once]` */
export const leaseKeepAlive: Command = {
  name: 'lease keep-alive',
  summary: 'keep a lease alive until Ctrl-C (an existing one, or one granted for the purpose)',
  details:
    'With ID, renews that existing lease (as etcdctl does) and prints each renewal until Ctrl-C,\n' +
    'which stops renewing without revoking it; with --once, renews it once and exits. Without ID,\n' +
    'grants a lease of --ttl seconds, keeps it alive, and revokes it on Ctrl-C, deleting every key\n' +
    'attached to it. Either way it goes on across the failure of any member. -w json and -w fields\n' +
    'print each renewal as etcdctl does (the grant as lease grant prints it).\n' +
    'With ID, a lease that is lost (expired, revoked elsewhere, or unknown) ends it as etcdctl ends:\n' +
    '"lease ID expired or revoked." (in the simple form) and exit code 0; with --once, a lease etcd\n' +
    'does not know fails as etcdctl\'s does: "etcdserver: requested lease not found", exit code 2.\n' +
    'Exit code 3 if the lease granted with --ttl is lost.',
  args: {
    positionals: [{ name: 'ID', optional: true }],
    flags: [
      { name: 'ttl', kind: 'count', min: 1, placeholder: 'S', description: 'the TTL in seconds of the lease to grant, without ID (default 10)' },
      { name: 'once', kind: 'boolean', description: 'renew the lease ID once, print it, and exit' },
    ],
  },
  examples: ['etcd-rx lease keep-alive 694d77aa9e38260b', 'etcd-rx lease keep-alive --once 694d77aa9e38260b', 'etcd-rx lease keep-alive --ttl 5'],
  run: async (context) => {
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    const given = context.args.positional(0);
    const ttl = context.args.count('ttl');
    const once = context.args.bool('once');
    if (given !== undefined && ttl !== undefined) {
      throw new UsageError('--ttl is for a lease to grant; an existing lease ID keeps the TTL it was granted with');
    }
    if (given === undefined && once) throw new UsageError('--once renews an existing lease: give its ID');
    const etcd = context.etcd();
    const print = (event: LeaseEvent) => printEvent(context, event);
    if (given === undefined) return untilInterrupted(await context.interrupts.run(etcd.lease(ttl ?? DEFAULT_KEEP_ALIVE_TTL), print));
    const renewals = etcd.keepAlive(parseHexId(given, 'ID'));
    if (once) return renewedOnce(context, await context.interrupts.run(renewals.pipe(take(1)), print));
    return keptAliveUntilLost(context, await context.interrupts.run(renewals, print));
  },
};

const DEFAULT_KEEP_ALIVE_TTL = 10;

/**
 * The exit code of `keep-alive --once`. etcdctl reports a lease etcd does not know with etcd's own
 * message and exit code 2; a script written for it tests that code.
 */
function renewedOnce(context: Context, ending: Ending): number {
  if (ending.type !== 'failed' || !(ending.error instanceof LeaseLostError) || ending.error.reason !== 'gone') return finished(ending);
  context.log.note((paint) => `${paint.red('etcd-rx:')} etcdserver: requested lease not found`);
  return ExitCode.LEASE_NOT_FOUND;
}

/**
 * The exit code of `keep-alive ID`. etcdctl takes the end of an existing lease as the end of the
 * command, not as its failure: it says so in the simple form and exits 0, and scripts rely on it.
 */
function keptAliveUntilLost(context: Context, ending: Ending): number {
  if (ending.type !== 'failed' || !(ending.error instanceof LeaseLostError)) return untilInterrupted(ending);
  const id = ending.error.leaseId;
  if (context.out.format === 'text') context.out.raw(`lease ${hexLeaseId(id)} expired or revoked.`);
  return ExitCode.OK;
}

function printEvent(context: Context, event: LeaseEvent): void {
  const granted = event.type === 'granted';
  printAs(context.out, {
    simple: () => `lease ${event.idHex} ${granted ? `granted with TTL(${event.ttl}s)` : `keepalived with TTL(${event.ttl})`}`,
    json: () => goJson({ ...headerJson(event.header), ID: new GoNumber(event.id), TTL: event.ttl, ...(granted ? { Error: '' } : {}) }),
    fields: () => [...headerFields(event.header), `"ID" : ${event.id}`, `"TTL" : ${event.ttl}`].join('\n'),
  });
}

/** The header of a count-only read of one key: what the cluster would put in any answer now. */
function headerNow(etcd: Etcd): Observable<ResponseHeader> {
  return etcd.range('\u0000', { countOnly: true, serializable: false }).pipe(map((r) => r.header));
}
