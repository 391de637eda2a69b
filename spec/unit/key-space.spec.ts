import { Compare, EtcdInvalidArgumentError, EtcdProtocolError, Op } from '../../src';
import { WireKeyValue } from '../../src/kv/wire-key-value';
import { encodeSelector } from '../../src/kv/key-selector';
import { encodeTxn } from '../../src/kv/txn';
import { KeySpace } from '../../src/namespace/key-space';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const text = (wire: unknown) => Buffer.from(wire as string, 'base64').toString();
const ZERO = b64(Buffer.from([0]));

describe('a key space', () => {
  const space = KeySpace.of('app/');

  it('puts keys under the prefix and clamps ranges to it', () => {
    const range = (selector: Parameters<typeof encodeSelector>[0]) => {
      const wire = space.range(encodeSelector(selector));
      return [text(wire.key), wire.range_end === undefined ? undefined : text(wire.range_end)];
    };
    expect(range('k')).toEqual(['app/k', undefined]);
    expect(range({ prefix: 'x/' })).toEqual(['app/x/', 'app/x0']);
    expect(range({ prefix: '' })).toEqual(['app/', 'app0']);
    expect(range({ from: 'b', to: 'd' })).toEqual(['app/b', 'app/d']);
    expect(range({ from: 'b' })).toEqual(['app/b', 'app0']);
    // A prefix of 0xff bytes has no end of its own: it ends where the namespace does.
    expect(space.range(encodeSelector({ prefix: Buffer.from([0xff]) }))).toEqual({
      key: b64(Buffer.from([0x61, 0x70, 0x70, 0x2f, 0xff])),
      range_end: b64('app0'),
    });
  });

  it('nests, and a namespace of 0xff bytes reaches to the end of the store', () => {
    expect(space.nested('cache/').prefix.toString()).toBe('app/cache/');
    expect(KeySpace.of(Buffer.from([0xff])).range(encodeSelector({ prefix: '' })).range_end).toBe(ZERO);
  });

  it('refuses an empty or non-key prefix', () => {
    expect(() => KeySpace.of('')).toThrow(EtcdInvalidArgumentError);
    expect(() => KeySpace.of(42)).toThrow(/namespace prefix must be a string or a Uint8Array, got number 42/);
  });

  it('rewrites every key of a transaction, nested ones included, and of its answer', () => {
    const request = encodeTxn({
      compare: [Compare.value('a', '==', '1'), Compare.version({ prefix: 'p/' }, '>', 0)],
      success: [Op.put('b', 'v'), Op.get({ from: 'c' }), Op.delete({ prefix: 'd' }), Op.txn({ success: [Op.put('e', 'v')] })],
      failure: [Op.get('f')],
    });
    const wire = space.request('/v3/kv/txn', request) as {
      compare: { key: string; range_end?: string }[];
      success: Record<string, { key: string; range_end?: string; success?: { request_put: { key: string } }[] }>[];
      failure: { request_range: { key: string } }[];
    };
    expect(wire.compare.map((c) => text(c.key))).toEqual(['app/a', 'app/p/']);
    expect(text(wire.compare[1].range_end)).toBe('app/p0');
    expect(text(wire.success[0].request_put.key)).toBe('app/b');
    expect([text(wire.success[1].request_range.key), text(wire.success[1].request_range.range_end)]).toEqual(['app/c', 'app0']);
    expect(text(wire.success[2].request_delete_range.key)).toBe('app/d');
    expect(text(wire.success[3].request_txn.success?.[0].request_put.key)).toBe('app/e');
    expect(text(wire.failure[0].request_range.key)).toBe('app/f');

    const answer = space.response('/v3/kv/txn', {
      responses: [
        { response_range: { kvs: [{ key: b64('app/f'), value: b64('v') }] } },
        { response_put: { prev_kv: { key: b64('app/b') } } },
        { response_delete_range: { prev_kvs: [{ key: b64('app/d1') }] } },
        { response_txn: { responses: [{ response_range: { kvs: [{ key: b64('app/e') }] } }] } },
      ],
    }) as {
      responses: Record<
        string,
        { kvs?: { key: string }[]; prev_kv?: { key: string }; prev_kvs?: { key: string }[]; responses?: { response_range: { kvs: { key: string }[] } }[] }
      >[];
    };
    expect(text(answer.responses[0].response_range.kvs?.[0].key)).toBe('f');
    expect(text(answer.responses[1].response_put.prev_kv?.key)).toBe('b');
    expect(text(answer.responses[2].response_delete_range.prev_kvs?.[0].key)).toBe('d1');
    expect(text(answer.responses[3].response_txn.responses?.[0].response_range.kvs[0].key)).toBe('e');
  });

  it('names locks and elections inside the namespace and takes the prefix off their keys', () => {
    expect(text((space.request('/v3/lock/lock', { name: b64('jobs'), lease: '7' }) as { name: string }).name)).toBe('app/jobs');
    expect(text((space.response('/v3/lock/lock', { key: b64('app/jobs/694d') }) as { key: string }).key)).toBe('jobs/694d');
    const leader = space.request('/v3/election/proclaim', { leader: { name: b64('e'), key: b64('e/1'), rev: '3' }, value: b64('v') }) as {
      leader: Record<string, string>;
    };
    expect([text(leader.leader.name), text(leader.leader.key), leader.leader.rev]).toEqual(['app/e', 'app/e/1', '3']);
    const campaign = space.response('/v3/election/campaign', { leader: { name: b64('app/e'), key: b64('app/e/1') } }) as { leader: Record<string, string> };
    expect([text(campaign.leader.name), text(campaign.leader.key)]).toEqual(['e', 'e/1']);
    expect(text((space.response('/v3/election/observe', { kv: { key: b64('app/e/1') } }) as { kv: { key: string } }).kv.key)).toBe('e/1');
  });

  it("shows only a lease's keys inside the namespace, and refuses an answer outside it", () => {
    expect((space.response('/v3/lease/timetolive', { keys: [b64('app/a'), b64('other/b')] }) as { keys: string[] }).keys.map(text)).toEqual(['a']);
    expect(() => space.response('/v3/kv/range', { kvs: [{ key: b64('other/a') }] })).toThrow(EtcdProtocolError);
    expect(space.keyValue(new WireKeyValue(Buffer.from('app/k'), Buffer.from('v'), 1, 2, 1, '0')).key).toBe('k');
  });

  it('leaves paths without keys alone', () => {
    const body = { name: 'root', password: 'secret' };
    expect(space.request('/v3/auth/user/add', body)).toBe(body);
    expect(space.response('/v3/cluster/member/list', body)).toBe(body);
  });
});
