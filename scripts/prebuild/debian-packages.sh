#!/usr/bin/env bash
# Installs, on Debian 12, what the five prebuilds need to be built and run: cross compilers for
# linux-ia32, linux-arm64 and win32 (mingw-w64), the i386 and arm64 OpenSSL of Debian
# (multiarch), qemu-user for arm64 binaries, wine (64 and 32-bit) for the win32 ones, and what
# `apt-get source openssl` needs. Idempotent: installs only what is missing.
set -euo pipefail

as_root=""
[ "$(id -u)" -eq 0 ] || as_root="sudo"

# Multiarch, not gcc-multilib: the cross compilers come with their own libc, and i386/arm64
# libraries (libssl-dev:i386, wine32:i386) install beside the amd64 ones.
for arch in i386 arm64; do
  dpkg --print-foreign-architectures | grep -qx "$arch" || $as_root dpkg --add-architecture "$arch"
done

# `apt-get source openssl` needs a deb-src line of the release's own archive.
src_list=/etc/apt/sources.list.d/openrms-ci-src.sources
if [ ! -f "$src_list" ]; then
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
    $as_root tee "$src_list" >/dev/null
fi

# A mirror can serve a source's index of a foreign architecture that does not match its
# Release file (seen with bookworm-security's binary-i386 during a sync): apt-get update then
# fails. The packages needed for that architecture are in the release itself, so the source
# is limited to the architectures whose index did download, and the update is run again.
# That source is also pinned below the release: a Multi-Arch: same library (libssl3,
# libssl-dev, everything wine32 pulls in) must have one version on every architecture, and the
# limited source would offer amd64 a newer one than i386 can have.
restrict_failed_sources() {
  local log="$1" uri suite arch file all keep
  all="$(dpkg --print-architecture) $(dpkg --print-foreign-architectures | tr '\n' ' ')"
  grep -oE "Failed to fetch [^ ]+/dists/[^ ]+/binary-[a-z0-9]+/" "$log" | sed -E 's|Failed to fetch ||' | sort -u |
  while read -r url; do
    uri="${url%%/dists/*}"
    suite="$(sed -E 's|.*/dists/([^/]+)/.*|\1|' <<<"$url")"
    printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n' "$suite" | $as_root tee "/etc/apt/preferences.d/openrms-ci-$suite" >/dev/null
    arch="$(sed -E 's|.*/binary-([a-z0-9]+)/$|\1|' <<<"$url")"
    keep="$(tr ' ' '\n' <<<"$all" | grep -vx "$arch" | grep . | tr '\n' ' ')"
    for file in /etc/apt/sources.list.d/*.sources; do
      grep -q "^URIs: *$uri\$" "$file" || continue
      echo "== $uri serves an inconsistent $arch index: limiting it to ${keep% }"
      # deb822 stanzas are separated by blank lines; set Architectures in the stanza of that URI.
      $as_root awk -v uri="$uri" -v archs="${keep% }" '
        BEGIN { RS = ""; ORS = "\n\n" }
        $0 ~ "URIs: *" uri "(\n|$)" { gsub(/\nArchitectures:[^\n]*/, ""); $0 = $0 "\nArchitectures: " archs }
        { print }' "$file" | $as_root tee "$file.new" >/dev/null
      $as_root mv "$file.new" "$file"
    done
    if [ -f /etc/apt/sources.list ] && grep -qE "^deb +$uri " /etc/apt/sources.list; then
      echo "== $uri serves an inconsistent $arch index: limiting it to ${keep% }"
      $as_root sed -i -E "s|^deb +($uri )|deb [arch=$(tr ' ' ',' <<<"${keep% }")] \1|" /etc/apt/sources.list
    fi
  done
}

apt_update() {
  local log
  log="$(mktemp)"
  if ! $as_root apt-get update -qq 2>&1 | tee "$log" || grep -q '^E: ' "$log"; then
    restrict_failed_sources "$log"
    $as_root apt-get update -qq
  fi
  rm -f "$log"
}

packages=(
  g++-i686-linux-gnu g++-aarch64-linux-gnu g++-mingw-w64-x86-64-posix g++-mingw-w64-i686-posix
  binutils-mingw-w64-x86-64 binutils-mingw-w64-i686 libssl-dev:i386 libssl-dev:arm64
  qemu-user-static binfmt-support wine wine64 wine32:i386 dpkg-dev perl make cmake
  # What Debian's nodejs:i386 and :arm64 (extracted by node-runtimes.sh, not installed) run with.
  libbrotli1:i386 libc-ares2:i386 libicu72:i386 libnghttp2-14:i386 libuv1:i386 zlib1g:i386 libstdc++6:i386
  libbrotli1:arm64 libc-ares2:arm64 libicu72:arm64 libnghttp2-14:arm64 libuv1:arm64 zlib1g:arm64 libstdc++6:arm64
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The source index is needed by `apt-get source` even when every package is there.
if [ "${#missing[@]}" -gt 0 ] || ! apt-cache showsrc openssl 2>/dev/null | grep -q '^Package: openssl'; then
  apt_update
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
