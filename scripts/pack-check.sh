#!/usr/bin/env bash
# Packs @courier/core, @courier/client, @courier/testing, @courier/flags and @courier/redis the way they are published
# (`pnpm pack`: prepack builds dist, workspace: ranges become versions),
# installs the tarballs with npm into a new project outside the workspace,
# type-checks a consumer (strict, exactOptionalPropertyTypes, NodeNext) and
# runs it against a TestServer. Needs the npm registry for the peers, pinned
# to the versions of the workspace's lockfile. Run by .ci/run after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d /tmp/courier-pack-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The versions the workspace is installed with (from pnpm-lock.yaml).
installed() { node -p "require('$1/package.json').version"; }
pins=(
  "effect@$(cd packages/client && installed effect)"
  "@effect/platform@$(cd packages/client && installed @effect/platform)"
  "@effect/platform-node@$(cd packages/client && installed @effect/platform-node)"
  "typescript@$(installed typescript)"
  "@types/node@$(installed @types/node)"
)

for pkg in core client testing flags redis; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$work" >/dev/null)
done
for tarball in "$work"/*.tgz; do
  manifest=$(tar -xzOf "$tarball" package/package.json)
  if grep -q '"workspace:' <<<"$manifest"; then
    echo "pack check: $(basename "$tarball") still has a workspace: range:" >&2
    grep '"workspace:' <<<"$manifest" >&2
    exit 1
  fi
done
# @courier/core is the Effect-free part: its manifest names no effect package.
if tar -xzOf "$work"/courier-core-*.tgz package/package.json | grep -q '"effect"\|"@effect/'; then
  echo "pack check: @courier/core depends on effect" >&2
  exit 1
fi
# Only @courier/redis brings ioredis: a program without Redis never installs it.
for pkg in core client testing flags; do
  if tar -xzOf "$work"/courier-$pkg-*.tgz package/package.json | grep -q '"ioredis"'; then
    echo "pack check: @courier/$pkg depends on ioredis" >&2
    exit 1
  fi
done

cp scripts/pack-check/consumer.ts scripts/pack-check/tsconfig.json "$work/"
cd "$work"
echo '{ "name": "courier-pack-check", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --loglevel=error \
  ./courier-core-*.tgz ./courier-client-*.tgz ./courier-testing-*.tgz ./courier-flags-*.tgz ./courier-redis-*.tgz "${pins[@]}" </dev/null
./node_modules/.bin/tsc -p tsconfig.json
node out/consumer.js </dev/null
echo "pack check: ok (${pins[*]})"
