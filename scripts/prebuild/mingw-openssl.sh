#!/usr/bin/env bash
# Builds a static libcrypto for win32-x64 and win32-ia32 with mingw-w64, from Debian's own
# openssl source package (Debian ships no OpenSSL for mingw). Each build goes to
# $OPENRMS_CI_CACHE/openssl-<version>-<target> (headers and libcrypto.a of one build, so a
# Windows prebuild always compiles against the headers of the library it links) and is kept:
# it is made again only when that folder is absent, e.g. after Debian updates openssl.
# Prints the prefixes it made or found, one per line.
set -euo pipefail

cache="${OPENRMS_CI_CACHE:-/var/cache/openrms-ci}"
mkdir -p "$cache"
# One run at a time (two prebuild runs at once): the other waits, then finds what this one made.
exec 9>"$cache/.lock-$(basename "$0")"
flock 9
version="$(apt-cache showsrc openssl | sed -n 's/^Version: //p' | sort -V | tail -n1)"
[ -n "$version" ] || { echo "no openssl source package: run scripts/prebuild/debian-packages.sh" >&2; exit 1; }

source_dir="$cache/openssl-src-$version"
if [ ! -d "$source_dir" ]; then
  work="$(mktemp -d "$cache/openssl-src.XXXXXX")"
  (cd "$work" && apt-get source -qq "openssl=$version" >&2)
  mv "$work"/openssl-*/ "$source_dir"
  rm -rf "$work"
fi

# OpenSSL's own targets for mingw-w64; `mingw` is the 32-bit one.
for target in win32-x64:mingw64:x86_64-w64-mingw32 win32-ia32:mingw:i686-w64-mingw32; do
  IFS=: read -r name configure_target triplet <<<"$target"
  prefix="$cache/openssl-$version-$name"
  if [ ! -f "$prefix/lib/libcrypto.a" ]; then
    build="$(mktemp -d "$cache/openssl-build-$name.XXXXXX")"
    cp -a "$source_dir/." "$build"
    # Debian's pic.patch makes the 32-bit x86 assembly position-independent the ELF way (GOT
    # relocations), which a PE/COFF assembler cannot represent: Windows code does not use it.
    patch -s -R -p1 -d "$build" <"$source_dir/debian/patches/pic.patch"
    echo "== building libcrypto $version for $name (a few minutes, once)" >&2
    # The build's output goes to a log, shown only when it fails.
    if ! (
      cd "$build"
      # no-shared: the addon links it statically; no-module/no-engine: nothing loaded from disk
      # at run time; no-tests, and `make build_libs`: only the libraries are needed.
      ./Configure "$configure_target" --cross-compile-prefix="$triplet-" --prefix="$prefix.partial" --libdir=lib \
        no-shared no-module no-engine no-tests -O2
      nice -n 10 make -j2 build_libs
      make install_dev
    ) >"$build.log" 2>&1; then
      tail -n 40 "$build.log" >&2
      echo "== building libcrypto for $name failed: $build.log, $build" >&2
      exit 1
    fi
    rm -rf "$prefix" && mv "$prefix.partial" "$prefix"
    rm -rf "$build" "$build.log"
  fi
  echo "$prefix"
done
