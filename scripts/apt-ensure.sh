#!/usr/bin/env bash
# Installs Debian packages for commands that are missing: apt-ensure.sh COMMAND[:PACKAGE]...
set -euo pipefail
missing=()
for pair in "$@"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  command -v "$cmd" >/dev/null || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
[[ $(id -u) == 0 ]] || { echo "apt-ensure: needs ${missing[*]}; run as root or install them: apt-get install ${missing[*]}" >&2; exit 1; }
echo "installing Debian's ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
# Fresh package lists are used as they are; stale or missing ones (or a failed try) are refreshed.
if [[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1) ]] && install; then
  exit 0
fi
apt-get update -qq
install
