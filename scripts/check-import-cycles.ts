/**
 * Fails when the modules of src/, or its areas (its folders: kv/, lease/, transport/, …), import
 * each other in a cycle: each layer (transport, resilience, the services, the facade) may only
 * lean on the ones below it, and a cycle is where two of them have grown into one. Type-only
 * imports count too: they tie the designs together even when the compiled code does not.
 * @example npx tsx scripts/check-import-cycles.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');

/**
 * The relative imports of every TypeScript module under `root`, as paths relative to it.
 * @example importGraph('src').get('client.ts') // ['composition.ts', 'errors/index.ts', …]
 */
export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const from = path.join(root, file);
    const imported = ts.preProcessFile(fs.readFileSync(from, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
    const targets = imported
      .filter((name) => name.startsWith('.'))
      .map((name) => path.resolve(path.dirname(from), name))
      .map((base) => [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate)))
      .filter((found): found is string => found !== undefined)
      .map((found) => path.relative(root, found));
    graph.set(path.relative(root, from), [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The cycles of `graph`: its strongly connected components of more than one module (or a
 * module importing itself), each sorted, found with Tarjan's algorithm.
 * @example importCycles(new Map([['a', ['b']], ['b', ['a']]])) // [['a', 'b']]
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/**
 * `graph` with each module replaced by its area: its top folder (`kv/`), or itself for a module
 * at the top (`client.ts`). Imports within an area are left out.
 * @example areaGraph(new Map([['kv/put.ts', ['lease/types.ts']]])) // Map { 'kv/' => ['lease/'] }
 */
export function areaGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const area = (file: string) => (file.includes('/') ? `${file.split('/')[0]}/` : file);
  const areas = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = areas.get(area(file)) ?? new Set<string>();
    for (const target of targets) if (area(target) !== area(file)) from.add(area(target));
    areas.set(area(file), from);
  }
  return new Map([...areas].map(([name, targets]) => [name, [...targets].sort()]));
}

if (require.main === module) {
  const modules = importGraph(SRC);
  const cycles = [...importCycles(modules), ...importCycles(areaGraph(modules))];
  for (const cycle of cycles) process.stderr.write(`import cycle in src/ between: ${cycle.join(', ')}\n`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
