/**
 * Node's warnings that the CLI keeps off its stderr. Only the executable installs this: a library
 * must leave an application's warnings to the application.
 */

/**
 * node-fetch 2, the client's HTTP layer, parses each URL with `url.parse()`, which Node 24 and
 * newer deprecate (DEP0169) with a warning on stderr once per process. Node holds its tongue when
 * the caller lies in a node_modules folder, but the bundled CLI is one file outside any (a
 * clone's dist/cli, say): every command would print it, although its user can do nothing about
 * it and a script reading stderr takes it for a failure. node-fetch passes only http(s) URLs
 * that the WHATWG URL class has already normalised, which is what the warning is about.
 */
const SILENCED = new Set(['DEP0169']);

/**
 * Drops the warnings in SILENCED, and only them, from `process.emitWarning`; every other warning
 * is printed as before.
 * @example silenceKnownWarnings(process)
 */
export function silenceKnownWarnings(target: Pick<NodeJS.Process, 'emitWarning'>): void {
  const emit = target.emitWarning.bind(target) as (...args: unknown[]) => void;
  target.emitWarning = ((...args: unknown[]) => {
    if (!SILENCED.has(warningCode(args) ?? '')) emit(...args);
  }) as NodeJS.Process['emitWarning'];
}

/** The code of a warning, given as `emitWarning(warning, type, code)` or `emitWarning(warning, { code })`. */
function warningCode([, typeOrOptions, code]: unknown[]): string | undefined {
  if (typeof code === 'string') return code;
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null) {
    const given = (typeOrOptions as { code?: unknown }).code;
    return typeof given === 'string' ? given : undefined;
  }
  return undefined;
}
