#!/usr/bin/env bash
# Builds the page's ES modules into dist/esm: etcd-rx/browser (compiled by tsc, marked as ESM)
# and rxjs.js, made from rxjs's browser bundle. `browserModules()` serves these files as they are.
# With --if-stale it does nothing when they are newer than their sources (the tests' path).
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/esm
if [ "${1:-}" = "--if-stale" ] && [ -f "$out/rxjs.js" ] && [ -f "$out/browser/index.js" ] \
  && [ -z "$(find src/browser src/sse/contract.ts tsconfig.browser.json node_modules/rxjs/package.json -newer "$out/browser/index.js" 2>/dev/null)" ]; then
  exit 0
fi
rm -rf "$out/browser"
npx tsc -p tsconfig.browser.json
echo '{ "type": "module" }' > "$out/package.json"
npx tsx scripts/rxjs-esm.ts "$out/rxjs.js"
