/**
 * Text exactly as etcdctl 3.4 prints it, for the commands that imitate it byte for byte: its
 * boxed tables, its JSON (Go's encoding of the protobuf answers: 64-bit ids as bare numbers,
 * empty fields left out), its `fields` lines, sizes as go-humanize and durations as Go shows them.
 */
import type { ResponseHeader } from '../index';
import type { Context } from './command';
import { ExitCode } from './exit-codes';
import type { Output } from './output';
import { hexId } from './render';

/** A 64-bit id (etcd-rx's decimal string) as a bare JSON number, which JSON.stringify cannot write. */
export class GoNumber {
  constructor(readonly digits: string) {}
}

/**
 * JSON as Go's encoding/json writes it: GoNumber values as bare digits, undefined fields left out.
 * @example goJson({ ID: new GoNumber('13668033151171901709') }) // '{"ID":13668033151171901709}'
 */
export function goJson(value: unknown): string {
  const marked = JSON.stringify(value, (_, v: unknown) => (v instanceof GoNumber ? `\u0000${v.digits}\u0000` : v));
  return marked.replace(/"\\u0000(-?\d+)\\u0000"/g, '$1');
}

/**
 * A response header as etcdctl's JSON has it: fields that are 0 left out, and the whole header
 * when all are (etcd answers an alarm list without one).
 * @example headerJson(header) // { cluster_id: GoNumber, member_id: GoNumber, revision: 5, raft_term: 2 }
 */
export function headerJson(header: ResponseHeader): Record<string, unknown> | undefined {
  if (header.clusterId === '0' && header.memberId === '0' && header.revision === 0 && header.raftTerm === 0) return undefined;
  return {
    cluster_id: nonZero(header.clusterId),
    member_id: nonZero(header.memberId),
    revision: header.revision === 0 ? undefined : header.revision,
    raft_term: header.raftTerm === 0 ? undefined : header.raftTerm,
  };
}

/**
 * A decimal id as a JSON number, or left out when it is 0 (as Go's omitempty does).
 * @example nonZero('0') // undefined
 */
export function nonZero(id: string): GoNumber | undefined {
  return id === '0' ? undefined : new GoNumber(id);
}

/**
 * The header lines of etcdctl's `-w fields`.
 * @example headerFields(header) // ['"ClusterID" : 1', '"MemberID" : 2', '"Revision" : 5', '"RaftTerm" : 2']
 */
export function headerFields(header: ResponseHeader): string[] {
  return [`"ClusterID" : ${header.clusterId}`, `"MemberID" : ${header.memberId}`, `"Revision" : ${header.revision}`, `"RaftTerm" : ${header.raftTerm}`];
}

/**
 * A boxed table as etcdctl draws it (headings centred, cells aligned right).
 * @example boxTable(['ENDPOINT', 'HASH'], [['http://127.0.0.1:2379', '2587454935']])
 */
export function boxTable(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const centred = (text: string, width: number) => {
    const left = Math.floor((width - text.length) / 2);
    return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
  };
  const line = (cells: readonly string[], align: (text: string, width: number) => string) => `| ${cells.map((c, i) => align(c, widths[i])).join(' | ')} |`;
  return [rule, line(headings, centred), rule, ...rows.map((r) => line(r, (text, width) => text.padStart(width))), rule].join('\n');
}

/**
 * A size in bytes as go-humanize's Bytes writes it (SI units, one decimal below 10).
 * @example humanBytes(20480) // '20 kB'
 */
export function humanBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const exponent = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return `${goFixed(value, value < 10 ? 1 : 0)} ${units[exponent]}`;
}

/**
 * A duration as Go's time.Duration prints it.
 * @example goDuration(1_311_757n) // '1.311757ms'
 */
export function goDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const scaled = (ns: bigint, unit: bigint, suffix: string) => {
    const whole = ns / unit;
    const fraction = (ns % unit)
      .toString()
      .padStart(unit.toString().length - 1, '0')
      .replace(/0+$/, '');
    return `${whole}${fraction === '' ? '' : `.${fraction}`}${suffix}`;
  };
  if (nanoseconds < 1000n) return `${nanoseconds}ns`;
  if (nanoseconds < 1_000_000n) return scaled(nanoseconds, 1000n, 'µs');
  if (nanoseconds < 1_000_000_000n) return scaled(nanoseconds, 1_000_000n, 'ms');
  const seconds = nanoseconds / 1_000_000_000n;
  if (seconds < 60n) return scaled(nanoseconds, 1_000_000_000n, 's');
  const rest = scaled(nanoseconds % 60_000_000_000n, 1_000_000_000n, 's');
  return seconds < 3600n ? `${seconds / 60n}m${rest}` : `${seconds / 3600n}h${(seconds % 3600n) / 60n}m${rest}`;
}

/** Go's %.Nf: halves round to even, as strconv does with exact binary values. */
function goFixed(value: number, digits: number): string {
  const factor = 10 ** digits;
  const scaled = value * factor;
  const floor = Math.floor(scaled);
  const rounded = scaled - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(scaled);
  return (rounded / factor).toFixed(digits);
}

/** The renderings of one answer, one per output format; `table` and `fields` fall back to `simple`. */
export interface Renderings {
  readonly simple: () => string;
  readonly json: () => string;
  readonly table?: () => string;
  readonly fields?: () => string;
}

/**
 * Prints the rendering of the format chosen with `-w`.
 * @example printAs(context.out, { simple: () => 'OK', json: () => goJson({}) })
 */
export function printAs(out: Output, renderings: Renderings): void {
  const chosen = {
    text: renderings.simple,
    json: renderings.json,
    table: renderings.table ?? renderings.simple,
    fields: renderings.fields ?? renderings.simple,
  };
  out.raw(chosen[out.format]());
}

/**
 * A 64-bit id as etcdctl's `%16x` writes it: hexadecimal, padded with spaces to 16 characters.
 * @example paddedHex('255') // '              ff'
 */
export function paddedHex(decimal: string): string {
  return hexId(decimal).padStart(16, ' ');
}

/**
 * Refuses, before anything is done, an output format etcdctl has no form of for this command:
 * prints etcdctl's message and answers its exit code (4); undefined when the format is fine.
 * @example const refused = refuseFormats(context, ['table']); if (refused !== undefined) return refused
 */
export function refuseFormats(context: Context, formats: readonly ('table' | 'fields')[]): number | undefined {
  const format = context.out.format;
  if (format !== 'table' && format !== 'fields') return undefined;
  if (!formats.includes(format)) return undefined;
  context.log.note(() => `Error: ${format} not supported as output format`);
  return ExitCode.BAD_FEATURE;
}
