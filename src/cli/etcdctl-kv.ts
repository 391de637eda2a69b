/**
 * The key-value answers (get, put, del, txn) in etcdctl 3.4's `json` and `fields` forms: JSON is
 * Go's encoding of the protobuf answer (keys and values in base64, 64-bit numbers bare, empty
 * fields left out); `fields` is one `"Name" : value` line per field, strings quoted as Go's %q.
 */
import type { DeleteResult, KeyValue, PutResult, RangeResult, TxnResult } from '../index';
import { GoNumber, headerFields, headerJson } from './etcdctl-format';
import { utf8Pieces } from './utf8';

/**
 * A key-value as etcdctl's JSON has it.
 * @example kvGoJson(kv) // { key: 'Zm9v', create_revision: 2, mod_revision: 2, version: 1, value: 'YmFy' }
 */
export function kvGoJson(kv: KeyValue): Record<string, unknown> {
  return {
    key: base64(kv.keyBuffer),
    create_revision: omitZero(kv.createRevision),
    mod_revision: omitZero(kv.modRevision),
    version: omitZero(kv.version),
    value: base64(kv.valueBuffer),
    lease: kv.lease === '0' ? undefined : new GoNumber(kv.lease),
  };
}

/**
 * A range answer as etcdctl's JSON has it: the header (with the read revision), the key-values,
 * `more` when a limit cut the list, and `count`, the number of keys that matched.
 * @example goJson(rangeGoJson(result))
 */
export function rangeGoJson(r: RangeResult): Record<string, unknown> {
  return { header: headerJson(r.header), kvs: nonEmpty(r.kvs.map(kvGoJson)), more: r.more || undefined, count: omitZero(r.count) };
}

/** A put answer as etcdctl's JSON has it. */
export function putGoJson(r: PutResult): Record<string, unknown> {
  return { header: headerJson(r.header), prev_kv: r.prevKv.some ? kvGoJson(r.prevKv.val) : undefined };
}

/** A delete answer as etcdctl's JSON has it. */
export function deleteGoJson(r: DeleteResult): Record<string, unknown> {
  return { header: headerJson(r.header), deleted: omitZero(r.deleted), prev_kvs: nonEmpty(r.prevKvs.map(kvGoJson)) };
}

/**
 * A transaction's answer as etcdctl's JSON has it (each operation's answer wrapped as Go's
 * encoding writes a protobuf oneof).
 * @example goJson(txnGoJson(result))
 */
export function txnGoJson(r: TxnResult): Record<string, unknown> {
  const responses = r.responses.map((op) => {
    switch (op.type) {
      case 'put':
        return { ResponsePut: putGoJson(op.result) };
      case 'delete':
        return { ResponseDeleteRange: deleteGoJson(op.result) };
      case 'range':
        return { ResponseRange: rangeGoJson(op.result) };
      case 'txn':
        return { ResponseTxn: txnGoJson(op.result) };
    }
  });
  return { header: headerJson(r.header), succeeded: r.succeeded || undefined, responses: nonEmpty(responses.map((Response) => ({ Response }))) };
}

/**
 * A key-value as etcdctl's `fields` lines, each name after `prefix` (`Prev` for a previous one).
 * @example kvFields('', kv) // ['"Key" : "foo"', '"CreateRevision" : 2', ...]
 */
export function kvFields(prefix: string, kv: KeyValue): string[] {
  return [
    `"${prefix}Key" : ${goQuote(kv.keyBuffer)}`,
    `"${prefix}CreateRevision" : ${kv.createRevision}`,
    `"${prefix}ModRevision" : ${kv.modRevision}`,
    `"${prefix}Version" : ${kv.version}`,
    `"${prefix}Value" : ${goQuote(kv.valueBuffer)}`,
    `"${prefix}Lease" : ${kv.lease}`,
  ];
}

/** A range answer as etcdctl's `fields` lines. */
export function rangeFields(r: RangeResult): string[] {
  return [...headerFields(r.header), ...r.kvs.flatMap((kv) => kvFields('', kv)), `"More" : ${r.more}`, `"Count" : ${r.count}`];
}

/** A put answer as etcdctl's `fields` lines. */
export function putFields(r: PutResult): string[] {
  return [...headerFields(r.header), ...(r.prevKv.some ? kvFields('Prev', r.prevKv.val) : [])];
}

/** A delete answer as etcdctl's `fields` lines. */
export function deleteFields(r: DeleteResult): string[] {
  return [...headerFields(r.header), `"Deleted" : ${r.deleted}`, ...r.prevKvs.flatMap((kv) => kvFields('Prev', kv))];
}

/** A transaction's answer as etcdctl's `fields` lines: the header, Succeeded, then each operation's. */
export function txnFields(r: TxnResult): string[] {
  const ops = r.responses.flatMap((op) => {
    switch (op.type) {
      case 'put':
        return putFields(op.result);
      case 'delete':
        return deleteFields(op.result);
      case 'range':
        return rangeFields(op.result);
      case 'txn':
        return txnFields(op.result);
    }
  });
  return [...headerFields(r.header), `"Succeeded" : ${r.succeeded}`, ...ops];
}

const GO_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u000b': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};
// What Go's strconv.IsPrint calls printable: letters, marks, numbers, punctuation, symbols and the ASCII space.
// Made at first use: building its Unicode classes costs every command's start half a millisecond.
let printable: RegExp | undefined;

/**
 * Bytes quoted as Go's `%q` quotes a string: printable characters as they are, the rest escaped
 * (`\n`, `\x00`, `\u200b`), and each byte that is not valid UTF-8 as `\xNN`.
 * @example goQuote(Buffer.from('a"b\n')) // '"a\\"b\\n"'
 */
export function goQuote(bytes: Buffer): string {
  let out = '"';
  for (const piece of utf8Pieces(bytes)) {
    if (typeof piece === 'number') {
      out += `\\x${hex(piece, 2)}`;
      continue;
    }
    for (const char of piece) {
      const code = char.codePointAt(0) ?? 0;
      if (GO_ESCAPES[char] !== undefined) out += GO_ESCAPES[char];
      else if ((printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u).test(char)) out += char;
      else if (code < 0x80) out += `\\x${hex(code, 2)}`;
      else out += code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
    }
  }
  return `${out}"`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function base64(bytes: Buffer): string | undefined {
  return bytes.length === 0 ? undefined : bytes.toString('base64');
}

function omitZero(n: number): number | undefined {
  return n === 0 ? undefined : n;
}

function nonEmpty<T>(items: readonly T[]): readonly T[] | undefined {
  return items.length === 0 ? undefined : items;
}
