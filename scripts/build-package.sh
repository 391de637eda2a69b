#!/usr/bin/env bash
# Builds dist/ for `npm pack` (the prepack script) and for installing a clone's directory. A fresh
# clone has no development dependencies yet, and the compiler is one of them: install them first.
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm pack --json` prints its answer on stdout: keep what building prints out of it.
exec 1>&2
if [ ! -x node_modules/.bin/tsc ]; then
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
fi
npx tsc -p tsconfig.build.json
# The CLI is run as a program (the package's bin), from one bundled file: it starts several times
# faster than from the compiled modules (docs/cli.md, bench/cli-start.md).
npx tsx scripts/bundle-cli.ts dist/cli/main.js
chmod 755 dist/cli/main.js
# etcd-rx/browser is an ES module (for pages and bundlers): its own build in dist/esm, with rxjs.
bash scripts/build-browser.sh
