import { firstValueFrom } from 'rxjs';
import { Etcd, EtcdClientClosedError, EtcdInvalidArgumentError, LeaseEvent, LeaseLostError } from '../../src';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { Recorder } from './helpers';

describe('leases as streams against a real 3-member cluster', () => {
  let etcd: Etcd;
  let other: Etcd;
  // Declared before the cluster's hooks, so clients close (revoking what they hold) while it still runs.
  afterAll(async () => {
    await etcd?.close();
    await other?.close();
  });
  const cluster = useCluster(3);
  beforeAll(() => {
    etcd = new Etcd({ endpoints: cluster().endpoints });
    other = new Etcd({ endpoints: [...cluster().endpoints].reverse() });
  });

  const live = async (id: string) => (await firstValueFrom(other.leases())).includes(id);

  it('grants on subscribe, renews about every TTL/3 and revokes on unsubscribe, taking its keys along', async () => {
    const lease = new Recorder<LeaseEvent>(etcd.lease(3));
    const granted = await lease.next((e) => e.type === 'granted', 'the grant');
    expect(granted.ttl).toBe(3);
    expect(granted.validUntil).toBeGreaterThan(Date.now());
    await firstValueFrom(etcd.put('lease/owned', 'x', { lease: granted.id }));
    await lease.next(() => lease.values.filter((e) => e.type === 'renewed').length >= 3, 'three renewals');
    const renewals = lease.values.filter((e) => e.type === 'renewed');
    expect(renewals.every((e) => e.id === granted.id && e.ttl === 3)).toBe(true);
    // Three renewals of a 3 s lease at TTL/3 take about 3 s: far less than the 9 s they would at TTL.
    expect(lease.times[3] - lease.times[0]).toBeLessThan(6000);
    expect(lease.error).toBeUndefined();
    expect((await firstValueFrom(other.timeToLive(granted.id))).ttl).toBeGreaterThan(1);

    lease.unsubscribe();
    await waitFor(async () => !(await live(granted.id)), 'the lease to be revoked');
    expect((await firstValueFrom(other.get('lease/owned'))).none).toBe(true);
  });

  it('fails with LeaseLostError (gone) soon after the lease is revoked elsewhere', async () => {
    const lease = new Recorder<LeaseEvent>(etcd.lease(3));
    const granted = await lease.next((e) => e.type === 'granted', 'the grant');
    const revokedAt = Date.now();
    await firstValueFrom(other.revokeLease(granted.id));
    const error = await lease.failure('the loss');
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).reason).toBe('gone');
    expect((error as LeaseLostError).leaseId).toBe(granted.id);
    // The next keep-alive (within TTL/3) is what tells.
    expect(lease.errorAt - revokedAt).toBeLessThan(3000);
  });

  it('keeps an existing lease alive past its TTL without revoking it at the end; an unknown lease is lost at once', async () => {
    const grant = await firstValueFrom(other.grantLease(3));
    const keeping = new Recorder<LeaseEvent>(etcd.keepAlive(grant.id));
    // Renewals spanning more than the 3 s TTL: only they kept the lease alive.
    await keeping.next(() => keeping.values.length >= 5 && Date.now() - keeping.times[0] > 3000, 'renewals beyond the TTL');
    expect(keeping.values.every((e) => e.type === 'renewed' && e.id === grant.id && e.ttl === 3)).toBe(true);
    expect(Date.now() - keeping.times[0]).toBeGreaterThan(3000);
    expect(await live(grant.id)).toBe(true);

    keeping.unsubscribe();
    // Not revoked: the lease belongs to whoever granted it, and expires by itself.
    expect((await firstValueFrom(other.timeToLive(grant.id))).ttl).toBeGreaterThan(0);
    await waitFor(async () => !(await live(grant.id)), 'the lease to expire');

    const unknown = new Recorder<LeaseEvent>(etcd.keepAlive(grant.id));
    const error = await unknown.failure('the loss');
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).reason).toBe('gone');
    expect(unknown.values).toEqual([]);
  });

  it('answers timeToLive with keys, lists leases and revokes by id, in decimal or 0x hexadecimal', async () => {
    const grant = await firstValueFrom(etcd.grantLease(30));
    expect(BigInt(`0x${grant.idHex}`).toString()).toBe(grant.id);
    await firstValueFrom(etcd.put('lease/ttl-key', 'v', { lease: `0x${grant.idHex}` }));
    const ttl = await firstValueFrom(etcd.timeToLive(`0x${grant.idHex}`, { keys: true }));
    expect(ttl).toMatchObject({ id: grant.id, idHex: grant.idHex });
    expect(ttl.grantedTtl).toBe(30);
    expect(ttl.ttl).toBeGreaterThan(25);
    expect(ttl.keys.map((k) => k.toString())).toEqual(['lease/ttl-key']);
    expect(await live(grant.id)).toBe(true);
    await firstValueFrom(etcd.revokeLease(grant.id));
    expect((await firstValueFrom(etcd.timeToLive(grant.id))).ttl).toBe(-1);
    // The list is each member's own: a follower drops the lease once it has applied the revocation.
    await waitFor(async () => !(await live(grant.id)), 'the revoked lease to leave the list');
    expect((await firstValueFrom(etcd.get('lease/ttl-key'))).none).toBe(true);
  });

  it('refuses a TTL that is not a whole number of seconds and a renewal period not below the TTL', async () => {
    await expect(firstValueFrom(etcd.lease(0))).rejects.toBeInstanceOf(EtcdInvalidArgumentError);
    await expect(firstValueFrom(etcd.lease(1.5))).rejects.toThrow(/ttl must be a whole number/);
    const before = await firstValueFrom(other.leases());
    await expect(firstValueFrom(etcd.lease(5, { keepAliveEveryMs: 5000 }))).rejects.toThrow(/keepAliveEveryMs must be between 0 and the TTL/);
    // Refused before anything was granted.
    expect((await firstValueFrom(other.leases())).filter((id) => !before.includes(id))).toEqual([]);
  });

  it('on close() ends the streams it holds with EtcdClientClosedError, revoking their leases before it returns', async () => {
    const closing = new Etcd({ endpoints: cluster().endpoints });
    const lease = new Recorder<LeaseEvent>(closing.lease(30));
    const granted = await lease.next((e) => e.type === 'granted', 'the grant');
    await closing.close();
    expect(lease.error).toBeInstanceOf(EtcdClientClosedError);
    expect(await live(granted.id)).toBe(false);
    await expect(firstValueFrom(closing.lease(5))).rejects.toBeInstanceOf(EtcdClientClosedError);
  });
});
