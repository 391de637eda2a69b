/**
 * The tour of etcd-rx: put, get, compare-and-set, a prefix listing, a key with a TTL expiring,
 * and the cluster's leader. Run with `npm run demo`.
 *
 * It uses the cluster named by ETCD_SERVERS / ETCDCTL_ENDPOINTS when one is set; otherwise it
 * starts a throwaway local etcd member itself, and stops it at the end.
 */
import { firstValueFrom, lastValueFrom, filter, interval, switchMap, take, toArray, timeout } from 'rxjs';
import { Op } from 'etcd-rx';
import { runExample } from './run-example';

runExample(async (etcd) => {
  const written = await firstValueFrom(etcd.put('demo/greeting', 'hello'));
  console.log(`put demo/greeting = hello            (revision ${written.revision})`);

  const read = await firstValueFrom(etcd.get('demo/greeting'));
  console.log(`get demo/greeting -> ${read.some ? read.val.value : '(absent)'}`);
  const missing = await firstValueFrom(etcd.get('demo/nothing'));
  console.log(`get demo/nothing  -> ${missing.some ? missing.val.value : 'None (absent)'}`);

  const swapped = await firstValueFrom(etcd.compareAndSet('demo/greeting', 'bonjour', { value: 'hello' }));
  console.log(`compare-and-set hello -> bonjour: ${swapped.ok ? 'written' : 'compare failed'}`);
  const refused = await firstValueFrom(etcd.compareAndSet('demo/greeting', 'hola', { value: 'hello' }));
  if (refused.err) console.log(`compare-and-set hello -> hola: compare failed, value is now ${refused.val.current.unwrap().value}`);

  const services = { 'demo/services/web': 8080, 'demo/services/api': 9090, 'demo/services/db': 5432 };
  for (const [key, port] of Object.entries(services)) await firstValueFrom(etcd.putJson(key, { port }));
  const listed = await lastValueFrom(etcd.list({ prefix: 'demo/services/' }).pipe(toArray()));
  console.log(`prefix demo/services/: ${listed.map((kv) => `${kv.key}=${kv.value}`).join(', ')}`);

  await firstValueFrom(etcd.put('demo/session', 'short-lived', { ttl: 1 }));
  console.log('put demo/session with a 1 s TTL; waiting for it to expire...');
  const started = Date.now();
  await firstValueFrom(
    interval(200).pipe(
      switchMap(() => etcd.get('demo/session')),
      filter((kv) => kv.none),
      take(1),
      timeout(15_000),
    ),
  );
  console.log(`demo/session expired after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const leader = await firstValueFrom(etcd.leaderMember());
  console.log(`leader: ${leader.name} (id ${leader.id}) at ${leader.clientUrls.join(', ')}`);

  // Only the keys written above: against a cluster of your own, nothing else under demo/ goes.
  const ours = ['demo/greeting', ...Object.keys(services)];
  await firstValueFrom(etcd.txn({ success: ours.map((key) => Op.delete(key)) }));
});
