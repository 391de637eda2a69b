/**
 * The API report: the public surface of the package as its built typings show it to users, one
 * declaration per export of each entry point of package.json's `exports`, plus the list of
 * declaration files those entry points reach. `npm run api:update` writes it to
 * api/etcd-rx.api.md; `npm run api:check` fails with a diff when the surface changed, so that a
 * change to the public API is always a visible diff in review.
 * @example npx tsx scripts/api-report.ts --check
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const REPORT = path.join(ROOT, 'api', 'etcd-rx.api.md');

/** One entry point: the name users import and its declaration file. */
export interface EntryPoint {
  readonly name: string;
  readonly typings: string;
}

/**
 * The entry points of package.json's `exports`, their typings looked up under `dist`.
 * @example entryPoints(ROOT, '/tmp/dts') // [{ name: 'etcd-rx', typings: '/tmp/dts/index.d.ts' }, …]
 */
export function entryPoints(root: string, dist: string): EntryPoint[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { types?: string }> };
  return (
    Object.entries(pkg.exports)
      .filter(([, target]) => target.types !== undefined)
      .map(([subpath, target]) => ({
        name: pkg.name + subpath.slice(1),
        typings: path.join(dist, path.relative('dist', String(target.types))),
      }))
      // An entry point whose typings were not emitted is left out.
      .filter((entry) => fs.existsSync(entry.typings))
  );
}

/**
 * The package's declaration files as `npm run build` makes them, written to `outDir`.
 * @example emitDeclarations(fs.mkdtempSync(path.join(os.tmpdir(), 'dts-')))
 */
export function emitDeclarations(outDir: string): void {
  emitBuild('tsconfig.build.json', outDir);
  // etcd-rx/browser: the ES module build, in dist/esm.
  emitBuild('tsconfig.browser.json', path.join(outDir, 'esm'));
}

function emitBuild(tsconfig: string, outDir: string): void {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, tsconfig), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(d) });
  if (config === undefined) throw new Error(`${tsconfig} cannot be read`);
  const options = { ...config.options, outDir, declaration: true, emitDeclarationOnly: true, noEmit: false, sourceMap: false };
  const emitted = ts.createProgram(config.fileNames, options).emit();
  const errors = emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) fail(errors[0]);
}

/**
 * Every declaration file of the package that the given typings reach through their imports and
 * re-exports, relative to `dist` and sorted: what a user's compiler reads.
 * @example reachableDeclarations(['/tmp/dts/index.d.ts'], '/tmp/dts') // ['client.d.ts', 'errors/index.d.ts', …]
 */
export function reachableDeclarations(entries: readonly string[], dist: string): string[] {
  const seen = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of [...info.importedFiles, ...info.referencedFiles]) {
      if (!fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), fileName);
      // ES modules (etcd-rx/browser) name the compiled file: `./x.js` is typed by `./x.d.ts`.
      const found = [`${base}.d.ts`, base.replace(/\.js$/, '.d.ts'), path.join(base, 'index.d.ts'), base].find(
        (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
      );
      if (found !== undefined) pending.push(found);
    }
  }
  return [...seen].map((file) => path.relative(dist, file).split(path.sep).join('/')).sort();
}

/**
 * The report's text for the typings under `dist`.
 * @example renderReport(ROOT, '/tmp/dts').startsWith('# API report of etcd-rx')
 */
export function renderReport(root: string, dist: string): string {
  const entries = entryPoints(root, dist);
  const program = ts.createProgram(
    entries.map((e) => e.typings),
    {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
    },
  );
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter({ removeComments: true });
  const lines = [
    '# API report of etcd-rx',
    '',
    'Written by `npm run api:update` from the built typings; `npm test` fails when the public surface',
    'differs from it. Review a change of this file as a change of the API.',
  ];
  for (const entry of entries) {
    const source = program.getSourceFile(entry.typings);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`${entry.typings} is not a module`);
    lines.push('', `## \`${entry.name}\``, '', '```ts');
    const exported = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
    for (const symbol of exported) lines.push(...renderExport(symbol, checker, printer, dist));
    lines.push('```');
  }
  lines.push('', '## Declaration files reachable from the entry points', '');
  lines.push(
    ...reachableDeclarations(
      entries.map((e) => e.typings),
      dist,
    ).map((file) => `- ${file}`),
  );
  return `${lines.join('\n')}\n`;
}

function renderExport(symbol: ts.Symbol, checker: ts.TypeChecker, printer: ts.Printer, dist: string): string[] {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const declarations = target.declarations ?? [];
  const external = declarations.find((d) => !path.resolve(d.getSourceFile().fileName).startsWith(dist + path.sep));
  if (external !== undefined) {
    const from = external.getSourceFile().fileName.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? 'a dependency';
    return [`export { ${symbol.name} } from '${from}';`];
  }
  const renamed = target.name !== symbol.name ? [`// exported as ${symbol.name}`] : [];
  const printed = declarations.map((declaration) => {
    const node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
    return printer.printNode(ts.EmitHint.Unspecified, node, declaration.getSourceFile());
  });
  return [...renamed, ...new Set(printed), ''];
}

function fail(diagnostic: ts.Diagnostic): never {
  throw new Error(ts.formatDiagnostic(diagnostic, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }));
}

function main(check: boolean): number {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-api-'));
  try {
    emitDeclarations(dist);
    const report = renderReport(ROOT, dist);
    if (!check) {
      fs.mkdirSync(path.dirname(REPORT), { recursive: true });
      fs.writeFileSync(REPORT, report);
      return 0;
    }
    const fresh = path.join(dist, 'etcd-rx.api.md');
    fs.writeFileSync(fresh, report);
    if (fs.existsSync(REPORT) && fs.readFileSync(REPORT, 'utf8') === report) return 0;
    let diff = '';
    try {
      execFileSync('diff', [
        '-u',
        '--label',
        'api/etcd-rx.api.md (committed)',
        '--label',
        'api/etcd-rx.api.md (built)',
        fs.existsSync(REPORT) ? REPORT : '/dev/null',
        fresh,
      ]);
    } catch (error) {
      diff = String((error as { stdout?: Buffer }).stdout ?? '');
    }
    process.stderr.write(
      `${diff}\nThe public API differs from api/etcd-rx.api.md. If the change is meant, run \`npm run api:update\` and commit the report.\n`,
    );
    return 1;
  } finally {
    fs.rmSync(dist, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main(process.argv.includes('--check'));
