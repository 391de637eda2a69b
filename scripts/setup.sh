#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmarks need: npm dependencies (npm ci, skipped
# when node_modules already matches package-lock.json), an etcd server binary, and openssl (for
# the TLS certificates of secured test clusters).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/ensure-etcd.sh
bash scripts/ensure-openssl.sh
