#!/usr/bin/env bash
# Makes sure `openssl` is available: the test harness makes the TLS certificates of secured test
# clusters with it. Installs Debian's openssl when missing and we are root; otherwise explains.
set -euo pipefail

if command -v openssl >/dev/null 2>&1; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-openssl: openssl not found; installing Debian's openssl..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq openssl >/dev/null
  command -v openssl >/dev/null 2>&1 && exit 0
  echo "ensure-openssl: the install finished but no openssl is on PATH." >&2
  exit 1
fi

cat >&2 <<'MSG'
ensure-openssl: no openssl found.
  etcd-rx's tests of secured clusters make their TLS certificates with it.
  Install it, then run the command again:
    Debian/Ubuntu:  sudo apt-get install -y openssl
MSG
exit 1
