/**
 * A key namespace on the wire: the translation between the keys a namespaced view speaks
 * (relative to its prefix) and the keys etcd stores (under it). Requests get the prefix put in
 * front of every key, and every range clamped to the namespace; answers get it taken off again.
 * Working on the gateway's JSON bodies, one table per path, lets every service (KV, leases,
 * locks, elections) run unchanged inside a namespace.
 */
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError, EtcdProtocolError } from '../errors';
import { KeyValue } from '../kv/key-value';
import { WireKeyValue } from '../kv/wire-key-value';
import { prefixEnd, WireRange } from '../kv/key-selector';
import { asArray, asObject, decodeBytes } from '../transport/codec';
import { WatchBatch } from '../watch/watch-event';

type Json = Record<string, unknown>;
type Rewrite = (space: KeySpace, body: Json) => Json;

/**
 * The keys under one prefix.
 * @example KeySpace.of('app/').range({ key: 'AA==', range_end: 'AA==' }) // every key under app/
 */
export class KeySpace {
  private readonly end: Buffer;

  private constructor(
    /** The prefix every key of the namespace starts with. */
    readonly prefix: Buffer,
  ) {
    this.end = prefixEnd(prefix);
  }

  /**
   * The namespace of `prefix` (text or bytes, not empty). Throws EtcdInvalidArgumentError
   * naming what was given otherwise.
   * @example KeySpace.of('tenant-1/')
   */
  static of(prefix: unknown): KeySpace {
    if (typeof prefix !== 'string' && !(prefix instanceof Uint8Array)) {
      throw new EtcdInvalidArgumentError(`namespace prefix must be a string or a Uint8Array, got ${describe(prefix)}`);
    }
    if (prefix.length === 0) throw new EtcdInvalidArgumentError('namespace prefix must not be empty');
    return new KeySpace(Buffer.from(prefix));
  }

  /**
   * The namespace `prefix` inside this one.
   * @example KeySpace.of('app/').nested('cache/').prefix.toString() // 'app/cache/'
   */
  nested(prefix: unknown): KeySpace {
    return new KeySpace(Buffer.concat([this.prefix, KeySpace.of(prefix).prefix]));
  }

  /**
   * A wire key (base64) moved under the prefix.
   * @example space.key(encodeBytes('k')) // base64 of 'app/k'
   */
  key(wire: unknown): string {
    return Buffer.concat([this.prefix, bytes(wire)]).toString('base64');
  }

  /**
   * A wire key or range moved under the prefix and clamped to it: a range open at the end
   * (`range_end` "\0") ends where the namespace ends, and "\0" to "\0" (every key) is the whole
   * namespace.
   * @example space.range({ key: encodeBytes('a'), range_end: 'AA==' }) // from app/a to the end of app/
   */
  range<R extends { key?: unknown; range_end?: unknown }>(wire: R): Omit<R, 'key' | 'range_end'> & WireRange {
    if (wire.range_end === undefined || wire.range_end === '') return { ...wire, key: this.key(wire.key), range_end: undefined };
    const from = bytes(wire.key);
    const to = bytes(wire.range_end);
    const openEnded = isZero(to);
    return {
      ...wire,
      key: (openEnded && isZero(from) ? this.prefix : Buffer.concat([this.prefix, from])).toString('base64'),
      range_end: (openEnded ? this.end : Buffer.concat([this.prefix, to])).toString('base64'),
    };
  }

  /**
   * A wire key (base64) from etcd with the prefix taken off. A key outside the namespace
   * cannot come back from a request clamped to it: one that does is a protocol error.
   * @example space.strip(encodeBytes('app/k')) // base64 of 'k'
   */
  strip(wire: unknown): string {
    return this.relative(bytes(wire)).toString('base64');
  }

  /**
   * A decoded key with the prefix taken off (see `strip`).
   * @example space.keyValue(kv).key // 'k' for app/k
   */
  keyValue(kv: KeyValue): KeyValue {
    const key = this.relative(kv.keyBuffer);
    // A value still undecoded stays so: a listing through a namespace decodes only what is read.
    return kv instanceof WireKeyValue ? kv.withKey(key) : new WireKeyValue(key, kv.valueBuffer, kv.createRevision, kv.modRevision, kv.version, kv.lease);
  }

  /**
   * A watch's batch with the prefix taken off every key (and every previous key).
   * @example space.watchBatch(batch).events[0].kv.key // 'k' for app/k
   */
  watchBatch(batch: WatchBatch): WatchBatch {
    if (batch.events.length === 0) return batch;
    return { ...batch, events: batch.events.map((event) => ({ ...event, kv: this.keyValue(event.kv), prevKv: event.prevKv.map((kv) => this.keyValue(kv)) })) };
  }

  /**
   * A request body for gateway `path`, its keys moved under the prefix. Paths without keys
   * (cluster, maintenance, authentication) pass unchanged.
   * @example space.request('/v3/kv/put', { key: encodeBytes('k'), value })
   */
  request(path: string, body: unknown): unknown {
    const rewrite = REQUESTS[path];
    return rewrite === undefined ? body : rewrite(this, asObject(body, `${path} request`));
  }

  /**
   * An answer from gateway `path` (or one message of its stream), its keys with the prefix taken off.
   * @example space.response('/v3/kv/range', json)
   */
  response(path: string, json: unknown): unknown {
    const rewrite = RESPONSES[path];
    return rewrite === undefined || typeof json !== 'object' || json === null ? json : rewrite(this, json as Json);
  }

  /**
   * The wire keys (a lease's) that lie in the namespace, the prefix taken off; the others are
   * not the view's to show.
   * @example space.ownKeys(json.keys)
   */
  ownKeys(wire: unknown): string[] {
    return asArray(wire, 'keys')
      .map(bytes)
      .filter((key) => this.holds(key))
      .map((key) => this.relative(key).toString('base64'));
  }

  private holds(key: Buffer): boolean {
    return key.length >= this.prefix.length && key.subarray(0, this.prefix.length).equals(this.prefix);
  }

  private relative(key: Buffer): Buffer {
    if (!this.holds(key))
      throw new EtcdProtocolError(`etcd answered key ${JSON.stringify(key.toString())}, outside the namespace ${JSON.stringify(this.prefix.toString())}`);
    return key.subarray(this.prefix.length);
  }
}

function bytes(wire: unknown): Buffer {
  if (wire !== undefined && typeof wire !== 'string') throw new EtcdProtocolError(`expected a base64 key, got ${describe(wire)}`);
  return decodeBytes(wire);
}

function isZero(key: Buffer): boolean {
  return key.length === 1 && key[0] === 0;
}

/** Rewrites field `name` of `body` with `change` when present. */
function field(body: Json, name: string, change: (value: unknown) => unknown): Json {
  return body[name] === undefined ? body : { ...body, [name]: change(body[name]) };
}

const keyOf: Rewrite = (space, body) => field(body, 'key', (k) => space.key(k));
const nameOf: Rewrite = (space, body) => ({ ...body, name: space.key(body.name) });
const leaderOf: Rewrite = (space, body) => field(body, 'leader', (l) => nameOf(space, keyOf(space, asObject(l, 'leader'))));

const stripKv = (space: KeySpace, kv: unknown): Json => field(asObject(kv, 'kv'), 'key', (k) => space.strip(k));

function txnRequest(space: KeySpace, body: Json): Json {
  const op = (wire: unknown): Json => {
    const o = asObject(wire, 'txn op');
    if (o.request_range !== undefined) return { ...o, request_range: space.range(asObject(o.request_range, 'request_range')) };
    if (o.request_put !== undefined) return { ...o, request_put: keyOf(space, asObject(o.request_put, 'request_put')) };
    if (o.request_delete_range !== undefined) return { ...o, request_delete_range: space.range(asObject(o.request_delete_range, 'request_delete_range')) };
    if (o.request_txn !== undefined) return { ...o, request_txn: txnRequest(space, asObject(o.request_txn, 'request_txn')) };
    return o;
  };
  return {
    ...body,
    compare: asArray(body.compare, 'compare').map((c) => space.range(asObject(c, 'compare'))),
    success: asArray(body.success, 'success').map(op),
    failure: asArray(body.failure, 'failure').map(op),
  };
}

const rangeResponse: Rewrite = (space, body) => field(body, 'kvs', (kvs) => asArray(kvs, 'kvs').map((kv) => stripKv(space, kv)));
const putResponse: Rewrite = (space, body) => field(body, 'prev_kv', (kv) => stripKv(space, kv));
const deleteResponse: Rewrite = (space, body) => field(body, 'prev_kvs', (kvs) => asArray(kvs, 'prev_kvs').map((kv) => stripKv(space, kv)));
const kvResponse: Rewrite = (space, body) => field(body, 'kv', (kv) => stripKv(space, kv));

function txnResponse(space: KeySpace, body: Json): Json {
  const result = (wire: unknown): Json => {
    const r = asObject(wire, 'txn response op');
    if (r.response_range !== undefined) return { ...r, response_range: rangeResponse(space, asObject(r.response_range, 'response_range')) };
    if (r.response_put !== undefined) return { ...r, response_put: putResponse(space, asObject(r.response_put, 'response_put')) };
    if (r.response_delete_range !== undefined)
      return { ...r, response_delete_range: deleteResponse(space, asObject(r.response_delete_range, 'response_delete_range')) };
    if (r.response_txn !== undefined) return { ...r, response_txn: txnResponse(space, asObject(r.response_txn, 'response_txn')) };
    return r;
  };
  return field(body, 'responses', (responses) => asArray(responses, 'responses').map(result));
}

const REQUESTS: Readonly<Record<string, Rewrite>> = {
  '/v3/kv/range': (space, body) => space.range(body),
  '/v3/kv/deleterange': (space, body) => space.range(body),
  '/v3/kv/put': keyOf,
  '/v3/kv/txn': txnRequest,
  '/v3/lock/lock': nameOf,
  '/v3/lock/unlock': keyOf,
  '/v3/election/campaign': nameOf,
  '/v3/election/leader': nameOf,
  '/v3/election/observe': nameOf,
  '/v3/election/proclaim': leaderOf,
  '/v3/election/resign': leaderOf,
};

const RESPONSES: Readonly<Record<string, Rewrite>> = {
  '/v3/kv/range': rangeResponse,
  '/v3/kv/put': putResponse,
  '/v3/kv/deleterange': deleteResponse,
  '/v3/kv/txn': txnResponse,
  '/v3/lock/lock': (space, body) => field(body, 'key', (k) => space.strip(k)),
  '/v3/election/campaign': (space, body) =>
    field(body, 'leader', (l) =>
      field(
        field(asObject(l, 'leader'), 'name', (n) => space.strip(n)),
        'key',
        (k) => space.strip(k),
      ),
    ),
  '/v3/election/leader': kvResponse,
  '/v3/election/observe': kvResponse,
  '/v3/lease/timetolive': (space, body) => field(body, 'keys', (keys) => space.ownKeys(keys)),
};
