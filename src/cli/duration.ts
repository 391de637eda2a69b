/** Durations written as etcdctl takes them (Go's syntax): `5s`, `500ms`, `1m30s`, `2.5s`. */
import { UsageError } from './args';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a Go duration, or a UsageError naming `what`.
 * @example parseDuration('1m30s', '--command-timeout') // 90000
 */
export function parseDuration(text: string, what: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`${what} must be a duration such as 5s, 500ms or 1m30s; got "${text}"`);
  }
  return parts.reduce((ms, [, amount, unit]) => ms + Number(amount) * UNITS[unit], 0);
}
