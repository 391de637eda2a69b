/** Names an argument that was not what a call expected, for the error that refuses it. */

/**
 * An unexpected argument's kind, and its value when that is short: `number 5`, `string "x"`, `null`.
 * @example throw new EtcdInvalidArgumentError(`key must be a string, got ${describe(key)}`)
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
