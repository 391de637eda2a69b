#!/usr/bin/env bash
# Makes sure a Node release of the given major version is available for the runtime matrix, and
# prints its bin directory on stdout (put it first on PATH: PATH="$(bash scripts/ensure-node.sh 24):$PATH").
#
# The npm package node-<os>-<arch> carries each Node release's binary, so npm (already needed for
# the project) fetches it through whatever registry and proxy it is configured for: no second
# download channel to configure. The binary is unpacked under .node/<major>/ (gitignored) and reused
# on later runs; a cached copy of another major, or one that no longer starts, is replaced.
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:-}"
if ! [[ "$major" =~ ^[1-9][0-9]*$ ]]; then
  echo "ensure-node: usage: ensure-node.sh MAJOR   (a Node major version such as 22, 24 or 26; got '${major}')" >&2
  exit 2
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "ensure-node: no Node binary package for $(uname -s); only Linux and macOS." >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node: no Node binary package for the $(uname -m) architecture." >&2; exit 1 ;;
esac

cache=".node"
target="$cache/$major"

# Succeeds when $1/bin/node starts and reports the wanted major version.
runs_wanted_major() {
  local version
  version="$("$1/bin/node" --version 2>/dev/null)" || return 1
  [[ "$version" == "v$major."* ]]
}

if ! runs_wanted_major "$target"; then
  mkdir -p "$cache"
  staging="$(mktemp -d "$cache/.fetch-$major.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo "ensure-node: fetching Node $major (npm package node-$os-$arch@$major)..." >&2
  if ! tarball="$(npm pack "node-$os-$arch@$major" --pack-destination "$staging" --silent --loglevel=error | tail -n 1)" || [ -z "$tarball" ]; then
    echo "ensure-node: could not get Node $major: \`npm pack node-$os-$arch@$major\` failed (its error is above)." >&2
    echo "ensure-node: no such version means $major is no released Node major; a connection error, that the npm registry cannot be reached (offline, or a proxy missing from npm's config)." >&2
    exit 1
  fi
  # Only the binary and its licence: the headers and docs in the package are not needed to run.
  tar -xzf "$staging/$tarball" -C "$staging" package/bin/node package/LICENSE
  if ! runs_wanted_major "$staging/package"; then
    echo "ensure-node: the fetched node-$os-$arch@$major does not run as Node $major:" >&2
    "$staging/package/bin/node" --version >&2 || true
    exit 1
  fi
  rm -rf "$target"
  # A rename, so a concurrent run sees either no copy or a whole one.
  mv "$staging/package" "$target"
fi

echo "ensure-node: Node $("$target/bin/node" --version) at $target/bin" >&2
echo "$(pwd)/$target/bin"
