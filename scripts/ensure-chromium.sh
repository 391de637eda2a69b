#!/usr/bin/env bash
# Makes sure a Chromium is available for the real-browser tests (never a downloaded browser:
# Debian's chromium package). Uses $CHROMIUM_BIN or /usr/bin/chromium; installs Debian's chromium
# when missing and we are root; otherwise explains how to get it and fails.
set -euo pipefail

browser="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_BIN:-}" ]; then
  echo "ensure-chromium: CHROMIUM_BIN=$CHROMIUM_BIN is not an executable file." >&2
  exit 1
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $browser not found; installing Debian's chromium..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  [ -x "$browser" ] && exit 0
  echo "ensure-chromium: the install finished but there is no $browser." >&2
  exit 1
fi

cat >&2 <<'MSG'
ensure-chromium: no Chromium found at /usr/bin/chromium.
  etcd-rx's browser tests drive a real, headless Chromium.
  Install it, then run the command again:
    Debian/Ubuntu:  sudo apt-get install -y chromium
    elsewhere:      set CHROMIUM_BIN=/path/to/chromium
MSG
exit 1
