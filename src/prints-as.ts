/**
 * How etcd-rx's values look in `console.log` and `util.inspect`: what they mean (a key and its
 * value as text, a lock's key and token), not how they are kept (buffers, services, sockets).
 */

// `util.inspect.custom` is this registered symbol; taking it by name keeps `util` out of the
// modules a browser bundle may pull in.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The part of Node's inspect options a custom inspection uses. */
interface InspectOptions {
  readonly depth?: number | null;
  stylize(text: string, style: string): string;
}

type Inspect = (value: unknown, options: InspectOptions) => string;

/**
 * Makes every instance of `type` print as `name { …fields }`, the fields being what `fields`
 * returns for it, laid out (colours, nesting, line breaks) by the inspection that asked.
 * @example printsAs(WireKeyValue, 'KeyValue', (kv) => ({ key: kv.key, value: kv.value }))
 */
export function printsAs<T extends object>(type: abstract new (...args: never[]) => T, name: string, fields: (value: T) => object): void {
  Object.defineProperty(type.prototype, INSPECT, {
    value: function (this: T, depth: number, options: InspectOptions, inspect: Inspect): string {
      if (depth < 0) return options.stylize(`[${name}]`, 'special');
      const inner = { ...options, depth: options.depth === null || options.depth === undefined ? options.depth : depth - 1 };
      return `${name} ${inspect(fields(this), inner)}`;
    },
  });
}

/**
 * Bytes as text when they are UTF-8 (as keys and values mostly are), else the bytes themselves,
 * so that a binary value is never shown as replacement characters.
 * @example textOrBytes(Buffer.from('ui/b')) // 'ui/b'
 */
export function textOrBytes(bytes: Buffer): string | Buffer {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}
