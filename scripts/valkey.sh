#!/usr/bin/env bash
# Valkey for the cluster's shared store (store.url): Debian sid's valkey-server, on loopback only.
#
#   scripts/valkey.sh up|down|status|env
#
# Environment (all optional): VALKEY_INSTANCE (run), VALKEY_PORT (6379), VALKEY_PASSWORD
# (generated once per instance into .run/valkey-<instance>/ when not given), ASTERISK_RUNTIME
# (auto | docker | chroot), as for scripts/asterisk.sh: a container of docker/valkey.Dockerfile on
# the host network, or the chroot that scripts/asterisk.sh builds. Nothing is saved to disk: the
# store holds rooms while they live, and leases that run out.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INSTANCE=${VALKEY_INSTANCE:-run}
PORT=${VALKEY_PORT:-6379}
STATE="$ROOT/.run/valkey-$INSTANCE"
IMAGE=conference/valkey:sid
CONTAINER="conference-valkey-$INSTANCE"
CHROOT="$ROOT/.run/chroot-root"
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=docker

say() { echo "valkey[$INSTANCE]: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$STATE"
if [[ -n ${VALKEY_PASSWORD:-} ]]; then
  PASSWORD=$VALKEY_PASSWORD
else
  [[ -s $STATE/password ]] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/password")
  PASSWORD=$(cat "$STATE/password")
fi

# Loopback only, a password, no files written.
write_config() {
  (umask 077; printf 'bind 127.0.0.1\nport %s\nrequirepass %s\nsave ""\nappendonly no\nprotected-mode yes\n' "$PORT" "$PASSWORD" > "$STATE/instance.conf")
}

# AUTH then PING over a plain TCP connection: +OK, +PONG.
answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
    printf 'AUTH %s\r\nPING\r\n' "$PASSWORD" >&3
    read -r -t 2 auth <&3 && read -r -t 2 pong <&3 && [[ $auth == +OK* && $pong == +PONG* ]]
  ) 2>/dev/null
}

ensure_image() { "$ROOT/scripts/asterisk.sh" sid-image "$IMAGE" valkey.Dockerfile; }

docker_up() {
  ensure_image
  "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true
  "$DOCKER" run -d --name "$CONTAINER" --network host --restart no \
    -v "$STATE/instance.conf:/etc/valkey/instance.conf:ro" "$IMAGE" >/dev/null
}

chroot_up() {
  local conf="$CHROOT/etc/valkey-$INSTANCE.conf"
  cp "$STATE/instance.conf" "$conf"
  nohup chroot "$CHROOT" valkey-server "/etc/valkey-$INSTANCE.conf" >"$STATE/valkey.out" 2>&1 &
  echo $! > "$STATE/valkey.pid"
}

running() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) [[ $("$DOCKER" inspect -f '{{.State.Running}}' "$CONTAINER" 2>/dev/null) == true ]] ;;
    chroot) [[ -s $STATE/valkey.pid ]] && kill -0 "$(cat "$STATE/valkey.pid")" 2>/dev/null ;;
    *) return 1 ;;
  esac
}

cmd_up() {
  write_config
  if running && answers; then say "already up on 127.0.0.1:$PORT"; return 0; fi
  cmd_down >/dev/null 2>&1
  local runtime
  runtime=$("$ROOT/scripts/asterisk.sh" runtime)
  echo "$runtime" > "$STATE/runtime"
  say "starting Valkey with runtime $runtime"
  "${runtime}_up"
  local deadline=$((SECONDS + 30))
  until answers; do
    ((SECONDS > deadline)) && die "Valkey did not answer on 127.0.0.1:$PORT within 30 s"
    sleep 0.2
  done
  say "ready on 127.0.0.1:$PORT"
}

# Stops only what this instance started: its container, or the process whose pid it wrote.
cmd_down() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true ;;
    chroot)
      if [[ -s $STATE/valkey.pid ]]; then kill "$(cat "$STATE/valkey.pid")" 2>/dev/null || true; fi
      rm -f "$STATE/valkey.pid" "$CHROOT/etc/valkey-$INSTANCE.conf" ;;
  esac
  rm -f "$STATE/runtime"
  say "stopped"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) if running && answers; then say "running on 127.0.0.1:$PORT"; else say "not running"; exit 3; fi ;;
  env) printf 'CONFERENCE_STORE_URL=redis://127.0.0.1:%s\nCONFERENCE_STORE_PASSWORD=%s\n' "$PORT" "$PASSWORD" ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
