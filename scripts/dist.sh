#!/usr/bin/env bash
# `make dist`: release/conference-server-<version>.tgz, one folder inside that runs with `node`
# alone (compiled JS, production npm packages, no compiler, no network). Prints the file's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

npx tsc -p tsconfig.build.json --outDir "$stage/app/dist"
version=$(scripts/stamp-version.sh "$stage/app/dist/src")
name="conference-server-$version"
app="$stage/$name"
mv "$stage/app" "$app"
cp -R bin config sounds asterisk-conf install docs README.md package.json package-lock.json "$app/"
# Production packages only, from the lock file; from npm's cache when it has them.
(cd "$app" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >&2)
mkdir -p release
tar -C "$stage" -czf "release/$name.tgz" "$name"
echo "release/$name.tgz"
