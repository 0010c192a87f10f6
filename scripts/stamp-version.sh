#!/usr/bin/env bash
# Writes <folder>/version.json: package.json's version, plus the commit when built from a git
# checkout (".dirty" when it has uncommitted changes), as src/version.ts reads it. Prints the version.
set -euo pipefail
folder=${1:?usage: scripts/stamp-version.sh <folder of the compiled src/>}
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(node -p "require('$root/package.json').version")
if commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null); then
  version="$version+$commit"
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then version="$version.dirty"; fi
fi
mkdir -p "$folder"
printf '{"version":"%s"}\n' "$version" >"$folder/version.json"
echo "$version"
