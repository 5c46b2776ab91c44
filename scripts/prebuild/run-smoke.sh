#!/usr/bin/env bash
# Runs scripts/prebuild/smoke.js on a real Node of each prebuild's platform (all five, or the
# targets named): this machine's Node for linux-x64, the Nodes of node-runtimes.sh for the
# others (i386 natively, arm64 under qemu-user, Windows under wine). Needs `npm run build:ts`
# and `npm run prebuild:all` first. Fails when any one fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

declare -A node_of
node_of[linux-x64]="$(command -v node)"
while read -r target command; do node_of[$target]="$command"; done < <(bash scripts/prebuild/node-runtimes.sh)

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(linux-x64 linux-ia32 linux-arm64 win32-x64 win32-ia32)

# shellcheck source=scripts/prebuild/wine-prefix.sh
source scripts/prebuild/wine-prefix.sh

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=0
for target in "${targets[@]}"; do
  expected="$(node -p "require('./build-prebuilds/$target/openssl-headers.json').version")"
  case "$target" in win32-*) wine_prefix >/dev/null ;; esac
  # shellcheck disable=SC2086 # the command is words: a launcher, its options, the node binary
  if ${node_of[$target]} "$root/scripts/prebuild/smoke.js" "$expected" "$out/$target.json" >"$out/$target.log" 2>&1 &&
     grep -q '"ok":true' "$out/$target.json"; then
    echo "ok   $target: $(cat "$out/$target.json")"
  else
    echo "FAIL $target"; cat "$out/$target.json" "$out/$target.log" 2>/dev/null || true
    failed=$((failed + 1))
  fi
done
echo "$(( ${#targets[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
