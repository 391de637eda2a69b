/**
 * Every ```ts block of the README is a program a reader may paste into a file of their own: each
 * is type-checked alone, as an ES module importing `etcd-rx` (resolved to the sources here), under
 * strict settings. A snippet that leans on a name it does not define, or calls the API wrongly,
 * fails here.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const OUT = path.join(ROOT, 'node_modules', '.cache', 'readme-snippets');

/** The ```ts blocks of a markdown text, with the line each starts on. */
function tsBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1].trim() !== '```') i++;
    blocks.push({ line: start + 1, code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return blocks;
}

describe('the README', () => {
  const blocks = tsBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('has TypeScript examples, each a self-contained program that type-checks', () => {
    expect(blocks.length).toBeGreaterThan(5);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    const files = blocks.map((block) => {
      const file = path.join(OUT, `readme-line-${block.line}.mts`);
      // `export {}` makes even an import-free block a module of its own, as a file of its own is.
      fs.writeFileSync(file, `${block.code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      baseUrl: ROOT,
      paths: { 'etcd-rx': ['src/index.ts'], 'etcd-rx/testing': ['src/testing/index.ts'], 'etcd-rx/sse': ['src/sse/index.ts'], 'etcd-rx/browser': ['src/browser/index.ts'] },
    });
    const problems = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && files.includes(path.normalize(d.file.fileName)))
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const readmeLine = Number(/readme-line-(\d+)/.exec(d.file!.fileName)![1]) + line;
        return `README.md:${readmeLine}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);
});
