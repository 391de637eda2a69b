/**
 * A work queue: producers put jobs under `work/jobs/`; consumers claim each one with a
 * transaction, at most CONCURRENCY at a time each, and record its result exactly once.
 *
 *   npx tsx examples/work-queue.ts                          # a demo: 12 jobs, 3 consumers, one crashes
 *   ETCD_SERVERS=… npx tsx examples/work-queue.ts produce 30
 *   ETCD_SERVERS=… npx tsx examples/work-queue.ts consume alice [concurrency]
 *
 * A claim is a key `work/claims/<job>` bound to the consumer's lease: a consumer that crashes
 * (or freezes past the lease's TTL, 5 s here) loses its claims with its lease, and the jobs
 * become claimable again. Finishing is one transaction that holds only while the claim is the
 * very one this consumer created (its createRevision): it deletes the job and the claim and
 * writes `work-done/<job>`. So no job is recorded done twice, whatever crashes; side effects
 * outside etcd should be idempotent, or fenced with that revision.
 *
 * Back-pressure: a consumer claims a job only when one of its CONCURRENCY slots is free
 * (`mergeMap`'s limit); the jobs it cannot take yet stay unclaimed in etcd for the others.
 */
import { defer, filter, firstValueFrom, map, mergeMap, Observable, retry, switchMap, tap, timer } from 'rxjs';
import { Compare, Etcd, Op } from 'etcd-rx';
import { onInterrupt, runExample } from './run-example';

const QUEUE = 'work/';
const JOBS = `${QUEUE}jobs/`;
const CLAIMS = `${QUEUE}claims/`;
const DONE = 'work-done/';
const TTL_SECONDS = 5;
const WORK_MS = Number(process.env.WORK_MS || 300);

/**
 * The ids of the jobs nobody holds, each time one becomes so: put by a producer, or freed when
 * its claim's lease ended.
 */
function claimable(etcd: Etcd): Observable<string> {
  return defer(() => {
    let before = new Set<string>();
    return etcd.mirror({ prefix: QUEUE }).pipe(
      mergeMap(({ entries }) => {
        const free = new Set<string>();
        for (const key of entries.keys()) {
          const id = key.slice(JOBS.length);
          if (key.startsWith(JOBS) && !entries.has(CLAIMS + id)) free.add(id);
        }
        const fresh = [...free].filter((id) => !before.has(id));
        before = free;
        return fresh;
      }),
    );
  });
}

/** Claims job `id` for lease `lease`, does it, and records it done; emits what happened. */
function runJob(etcd: Etcd, name: string, lease: string, id: string): Observable<string> {
  const claim = etcd.txn({
    compare: [Compare.version(JOBS + id, '>', 0), Compare.version(CLAIMS + id, '==', 0)],
    success: [Op.put(CLAIMS + id, name, { lease }), Op.get(JOBS + id)],
  });
  return claim.pipe(
    // Someone else was faster, or it is done already: nothing to do.
    filter((claimed) => claimed.succeeded),
    tap(() => console.log(`${name}: claimed ${id}`)),
    switchMap((claimed) => {
      const job = claimed.responses[1];
      const { n } = JSON.parse(job.type === 'range' ? (job.result.kvs[0]?.value ?? '{}') : '{}') as { n?: number };
      // The work itself: here, a square that takes a while.
      return timer(WORK_MS).pipe(map(() => ({ claimedAt: claimed.header.revision, result: (n ?? 0) ** 2 })));
    }),
    switchMap(({ claimedAt, result }) =>
      etcd.txn({
        compare: [Compare.createRevision(CLAIMS + id, '==', claimedAt)],
        success: [Op.delete(JOBS + id), Op.delete(CLAIMS + id), Op.put(DONE + id, JSON.stringify({ by: name, result }))],
      }),
    ),
    map((finished) => (finished.succeeded ? `${name}: done ${id}` : `${name}: lost the claim on ${id} (its lease ended); another consumer does it`)),
  );
}

/**
 * A consumer: a lease kept alive while it runs, and at most `concurrency` jobs at a time. When
 * the lease is lost it starts over with a new one (its claims went with the old one).
 * @example consume(etcd, 'alice', 2).subscribe(console.log)
 */
export function consume(etcd: Etcd, name: string, concurrency: number): Observable<string> {
  return etcd.lease(TTL_SECONDS).pipe(
    filter((event) => event.type === 'granted'),
    switchMap((grant) => claimable(etcd).pipe(mergeMap((id) => runJob(etcd, name, grant.id, id), concurrency))),
    retry({ delay: () => timer(1000) }),
  );
}

/** Puts `count` jobs, numbered after those already queued or done. */
async function produce(etcd: Etcd, count: number): Promise<void> {
  const stamp = Date.now().toString(36);
  for (let i = 1; i <= count; i++) {
    const id = `${stamp}-${String(i).padStart(4, '0')}`;
    await firstValueFrom(etcd.put(JOBS + id, JSON.stringify({ n: i })));
  }
  console.log(`produced ${count} job(s) under ${JOBS}`);
}

/** 12 jobs, three consumers; carol crashes after her first claim and the others finish. */
async function demonstrate(etcd: Etcd): Promise<void> {
  await produce(etcd, 12);
  const consumers = new Map(['alice', 'bob', 'carol'].map((name) => [name, consume(etcd, name, 2).subscribe(console.log)]));
  // A crash, as far as etcd can tell: the lease is gone, and with it carol's claims.
  const crash = etcd.watch({ prefix: CLAIMS }).subscribe((batch) => {
    if (batch.events.some((e) => e.type === 'put' && e.kv.value === 'carol')) {
      console.log('carol: crashed, holding a claim');
      consumers.get('carol')?.unsubscribe();
      crash.unsubscribe();
    }
  });
  await firstValueFrom(etcd.mirror({ prefix: JOBS }).pipe(filter((state) => state.entries.size === 0)));
  consumers.forEach((consumer) => consumer.unsubscribe());
  crash.unsubscribe();
  const done = await firstValueFrom(etcd.range({ prefix: DONE }));
  const once = done.kvs.every((kv) => kv.version === 1);
  console.log(`${done.kvs.length} job(s) done, ${once ? 'each recorded once' : 'SOME RECORDED TWICE'}`);
  await firstValueFrom(etcd.delete({ prefix: DONE }));
}

const [mode, arg, concurrency] = process.argv.slice(2);
runExample(async (etcd) => {
  if (mode === 'produce') return produce(etcd, Number(arg ?? 10));
  if (mode === 'consume') {
    const name = arg ?? `consumer-${process.pid}`;
    console.log(`${name}: consuming ${JOBS} with ${Number(concurrency ?? 2)} job(s) at a time — Ctrl-C to stop`);
    const consumer = consume(etcd, name, Number(concurrency ?? 2)).subscribe(console.log);
    await new Promise<void>((resolve) => onInterrupt(resolve));
    consumer.unsubscribe();
    return;
  }
  await demonstrate(etcd);
});
