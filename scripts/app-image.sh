#!/usr/bin/env bash
# Builds the conference server's image from docker/app.Dockerfile: scripts/app-image.sh
# Tags it conference/server:<version of package.json> (the image's label and the app carry the
# build's stamp, version and commit) and conference/server:latest (the tag
# docker/compose.yaml runs), or only the tag in APP_IMAGE. The base is scripts/asterisk.sh's
# (BASE_IMAGE, else debian:sid, else a local Debian sid built with mmdebstrap when no registry is
# reachable). Unchanged layers are reused. Prints the image's tag.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=docker
version=$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")
# The build's stamp (package.json's version and the commit), as make build and make dist write it.
mkdir -p "$ROOT/.run/app-image"
stamped=$("$ROOT/scripts/stamp-version.sh" "$ROOT/.run/app-image")
tag=${APP_IMAGE:-conference/server:$version}
tags=(-t "$tag")
[[ -n ${APP_IMAGE:-} ]] || tags+=(-t conference/server:latest)
base=$("$ROOT/scripts/asterisk.sh" base-image)
# The build stage's npm trusts what this host trusts (a TLS proxy's authority included).
ca=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
if [[ -s $ca ]]; then cp "$ca" "$ROOT/.run/app-image/ca-certificates.crt"; else : > "$ROOT/.run/app-image/ca-certificates.crt"; fi
echo "app-image: building $tag from docker/app.Dockerfile (base $base)" >&2
# --network host: the engine runs without a bridge; npm ci and apt reach their registries this way.
"$DOCKER" build --quiet --force-rm --network host --build-arg "BASE_IMAGE=$base" --build-arg "VERSION=$stamped" \
  -f "$ROOT/docker/app.Dockerfile" "${tags[@]}" "$ROOT" >/dev/null
echo "$tag"
