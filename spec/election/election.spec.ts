import { firstValueFrom, mergeMap, timer } from 'rxjs';
import { CampaignEvent, Etcd, EtcdClientClosedError, EtcdInvalidArgumentError, Leader, LeaseLostError } from '../../src';
import { ChildClient, Recorder } from '../lease/helpers';
import { startFakeServer, versionThen } from '../support/fake-server';
import { useClusterWithClients } from '../support/cluster';
import { waitFor } from '../support/wait';

const TTL = 3;
// Beyond the TTL: etcd checks for expired leases every 500 ms, then the deletion goes through raft.
const MARGIN_MS = 2000;

describe('leader election against a real 3-member cluster', () => {
  // Each client starts on a different member, so the queue is shared through the cluster.
  const { cluster, client } = useClusterWithClients(3);
  let etcd: Etcd;
  beforeAll(() => {
    etcd = client();
  });

  const candidates = async (name: string) => (await firstValueFrom(etcd.range({ prefix: `${name}/` }))).kvs;
  const leaderValue = async (name: string) => {
    const leader = await firstValueFrom(etcd.election(name).leader());
    return leader.some ? leader.val.value : undefined;
  };
  const elected = (e: CampaignEvent) => e.type === 'elected';
  const leadershipOf = (r: Recorder<CampaignEvent>) => {
    const event = r.values.find(elected);
    if (event?.type !== 'elected') throw new Error('not elected');
    return event.leadership;
  };

  it('campaigns, proclaims and resigns, with the leader visible to everyone', async () => {
    expect(await leaderValue('basic')).toBeUndefined();
    const campaign = new Recorder<CampaignEvent>(client().election('basic').campaign('alpha', { ttl: TTL }));
    await campaign.next(elected, 'the election');
    const leadership = leadershipOf(campaign);
    expect(await leaderValue('basic')).toBe('alpha');
    expect((await firstValueFrom(leadership.proclaim('alpha-2'))).ok).toBe(true);
    expect(await leaderValue('basic')).toBe('alpha-2');

    await firstValueFrom(leadership.resign());
    await waitFor(() => campaign.completed, 'the campaign to complete');
    expect(campaign.values.map((e) => e.type)).toEqual(['elected', 'resigned']);
    expect(await leaderValue('basic')).toBeUndefined();
    await waitFor(async () => (await firstValueFrom(etcd.timeToLive(leadership.leaseId))).ttl === -1, 'its lease to be revoked');
    expect((await firstValueFrom(leadership.proclaim('too late'))).err).toBe(true);
  });

  it('ends a resigned campaign with `resigned`, never a loss, even when its key check runs while the resign is answered', async () => {
    // The hold re-reads its key at each renewal (every TTL/3). A resign sent just before a
    // renewal deletes the key before its own answer arrives; a check run in between must not
    // report the leadership lost. Twenty campaigns resign 300 times in all, around the first renewal.
    const ttl = 2;
    const renewalMs = (ttl * 1000) / 3;
    const outcomes: string[] = [];
    const resignNearRenewal = (name: string) =>
      new Promise<void>((done) => {
        etcd
          .election(name)
          .campaign('me', { ttl })
          .subscribe({
            next: (event) => {
              if (event.type === 'resigned') outcomes.push('resigned');
              // Spread over ±20 ms around the renewal, where the race lives.
              else
                timer(renewalMs - 20 + Math.random() * 40)
                  .pipe(mergeMap(() => event.leadership.resign()))
                  .subscribe({ error: (e: Error) => outcomes.push(`resign failed: ${e.message}`) });
            },
            error: (e: Error) => {
              outcomes.push(`${e.name}: ${e.message}`);
              done();
            },
            complete: done,
          });
      });
    await Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        for (let round = 0; round < 15; round++) await resignNearRenewal(`resign-race-${worker}`);
      }),
    );
    expect(outcomes.filter((o) => o !== 'resigned')).toEqual([]);
    expect(outcomes).toHaveLength(300);
  });

  it('lets observers in other clients see every change between other nodes, in order', async () => {
    const observers = [new Recorder<Leader>(client().election('relay').observe()), new Recorder<Leader>(client().election('relay').observe())];
    const a = new Recorder<CampaignEvent>(client().election('relay').campaign('a', { ttl: TTL }));
    await a.next(elected, 'a to be elected');
    for (const observer of observers) await observer.next((l) => l.value === 'a', 'the observer to see a');
    const b = new Recorder<CampaignEvent>(client().election('relay').campaign('b', { ttl: TTL }));
    await waitFor(async () => (await candidates('relay')).length === 2, 'b to stand');
    await firstValueFrom(leadershipOf(a).proclaim('a2'));
    a.unsubscribe();
    await b.next(elected, 'b to be elected');
    await firstValueFrom(leadershipOf(b).proclaim('b2'));
    for (const observer of observers) {
      await observer.next((l) => l.value === 'b2', 'the observer to see b2');
      expect(observer.values.map((l) => l.value)).toEqual(['a', 'a2', 'b', 'b2']);
      expect(observer.values.filter((l, i) => i > 0 && l.modRevision <= observer.values[i - 1].modRevision && l.key === observer.values[i - 1].key)).toEqual(
        [],
      );
      expect(observer.values[2].revision).toBeGreaterThan(observer.values[0].revision);
      expect(observer.completed || observer.error !== undefined).toBe(false);
      observer.unsubscribe();
    }
    b.unsubscribe();
  });

  it('leaves no key behind when a campaign that has not won is unsubscribed', async () => {
    const leader = new Recorder<CampaignEvent>(client().election('quit').campaign('leader', { ttl: TTL }));
    await leader.next(elected, 'the leader');
    const quitter = new Recorder<CampaignEvent>(client().election('quit').campaign('quitter', { ttl: TTL }));
    await waitFor(async () => (await candidates('quit')).length === 2, 'the quitter to stand');
    const quitterLease = (await candidates('quit')).find((kv) => kv.value === 'quitter')!.lease;
    quitter.unsubscribe();
    await waitFor(async () => (await candidates('quit')).length === 1, 'the quitter key to go');
    await waitFor(async () => (await firstValueFrom(etcd.timeToLive(quitterLease))).ttl === -1, 'the quitter lease to go');
    expect(quitter.values).toEqual([]);
    leader.unsubscribe();
    await waitFor(async () => (await candidates('quit')).length === 0, 'the leader key to go');
  });

  it('tells a leader whose lease is revoked, and elects the next candidate within the TTL', async () => {
    const first = new Recorder<CampaignEvent>(client().election('revoked').campaign('first', { ttl: TTL }));
    await first.next(elected, 'the first leader');
    const second = new Recorder<CampaignEvent>(client().election('revoked').campaign('second', { ttl: TTL }));
    await waitFor(async () => (await candidates('revoked')).length === 2, 'the second to stand');
    const revokedAt = Date.now();
    await firstValueFrom(etcd.revokeLease(leadershipOf(first).leaseId));
    const lost = await first.failure('the first to hear of its loss');
    expect(lost).toBeInstanceOf(LeaseLostError);
    await second.next(elected, 'the second to be elected');
    expect(second.times[0] - revokedAt).toBeLessThan(TTL * 1000);
    expect(leadershipOf(second).fencingToken).toBeGreaterThan(leadershipOf(first).fencingToken);
    second.unsubscribe();
  });

  it('replaces a leader whose process is SIGKILLed within TTL + a margin, and observers see the change in order', async () => {
    const observers = [new Recorder<Leader>(client().election('killed').observe()), new Recorder<Leader>(client().election('killed').observe())];
    const child = ChildClient.start('election/fixtures/campaign.ts', [cluster().endpoints.join(','), 'killed', 'child', String(TTL)]);
    try {
      await child.report('elected', 'the child to be elected');
      for (const observer of observers) await observer.next((l) => l.value === 'child', 'the observer to see the child');
      const follower = new Recorder<CampaignEvent>(client().election('killed').campaign('follower', { ttl: TTL }));
      await waitFor(async () => (await candidates('killed')).length === 2, 'the follower to stand');
      await child.kill();
      const killedAt = Date.now();
      await follower.next(elected, 'the follower to be elected', 30_000);
      expect(follower.times[0] - killedAt).toBeLessThan(TTL * 1000 + MARGIN_MS);
      for (const observer of observers) {
        await observer.next((l) => l.value === 'follower', 'the observer to see the follower');
        expect(observer.values.map((l) => l.value)).toEqual(['child', 'follower']);
        observer.unsubscribe();
      }
      follower.unsubscribe();
    } finally {
      await child.kill();
    }
  }, 120_000);

  it('on close(), ends a campaign with EtcdClientClosedError (its key revoked) and completes an observation', async () => {
    const closing = client();
    const campaign = new Recorder<CampaignEvent>(closing.election('closing').campaign('going', { ttl: TTL }));
    await campaign.next(elected, 'the election');
    const observer = new Recorder<Leader>(closing.election('closing').observe());
    await observer.next((l) => l.value === 'going', 'the observation');
    await closing.close();
    expect(campaign.error).toBeInstanceOf(EtcdClientClosedError);
    expect([observer.completed, observer.error]).toEqual([true, undefined]);
    expect(await candidates('closing')).toEqual([]);
  });

  it('refuses an empty election name', () => {
    expect(() => etcd.election('')).toThrow(EtcdInvalidArgumentError);
  });
});

describe('observe when etcd ends the stream quietly', () => {
  const line = (value: string, revision: number) =>
    JSON.stringify({
      result: {
        header: { revision: String(revision) },
        kv: {
          key: Buffer.from(`e/${value}`).toString('base64'),
          value: Buffer.from(value).toString('base64'),
          create_revision: String(revision),
          mod_revision: String(revision),
          version: '1',
          lease: '7',
        },
      },
    }) + '\n';

  it('re-observes for ever, without repeating a leader it already reported', async () => {
    // The real trigger (the server's internal watch breaking) cannot be caused on demand: this
    // server answers like etcd, ending the first two streams after their messages.
    const answers = [line('a', 5), line('a', 5) + line('b', 7), line('b', 7)];
    let served = 0;
    const server = await startFakeServer(
      versionThen((_request, response) => {
        const answer = answers[Math.min(served++, answers.length - 1)];
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(answer);
        if (served < answers.length) response.end();
      }),
    );
    const etcd = new Etcd({ endpoints: server.url });
    try {
      const observer = new Recorder<Leader>(etcd.election('e').observe());
      await waitFor(() => server.requests.filter((r) => r.startsWith('POST /v3/election/observe')).length >= 3, 'a third observe request');
      await observer.next((l) => l.value === 'b', 'b');
      expect(observer.values.map((l) => [l.value, l.revision])).toEqual([
        ['a', 5],
        ['b', 7],
      ]);
      expect(observer.completed).toBe(false);
      expect(observer.error).toBeUndefined();
      observer.unsubscribe();
      await waitFor(() => server.closedEarly.length === 1, 'the open stream to be aborted');
    } finally {
      await etcd.close();
      await server.close();
    }
  });
});
