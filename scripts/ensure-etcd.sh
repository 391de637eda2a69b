#!/usr/bin/env bash
# Makes sure an etcd server binary is available for the demo and the tests.
#
# ETCD_VERSION picks the etcd minor version:
#   unset or 3.4  $ETCD_BIN, else `etcd` on PATH; installs Debian's etcd-server/etcd-client when
#                 missing and we are root; otherwise explains how to get it and fails.
#   3.5           $ETCD_BIN, else .etcd/3.5/usr/bin/etcd in this checkout. When that is missing,
#                 downloads etcd-server and etcd-client from Debian's newer suites (sid, trixie)
#                 with a private apt configuration, so nothing is installed over the system's
#                 etcd, and unpacks them there. The archive is the one this machine's apt
#                 sources already name. The system's 3.4 is then ensured as above: the CLI
#                 specs compare with its etcdctl whatever the cluster's version.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${ETCD_VERSION:-3.4}"

if [ -n "${ETCD_BIN:-}" ]; then
  if [ -x "$ETCD_BIN" ]; then exit 0; fi
  echo "ensure-etcd: ETCD_BIN=$ETCD_BIN is not an executable file." >&2
  exit 1
fi

# The Debian archive this machine's apt sources use: the first URI serving a plain Debian suite
# (not -security, -updates or -backports), from deb822 `.sources` files or one-line `.list` files.
debian_archive() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '
      /^[[:space:]]*$/ { if (uri != "" && plain) { print uri; exit } uri = ""; plain = 0; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /-(security|updates|backports)$/) plain = 1 }
      END { if (uri != "" && plain) print uri }
    ' "$file"
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      if ($(i + 1) !~ /-(security|updates|backports)$/ && $i ~ /debian\/?$/) print $i }' "$file"
  done
}

# Downloads etcd-server and etcd-client from sid/trixie into .etcd/<version>/ with an apt
# configuration of its own (sources, lists, cache), leaving the system's apt state untouched.
fetch_from_debian() {
  local target=".etcd/$version" archive work
  archive="$(debian_archive | head -n 1)"
  if [ -z "$archive" ]; then
    echo "ensure-etcd: no Debian archive found in the apt sources; cannot fetch etcd $version." >&2
    return 1
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
  cat >"$work/etcd.sources" <<SOURCES
Types: deb
URIs: $archive
Suites: sid trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  local apt_options=(
    -o "Dir::Etc::sourcelist=$work/etcd.sources"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "Dir::State::status=/dev/null"
    -o "APT::Sandbox::User=$(id -un)"
    -o "Debug::NoLocking=true"
  )
  echo "ensure-etcd: fetching etcd $version from Debian (sid, trixie)..." >&2
  apt-get "${apt_options[@]}" update -qq >/dev/null
  local available
  available="$(apt-cache "${apt_options[@]}" madison etcd-server | awk -v v="$version." 'index($3, v) == 1 { print $3; exit }')"
  if [ -z "$available" ]; then
    echo "ensure-etcd: Debian's sid/trixie carry no etcd-server $version.x." >&2
    return 1
  fi
  (cd "$work/debs" && apt-get "${apt_options[@]}" download -qq "etcd-server=$available" "etcd-client=$available" >/dev/null)
  rm -rf "$target"
  mkdir -p "$target"
  local deb
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$target"; done
  "$target/usr/bin/etcd" --version >&2
}

case "$version" in
  3.4) ;;
  3.5)
    # The system's etcd is wanted too: the CLI specs compare with its etcdctl (3.4) on any cluster.
    [ -x ".etcd/$version/usr/bin/etcd" ] || fetch_from_debian
    ;;
  *)
    echo "ensure-etcd: ETCD_VERSION=$version is not one this script can fetch (3.4 or 3.5);" >&2
    echo "  point ETCD_BIN at an etcd $version binary instead." >&2
    exit 1
    ;;
esac

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
