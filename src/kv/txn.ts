/**
 * Transactions: compares, then the operations of the branch they choose. `Compare` and `Op`
 * build the parts; results are typed by operation.
 * @example
 * etcd.txn({
 *   compare: [Compare.value('config', '==', 'v1')],
 *   success: [Op.put('config', 'v2')],
 *   failure: [Op.get('config')],
 * })
 */
import { EtcdInvalidArgumentError, EtcdProtocolError } from '../errors';
import { Bytes, asArray, asObject, encodeBytes } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { decodeDelete, DeleteOptions, DeleteResult, encodeDelete } from './delete';
import { checkValue, encodeSelector, Key, KeySelector } from './key-selector';
import { decodePut, encodePut, PutOptions, PutResult } from './put';
import { decodeRange, encodeRange, RangeOptions, RangeResult } from './range';
import { encodeLeaseId } from '../lease/lease-id';
import { checkCount, oneOf } from '../validate';
import { LeaseId } from '../lease/types';

/** How a compare relates the key's current state to the operand. */
export type CompareResult = '==' | '!=' | '>' | '<';

/** One condition of a transaction. Build with `Compare.*`. */
export interface Comparison {
  readonly wire: Record<string, unknown>;
}

/** One operation of a transaction branch. Build with `Op.*`. */
export type TxnOp =
  | { readonly type: 'range'; readonly wire: Record<string, unknown> }
  | { readonly type: 'put'; readonly wire: Record<string, unknown> }
  | { readonly type: 'delete'; readonly wire: Record<string, unknown> }
  | { readonly type: 'txn'; readonly wire: Record<string, unknown> };

/** A transaction: if every compare holds, `success` runs, otherwise `failure`. */
export interface TxnRequest {
  readonly compare?: readonly Comparison[];
  readonly success?: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

/** The typed answer of one operation inside a transaction. */
export type TxnOpResult =
  | { readonly type: 'range'; readonly result: RangeResult }
  | { readonly type: 'put'; readonly result: PutResult }
  | { readonly type: 'delete'; readonly result: DeleteResult }
  | { readonly type: 'txn'; readonly result: TxnResult };

/** The answer to a transaction. */
export interface TxnResult {
  readonly header: ResponseHeader;
  /** Whether every compare held (and so `success` ran). */
  readonly succeeded: boolean;
  /** One result per operation of the branch that ran, in order. */
  readonly responses: readonly TxnOpResult[];
}

const RESULTS: Record<CompareResult, string> = { '==': 'EQUAL', '!=': 'NOT_EQUAL', '>': 'GREATER', '<': 'LESS' };

function comparison(selector: KeySelector, result: CompareResult, target: string, field: string, operand: unknown): Comparison {
  return { wire: { ...encodeSelector(selector), result: oneOf(RESULTS, result, 'compare result'), target, [field]: operand } };
}

/**
 * Conditions on a key's current state. A key that does not exist has version, createRevision
 * and modRevision 0.
 * @example Compare.version('lock', '==', 0) // the key does not exist
 */
export const Compare = {
  value: (key: KeySelector, result: CompareResult, value: Bytes): Comparison =>
    comparison(key, result, 'VALUE', 'value', encodeBytes(checkValue(value, 'compared value'))),
  version: (key: KeySelector, result: CompareResult, version: number): Comparison =>
    comparison(key, result, 'VERSION', 'version', checkCount(version, 'compared version')),
  createRevision: (key: KeySelector, result: CompareResult, revision: number): Comparison =>
    comparison(key, result, 'CREATE', 'create_revision', checkCount(revision, 'compared createRevision')),
  modRevision: (key: KeySelector, result: CompareResult, revision: number): Comparison =>
    comparison(key, result, 'MOD', 'mod_revision', checkCount(revision, 'compared modRevision')),
  lease: (key: KeySelector, result: CompareResult, lease: LeaseId): Comparison => comparison(key, result, 'LEASE', 'lease', encodeLeaseId(lease)),
};

/**
 * Operations for a transaction branch.
 * @example Op.put('a', '1', { prevKv: true })
 */
export const Op = {
  get: (selector: KeySelector, options?: RangeOptions): TxnOp => ({ type: 'range', wire: { request_range: encodeRange(selector, options) } }),
  put: (key: Key, value: Bytes, options?: Omit<PutOptions, 'ttl'>): TxnOp => {
    if ((options as PutOptions | undefined)?.ttl !== undefined) {
      throw new EtcdInvalidArgumentError('ttl is not supported inside a txn: grant a lease first and pass its id as `lease`');
    }
    return { type: 'put', wire: { request_put: encodePut(key, value, options) } };
  },
  delete: (selector: KeySelector, options?: DeleteOptions): TxnOp => ({ type: 'delete', wire: { request_delete_range: encodeDelete(selector, options) } }),
  txn: (request: TxnRequest): TxnOp => ({ type: 'txn', wire: { request_txn: encodeTxn(request) } }),
};

/** Encodes a transaction, checking that its parts were built by Compare and Op. */
export function encodeTxn(request: TxnRequest): Record<string, unknown> {
  if (typeof request !== 'object' || request === null) throw new EtcdInvalidArgumentError('txn needs an object {compare, success, failure}');
  const parts = (items: unknown, what: string) => {
    if (items === undefined) return [];
    if (!Array.isArray(items)) throw new EtcdInvalidArgumentError(`txn ${what} must be an array`);
    return items.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null || !('wire' in item)) {
        throw new EtcdInvalidArgumentError(`txn ${what}[${i}] must be built with ${what === 'compare' ? 'Compare' : 'Op'}.*`);
      }
      return (item as Comparison).wire;
    });
  };
  return {
    compare: parts(request.compare, 'compare'),
    success: parts(request.success, 'success'),
    failure: parts(request.failure, 'failure'),
  };
}

/** Decodes a TxnResponse. */
export function decodeTxn(json: unknown): TxnResult {
  const response = asObject(json, 'txn response');
  return {
    header: decodeHeader(response.header),
    succeeded: response.succeeded === true,
    responses: asArray(response.responses, 'responses').map(decodeOpResult),
  };
}

function decodeOpResult(json: unknown): TxnOpResult {
  const op = asObject(json, 'txn response op');
  if (op.response_range !== undefined) return { type: 'range', result: decodeRange(op.response_range) };
  if (op.response_put !== undefined) return { type: 'put', result: decodePut(op.response_put) };
  if (op.response_delete_range !== undefined) return { type: 'delete', result: decodeDelete(op.response_delete_range) };
  if (op.response_txn !== undefined) return { type: 'txn', result: decodeTxn(op.response_txn) };
  throw new EtcdProtocolError(`unknown txn response op: ${JSON.stringify(op).slice(0, 120)}`);
}
