/**
 * Leader election with etcd-rx. Run it in three terminals with a different name each:
 *
 *   ETCD_SERVERS=http://127.0.0.1:2379 npx tsx examples/leader-election.ts alice
 *   ETCD_SERVERS=http://127.0.0.1:2379 npx tsx examples/leader-election.ts bob
 *   ETCD_SERVERS=http://127.0.0.1:2379 npx tsx examples/leader-election.ts carol
 *
 * One of them leads; every node prints who leads, including changes between the others. Stop the
 * leader with Ctrl-C (it resigns: the next one takes over at once) or `kill -9` it (its lease
 * expires: the next one takes over within the TTL, 5 s here). A node that loses leadership
 * (frozen, cut off) is told so and campaigns again.
 */
import { retry, Subscription, tap, timer } from 'rxjs';
import { Etcd, LeaseLostError } from 'etcd-rx';
import { onInterrupt } from './run-example';

const ELECTION = 'examples/leader-election';
const TTL_SECONDS = 5;

function main(): void {
  const name = process.argv[2];
  if (!name) {
    console.error('usage: tsx examples/leader-election.ts <node-name>   (endpoints from ETCD_SERVERS)');
    process.exit(2);
  }
  const etcd = new Etcd();
  const election = etcd.election(ELECTION);
  const log = (text: string) => console.log(`${new Date().toISOString().slice(11, 23)} [${name}] ${text}`);

  const subscriptions = new Subscription();
  subscriptions.add(
    election.observe().subscribe({
      next: (leader) => log(`leader is ${leader.value} (since revision ${leader.revision})`),
      error: (error: Error) => log(`observing failed: ${error.message}`),
    }),
  );
  log(`campaigning with a ${TTL_SECONDS} s lease`);
  subscriptions.add(
    election
      .campaign(name, { ttl: TTL_SECONDS })
      .pipe(
        tap({
          error: (error: Error) =>
            log(error instanceof LeaseLostError ? `lost the leadership (${error.reason}); campaigning again` : `campaign failed: ${error.message}`),
        }),
        // Losing is an event like any other: wait a moment and stand again.
        retry({ delay: () => timer(1000) }),
      )
      .subscribe((event) => {
        if (event.type === 'elected') log(`I am the leader now (fencing token ${event.leadership.fencingToken})`);
      }),
  );

  onInterrupt(() => {
    log('resigning and leaving');
    // Unsubscribing resigns (the lease is revoked); close() waits for that.
    subscriptions.unsubscribe();
    etcd.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main();
