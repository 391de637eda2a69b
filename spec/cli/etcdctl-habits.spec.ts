/**
 * What etcdctl users type, run through both tools on the same real etcd: the json and fields
 * forms of get, put, del, txn and lease, the refused table form, and the flags etcdctl has
 * (put from stdin, --ignore-value/--ignore-lease, keep-alive --once, compaction, txn -i,
 * watch -- CMD, --hex, ETCDCTL_WRITE_OUT, --discovery-srv).
 */
import * as fs from 'fs';
import { useCluster } from '../support/cluster';
import { waitFor } from '../support/wait';
import { CliResult, ok, useCli } from './support/cli';

describe('etcd-rx next to etcdctl: output forms and everyday flags', () => {
  const cluster = useCluster(1);
  const cli = useCli(cluster);
  const same = cli.same;
  /**
   * Runs a write through both tools, one after the other, each after `before` sets the same state:
   * the answers differ only in revisions and versions.
   */
  const sameWrite = async (args: readonly string[], options: { input?: string; before?: () => Promise<unknown> } = {}) => {
    await options.before?.();
    const actual = await cli.run(args, options);
    await options.before?.();
    const expected = await cli.etcdctl(args, options);
    expect({ args, code: actual.code, stdout: revisionless(actual) }).toEqual({ args, code: expected.code, stdout: revisionless(expected) });
    return actual;
  };

  /**
   * Runs a failing command through both tools: the same exit code, stdout, and message (etcd-rx
   * says `etcd-rx:` where etcdctl says `Error:`); answers etcd-rx's run.
   */
  const sameFailure = async (args: readonly string[]) => {
    const [actual, expected] = [await cli.run(args), await cli.etcdctl(args)];
    const seen = (result: CliResult) => ({ args, code: result.code, stdout: result.stdout, stderr: result.stderr.replace(/^(etcd-rx|Error): /gm, '') });
    expect(seen(actual)).toEqual(seen(expected));
    return actual;
  };

  it('get -w json prints one object: the header with the read revision, kvs in base64, count, and more when --limit cut the list', async () => {
    for (const [k, v] of [
      ['forms/a', '1'],
      ['forms/b', 'two words'],
      ['forms/c', 'q"uote\n'],
    ])
      ok(await cli.etcdctl(['put', k, v]));
    const cut = await same(['get', 'forms/', '--prefix', '--limit', '2', '-w', 'json']);
    const answer = JSON.parse(cut.stdout) as { header: { revision: number }; kvs: { key: string }[]; count: number; more: boolean };
    expect([answer.kvs.length, answer.count, answer.more, answer.header.revision > 0]).toEqual([2, 3, true, true]);
    for (const w of ['json', 'fields']) {
      await same(['get', 'forms/', '--prefix', '-w', w]);
      await same(['get', 'forms/', '--prefix', '--keys-only', '--sort-by', 'VALUE', '--order', 'DESCEND', '-w', w]);
      await same(['get', 'forms/none', '-w', w]);
    }
    await same(['get', 'forms/', '--prefix', '--hex']);
    await same(['get', 'forms/a', '--print-value-only', '-w', 'json']);
    // ETCDCTL_WRITE_OUT picks the format when -w is not given.
    expect((await cli.run(['get', 'forms/a'], { env: { ETCDCTL_WRITE_OUT: 'json' } })).stdout).toBe(
      (await cli.etcdctl(['get', 'forms/a', '-w', 'json'])).stdout,
    );
  });

  it('refuses -w table where etcdctl does, with its message and exit code 4, before doing anything', async () => {
    const leases = ok(await cli.etcdctl(['lease', 'list'])).stdout;
    for (const args of [
      ['get', 'forms/a'],
      ['put', 'table/k', 'v'],
      ['del', 'forms/a'],
      ['lease', 'grant', '60'],
      ['lease', 'list'],
      ['watch', 'forms/a'],
    ]) {
      const result = await cli.run([...args, '-w', 'table']);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 4, stderr: 'Error: table not supported as output format\n' });
    }
    // Nothing was written, deleted or granted (etcdctl refuses only after doing it).
    expect(ok(await cli.etcdctl(['get', 'table/k'])).stdout).toBe('');
    expect(ok(await cli.etcdctl(['get', 'forms/a', '--print-value-only'])).stdout).toBe('1\n');
    expect(ok(await cli.etcdctl(['lease', 'list'])).stdout).toBe(leases);
    // etcdctl refuses these (the ones that change nothing) with the same message and code.
    for (const args of [
      ['get', 'forms/a'],
      ['lease', 'list'],
    ]) {
      const theirs = await cli.etcdctl([...args, '-w', 'table']);
      expect({ args, code: theirs.code, stderr: theirs.stderr }).toEqual({ args, code: 4, stderr: 'Error: table not supported as output format\n' });
    }
  });

  it('prints put, del and txn answers as etcdctl does, in every form', async () => {
    const putK = () => cli.etcdctl(['put', 'w/k', 'v']);
    for (const w of ['simple', 'json', 'fields']) {
      await sameWrite(['put', 'w/k', 'v', '--prev-kv', '-w', w], { before: putK });
      await sameWrite(['del', 'w/k', '--prev-kv', '-w', w], { before: putK });
      await sameWrite(['txn', '-w', w], { input: 'version("w/none") = "0"\n\nput w/t no\nget w/t\ndel w/gone\nget w/none\n\nput w/t yes\n\n' });
    }
    await sameWrite(['txn', '-w', 'json'], { input: 'version("w/t") > "0"\n\nput w/t again\nget w/ --prefix --keys-only\n\n\n' });
  });

  it('prints FAILURE and exits 0 when the compares of a txn fail, as etcdctl does, in every form', async () => {
    ok(await cli.etcdctl(['put', 'fail/k', 'blue']));
    const failing = 'value("fail/k") = "green"\n\nput fail/k red\n\nget fail/k\nput fail/seen yes\ndel fail/none\n\n';
    for (const w of ['simple', 'json', 'fields']) {
      const ours = await sameWrite(['txn', '-w', w], { input: failing });
      expect({ w, code: ours.code, failed: /FAILURE|"Succeeded" : false|^\{"header"(?!.*"succeeded")/.test(ours.stdout) }).toEqual({
        w,
        code: 0,
        failed: true,
      });
    }
    expect(ok(await cli.etcdctl(['get', 'fail/k', '--print-value-only'])).stdout).toBe('blue\n');
  });

  it('puts the value read from stdin when VALUE is left out, and keeps the value or the lease with --ignore-value/--ignore-lease', async () => {
    await sameWrite(['put', 'in/k'], { input: 'from stdin\n' });
    expect(ok(await cli.run(['get', 'in/k', '--print-value-only'])).stdout).toBe('from stdin\n\n');
    const lease = /lease ([0-9a-f]+) granted/.exec(ok(await cli.etcdctl(['lease', 'grant', '300'])).stdout)?.[1] as string;
    ok(await cli.run(['put', 'in/k', '--ignore-value', '--lease', lease]));
    ok(await cli.run(['put', 'in/k', 'new value', '--ignore-lease']));
    const [kv] = (
      JSON.parse(ok(await cli.etcdctl(['get', 'in/k', '-w', 'json'])).stdout.replace(/"lease":(\d+)/, '"lease":"$1"')) as {
        kvs: { value: string; lease: string }[];
      }
    ).kvs;
    expect([Buffer.from(kv.value, 'base64').toString(), BigInt(kv.lease).toString(16).padStart(16, '0')]).toEqual(['new value', lease]);
    // Without a key, --ignore-value fails as etcdctl's does (etcd: "key not found").
    const [missing, theirs] = [await cli.run(['put', 'in/none', '--ignore-value']), await cli.etcdctl(['put', 'in/none', '--ignore-value'])];
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('key not found')]);
    expect([theirs.code, theirs.stderr]).toEqual([1, expect.stringContaining('key not found')]);
  });

  it('prints lease answers as etcdctl does: grant, timetolive, list, keep-alive, keep-alive --once, revoke', async () => {
    const grant = ok(await cli.run(['lease', 'grant', '600', '-w', 'fields'])).stdout;
    const id = BigInt(/"ID" : (\d+)/.exec(grant)?.[1] as string).toString(16);
    expect(grant).toMatch(/^"ClusterID" : \d+\n"MemberID" : \d+\n"Revision" : \d+\n"RaftTerm" : \d+\n"ID" : \d+\n"TTL" : 600\n$/);
    ok(await cli.etcdctl(['put', 'lease/k', 'v', '--lease', id]));
    for (const w of ['simple', 'json', 'fields']) {
      await same(['lease', 'list', '-w', w]);
      // The time left ticks: only TTL may differ, by a second.
      const [theirs, ours] = [await cli.etcdctl(['lease', 'timetolive', id, '--keys', '-w', w]), await cli.run(['lease', 'timetolive', id, '--keys', '-w', w])];
      expect(ttlless(ours)).toBe(ttlless(theirs));
      await same(['lease', 'keep-alive', '--once', id, '-w', w]);
      await same(['lease', 'timetolive', 'abc123', '-w', w]);
      // A lease etcd does not know: etcd's message and exit code 2, as etcdctl.
      const unknown = await sameFailure(['lease', 'keep-alive', '--once', 'abc123', '-w', w]);
      expect(unknown).toMatchObject({ code: 2, stderr: 'etcd-rx: etcdserver: requested lease not found\n' });
      // Without --once, the end of a lease it keeps alive is the command's end, not a failure.
      const ended = await same(['lease', 'keep-alive', 'abc123', '-w', w]);
      expect(ended).toMatchObject({ code: 0, stdout: w === 'simple' ? 'lease 0000000000abc123 expired or revoked.\n' : '' });
    }
    expect(ok(await cli.run(['lease', 'revoke', id, '-w', 'json'])).stdout).toMatch(
      /^\{"header":\{"cluster_id":\d+,"member_id":\d+,"revision":\d+,"raft_term":\d+\}\}\n$/,
    );
    expect(ok(await cli.etcdctl(['get', 'lease/k'])).stdout).toBe('');
  });

  it('compaction REV [--physical] prints what etcdctl prints', async () => {
    const revision = (JSON.parse(ok(await cli.run(['put', 'compaction/k', 'v', '-w', 'json'])).stdout) as { header: { revision: number } }).header.revision;
    expect(ok(await cli.run(['compaction', String(revision - 1)])).stdout).toBe(`compacted revision ${revision - 1}\n`);
    expect(ok(await cli.etcdctl(['compaction', String(revision), '--physical'])).stdout).toBe(`compacted revision ${revision}\n`);
    const again = await cli.run(['compaction', String(revision - 1), '--physical']);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('required revision has been compacted')]);
  });

  it('txn -i asks for each section on stdout with etcdctl prompts', async () => {
    const script = 'value("i/k") = ""\n\nput i/k asked\n\n\n';
    const ours = ok(await cli.run(['txn', '-i'], { input: script }));
    const theirs = ok(await cli.etcdctl(['txn', '-i'], { input: script }));
    expect(ours.stdout).toBe('compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\nFAILURE\n');
    expect(theirs.stdout.split('\n').slice(0, 3)).toEqual(ours.stdout.split('\n').slice(0, 3));
  });

  it('watch KEY -- CMD runs CMD for each event with the ETCD_WATCH_* variables etcdctl sets, and --hex shows bytes, as etcdctl', async () => {
    const record = (log: string) => `printf '%s|%s|%s|%s\\n' "$ETCD_WATCH_REVISION" "$ETCD_WATCH_EVENT_TYPE" "$ETCD_WATCH_KEY" "$ETCD_WATCH_VALUE" >> ${log}`;
    const [ourLog, theirLog] = [cli.tempFile('ours'), cli.tempFile('theirs')];
    const revisionOf = (result: CliResult) => (JSON.parse(ok(result).stdout) as { header: { revision: number } }).header.revision;
    const put = revisionOf(await cli.etcdctl(['put', 'cmd/k', 'a "b"', '-w', 'json']));
    const del = revisionOf(await cli.etcdctl(['del', 'cmd/k', '-w', 'json']));
    // Both catch up on the put and the delete from history, carried by one answer of revision `del`.
    const ours = cli.start(['watch', 'cmd/k', '--hex', '--rev', String(put), '--', 'sh', '-c', record(ourLog)]);
    const theirs = cli.startEtcdctl(['watch', 'cmd/k', '--hex', '--rev', String(put), '--', 'sh', '-c', record(theirLog)]);
    const logged = (log: string, text: string) => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes(text);
    await waitFor(() => logged(ourLog, 'DELETE') && logged(theirLog, 'DELETE'), 'both watches to run the command for the delete');
    // ETCD_WATCH_REVISION is the revision of the answer that carried the event, as etcdctl sets it.
    const caughtUp = `${del}|"PUT"|"cmd/k"|"a \\"b\\""\n${del}|"DELETE"|"cmd/k"|""\n`;
    expect([fs.readFileSync(ourLog, 'utf8'), fs.readFileSync(theirLog, 'utf8')]).toEqual([caughtUp, caughtUp]);
    // A change seen as it happens comes in an answer of its own revision.
    const live = revisionOf(await cli.etcdctl(['put', 'cmd/k', 'c', '-w', 'json']));
    await waitFor(() => logged(ourLog, '"c"') && logged(theirLog, '"c"'), 'both watches to run the command for the live put');
    const withLive = `${caughtUp}${live}|"PUT"|"cmd/k"|"c"\n`;
    expect([fs.readFileSync(ourLog, 'utf8'), fs.readFileSync(theirLog, 'utf8')]).toEqual([withLive, withLive]);
    expect(ours.stdout).toBe(
      'PUT\n\\x63\\x6d\\x64\\x2f\\x6b\n\\x61\\x20\\x22\\x62\\x22\nDELETE\n\\x63\\x6d\\x64\\x2f\\x6b\n\nPUT\n\\x63\\x6d\\x64\\x2f\\x6b\n\\x63\n',
    );
    expect(ours.stdout).toBe(theirs.stdout);
    ours.interrupt();
    expect((await ours.exited).code).toBe(0);

    // A command that fails ends the watch, as etcdctl's does (exit 1, naming the command).
    const failing = [cli.start(['watch', 'cmd/f', '--', 'false']), cli.startEtcdctl(['watch', 'cmd/f', '--', 'false'])];
    await waitFor(
      async () => (await cli.etcdctl(['put', 'cmd/f', 'x'])).code === 0 && !failing.some((p) => p.running),
      'the failing command to end both watches',
    );
    const [ourEnd, theirEnd] = await Promise.all(failing.map((p) => p.exited));
    expect([ourEnd.code, theirEnd.code]).toEqual([1, 1]);
    expect(failing[0].stderr).toBe('etcd-rx: command ["false"] error (exit status 1)\n');
    expect(failing[1].stderr).toBe('command ["false"] error (exit status 1)\n');
  });

  it('--discovery-srv looks up the SRV records etcdctl looks up, and fails as it does when there are none', async () => {
    const args = ['get', 'k', '--discovery-srv', 'etcd-rx-test.invalid'];
    const [ours, theirs] = [await cli.run(args), await cli.etcdctl(args)];
    expect([ours.code, theirs.code]).toEqual([1, 1]);
    expect(ours.stderr).toMatch(
      /^etcd-rx: dns lookup errors: .*_etcd-client-ssl\._tcp\.etcd-rx-test\.invalid.* and .*_etcd-client\._tcp\.etcd-rx-test\.invalid/,
    );
    const named = await cli.run([...args, '--discovery-srv-name', 'blue']);
    expect(named.stderr).toContain('_etcd-client-ssl-blue._tcp.etcd-rx-test.invalid');
  });

  it('--insecure-transport=false speaks TLS to an endpoint given without a scheme; --keepalive-timeout takes a duration', async () => {
    const hostPort = cluster().endpoints[0].replace('http://', '');
    const plain = await cli.run(['get', 'k', '--keepalive-timeout', '2s'], { env: { ETCD_SERVERS: hostPort } });
    expect(plain.code).toBe(0);
    const tls = await cli.run(['get', 'k', '--insecure-transport=false', '--command-timeout', '1s'], { env: { ETCD_SERVERS: hostPort } });
    expect([tls.code, tls.stderr]).toEqual([1, expect.stringContaining(`https://${hostPort}`)]);
    const bad = await cli.run(['get', 'k', '--keepalive-timeout', 'soon']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('--keepalive-timeout must be a duration')]);
  });

  it('reads the status of a snapshot file over 2 GiB as etcdctl does, without reading it whole', async () => {
    const file = cli.tempFile('big.db');
    ok(await cli.run(['snapshot', 'save', file]));
    // A sparse tail takes no disk: the pages are where they were, the file is 2.5 GiB.
    fs.truncateSync(file, 2.5 * 1024 ** 3);
    for (const w of ['simple', 'json', 'table', 'fields']) await same(['snapshot', 'status', file, '-w', w]);
  });
});

/** Output with revisions, versions and the lease TTL left out (they move between two runs). */
function revisionless(result: CliResult): string {
  return result.stdout
    .replace(/("(?:\w*[Rr]evision|\w*Version|revision|create_revision|mod_revision|version)"\s*:\s*)\d+/g, '$1N')
    .replace(/"(?:Prev)?Version" : \d+/g, 'V');
}

function ttlless(result: CliResult): string {
  return result.stdout.replace(/("?(?:TTL|ttl)"? ?: ?|remaining\()\d+/g, '$1T');
}
