/** Checks of arguments shared by every service, each naming what was wrong. */
import { describe } from './describe-value';
import { EtcdInvalidArgumentError } from './errors';

/** Refuses a number option that is not a whole number ≥ `min`, naming the option. */
export function checkCount(value: unknown, what: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new EtcdInvalidArgumentError(`${what} must be a whole number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * The entry of `table` named by `name`, refusing names the table does not have (including those
 * every object inherits, such as `toString`), and listing the ones it has.
 * @example oneOf({ ascend: 'ASCEND', descend: 'DESCEND' }, order, 'sort.order') // 'ASCEND' for 'ascend'
 */
export function oneOf<V>(table: Readonly<Record<string, V>>, name: unknown, what: string): V {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(table, name)) return table[name];
  throw new EtcdInvalidArgumentError(`${what} must be one of ${Object.keys(table).join(', ')}; got ${String(name)}`);
}

/**
 * An options argument: `{}` when left out, refused when it is not an object.
 * @example const options: GetOptions = optionsOf(given, 'get')
 */
export function optionsOf<T extends object>(options: T | undefined, what: string): T | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new EtcdInvalidArgumentError(`${what} options must be an object, got ${describe(options)}`);
  }
  return options;
}
