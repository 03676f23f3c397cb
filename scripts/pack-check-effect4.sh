#!/usr/bin/env bash
# The effect 4 line's packed-package check, run on Node >= 22.19 (through
# scripts/effect4.sh): packs @courier/core, @courier/client-effect4 and
# @courier/testing-effect4 as published, installs the tarballs with npm into a
# new project outside the workspace with effect 4 pinned to the lockfile's
# version, type-checks a consumer (strict, exactOptionalPropertyTypes,
# NodeNext) and runs it: the preset with refresh, retry and timeouts against a
# TestServer of the effect 4 test kit.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/courier-pack-check-effect4.XXXXXX)
trap 'rm -rf "$work"' EXIT

installed() { node -p "require('$1/package.json').version"; }
pins=(
  "effect@$(cd packages/effect4/client && installed effect)"
  "typescript@$(installed typescript)"
  "@types/node@$(cd packages/effect4 && installed @types/node)"
)

(cd packages/core && pnpm pack --pack-destination "$work" >/dev/null)
(cd packages/effect4/client && pnpm pack --pack-destination "$work" >/dev/null)
(cd packages/effect4/testing && pnpm pack --pack-destination "$work" >/dev/null)
for tarball in "$work"/*.tgz; do
  manifest=$(tar -xzOf "$tarball" package/package.json)
  if grep -q '"workspace:' <<<"$manifest"; then
    echo "pack check (effect 4): $(basename "$tarball") still has a workspace: range" >&2
    exit 1
  fi
  # The effect 4 packages never bring effect 3's platform packages.
  if grep -q '"@effect/platform' <<<"$manifest"; then
    echo "pack check (effect 4): $(basename "$tarball") names an @effect/platform package" >&2
    exit 1
  fi
done

cp scripts/pack-check/consumer-effect4.ts "$work/consumer.ts"
cp scripts/pack-check/tsconfig.json "$work/"
cd "$work"
echo '{ "name": "courier-pack-check-effect4", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --loglevel=error \
  ./courier-core-*.tgz ./courier-client-effect4-*.tgz ./courier-testing-effect4-*.tgz "${pins[@]}" </dev/null
./node_modules/.bin/tsc -p tsconfig.json
node out/consumer.js </dev/null
echo "pack check (effect 4): ok on node $(node --version) (${pins[*]})"
