#!/usr/bin/env bash
# Makes sure an etcd server binary is available for the demo and the tests.
# Uses $ETCD_BIN or `etcd` on PATH; installs Debian's etcd-server/etcd-client when missing and
# we are root; otherwise explains how to get it and fails.
set -euo pipefail

if [ -n "${ETCD_BIN:-}" ]; then
  if [ -x "$ETCD_BIN" ]; then exit 0; fi
  echo "ensure-etcd: ETCD_BIN=$ETCD_BIN is not an executable file." >&2
  exit 1
fi
if command -v etcd >/dev/null 2>&1; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-etcd: etcd not found; installing Debian's etcd-server and etcd-client..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq etcd-server etcd-client >/dev/null
  command -v etcd >/dev/null 2>&1 && exit 0
  echo "ensure-etcd: the install finished but no etcd is on PATH." >&2
  exit 1
fi

cat >&2 <<'MSG'
ensure-etcd: no etcd server binary found.
  etcd-rx's demo and tests start real etcd members (etcd 3.4 or newer).
  Install it, then run the command again:
    Debian/Ubuntu:  sudo apt-get install -y etcd-server etcd-client
    elsewhere:      put an etcd binary on PATH, or set ETCD_BIN=/path/to/etcd
MSG
exit 1
