/**
 * Writes rxjs as one ES module for pages without a bundler (rxjs ships none): its browser bundle,
 * run with a `this` of its own, re-exporting what it defined under the names of rxjs's entry
 * point. Run by the build, so that nothing is wrapped at run time.
 *   tsx scripts/rxjs-esm.ts dist/esm/rxjs.js
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';

const target = process.argv[2];
if (!target) throw new Error('usage: tsx scripts/rxjs-esm.ts <output file>');
const root = path.dirname(require.resolve('rxjs/package.json'));
const bundle = readFileSync(path.join(root, 'dist', 'bundles', 'rxjs.umd.min.js'), 'utf8');
const names = Object.keys(require('rxjs') as object).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
writeFileSync(
  target,
  `// rxjs ${version} as an ES module, made from its browser bundle.\nconst scope = {};\n(function () {\n${bundle}\n}).call(scope);\nexport const { ${names.join(', ')} } = scope.rxjs;\n`,
);
