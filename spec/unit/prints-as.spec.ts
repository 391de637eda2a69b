import { inspect } from 'util';
import { Etcd } from '../../src';
import { HeldLeadership, LeadershipDeps, Resignation } from '../../src/concurrency/leadership';
import { KeyOwnership } from '../../src/concurrency/ownership';
import { KvService } from '../../src/kv/kv-service';
import { WireKeyValue } from '../../src/kv/wire-key-value';

const b64 = (bytes: string | Buffer) => Buffer.from(bytes).toString('base64');
const keyValue = (key: string | Buffer, value: string | Buffer) =>
  WireKeyValue.fromWire({ key: b64(key), value: b64(value), create_revision: '5', mod_revision: '12', version: '3', lease: '7' });
// What printing reads of a lock or a leadership never reaches the services behind them.
const noService = {} as KvService;

describe('how values print in console.log and util.inspect', () => {
  it('shows a key-value as its key and value in text, with its revisions and lease', () => {
    expect(inspect(keyValue('ui/b', 'blue'), { breakLength: Infinity })).toBe(
      "KeyValue { key: 'ui/b', value: 'blue', createRevision: 5, modRevision: 12, version: 3, lease: '7' }",
    );
  });

  it('shows bytes that are not UTF-8 as bytes rather than as replacement characters', () => {
    const printed = inspect(keyValue(Buffer.from([0xff, 0x00]), Buffer.from([0xc3, 0x28])));
    expect(printed).toContain('key: <Buffer ff 00>');
    expect(printed).toContain('value: <Buffer c3 28>');
  });

  it('nests like any object: inside arrays and results, cut to [KeyValue] past the depth asked', () => {
    expect(inspect([keyValue('a', '1')], { breakLength: Infinity })).toBe(
      "[ KeyValue { key: 'a', value: '1', createRevision: 5, modRevision: 12, version: 3, lease: '7' } ]",
    );
    expect(inspect({ batch: { events: [{ kv: keyValue('a', '1') }] } }, { depth: 2 })).toBe('{ batch: { events: [ [Object] ] } }');
    expect(inspect({ event: { kv: keyValue('a', '1') } }, { depth: 1 })).toBe('{ event: { kv: [KeyValue] } }');
    expect(inspect({ kv: keyValue('a', '1') }, { depth: 0, breakLength: Infinity })).toBe('{ kv: [KeyValue] }');
  });

  it('uses colours when the inspection asks for them', () => {
    expect(inspect(keyValue('a', '1'), { colors: true })).toContain("\u001b[32m'a'\u001b[39m");
  });

  it('shows a lock and a leadership as their key, fencing token and lease', () => {
    const key = Buffer.from('jobs/nightly/694d');
    expect(inspect(new KeyOwnership(key, 42, '7587', noService))).toBe("Lock { key: 'jobs/nightly/694d', fencingToken: 42, leaseId: '7587' }");
    const leadership = new HeldLeadership({}, key, 42, '7587', { kv: noService } as LeadershipDeps, {} as Resignation);
    expect(inspect(leadership)).toBe("Leadership { key: 'jobs/nightly/694d', fencingToken: 42, leaseId: '7587' }");
  });

  it('shows a client as its endpoints, and an election as its name', async () => {
    const etcd = new Etcd('http://127.0.0.1:2379,http://127.0.0.1:22379');
    try {
      expect(inspect(etcd, { breakLength: Infinity })).toBe("Etcd { endpoints: [ 'http://127.0.0.1:2379', 'http://127.0.0.1:22379' ] }");
      expect(inspect(etcd.election('scheduler'))).toBe("Election { name: 'scheduler' }");
    } finally {
      await etcd.close();
    }
  });
});
