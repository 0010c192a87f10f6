#!/usr/bin/env bash
# The cluster's SIP front: Debian sid's Kamailio on loopback, spreading calls over Asterisk nodes
# (config/kamailio.cfg: dispatcher set 1, each node pinged with OPTIONS every 2 s).
#
#   scripts/kamailio.sh up|down|status|env|logs|nodes|drain <uri>|undrain <uri>
#
# Environment: KAMAILIO_INSTANCE (run), KAMAILIO_PORT (5070, or the port the instance last ran
# on), KAMAILIO_NODES (for `up`: the SIP URIs of the Asterisk nodes, space-separated, e.g.
# "sip:127.0.0.1:25060 sip:127.0.0.1:25160"), SIP_PASSWORD (for `up`: the demo phones' password,
# as the nodes have it; the phones register here with it), ASTERISK_RUNTIME (auto | docker | chroot), as for
# scripts/asterisk.sh: a container of docker/kamailio.Dockerfile on the host network, or the
# chroot that scripts/asterisk.sh builds.
# `nodes` prints a line per node: its URI and state (active, trying: it missed a ping, inactive,
# draining). `drain` sends a node no new calls while its calls go on (their in-dialog requests
# follow the Record-Route); `undrain` gives it calls again once its pings are answered.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INSTANCE=${KAMAILIO_INSTANCE:-run}
STATE="$ROOT/.run/kamailio-$INSTANCE"
# The port given, else the one this instance was last started on.
PORT=${KAMAILIO_PORT:-$(cat "$STATE/port" 2>/dev/null || echo 5070)}
IMAGE=conference/kamailio:sid
CONTAINER="conference-kamailio-$INSTANCE"
CHROOT="$ROOT/.run/chroot-root"
# The instance's folder as Kamailio sees it (the container's mount, or inside the chroot):
# its config, dispatcher.list and the ctl socket kamcmd talks to.
RUN_DIR="/run/kamailio-$INSTANCE"
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=docker

say() { echo "kamailio[$INSTANCE]: $*" >&2; }
die() { say "$*"; exit 1; }

mkdir -p "$STATE"

# config/kamailio.cfg with this instance's port, folder and the phones' password (readable by
# root alone); the nodes as dispatcher set 1.
write_config() {
  local nodes=${KAMAILIO_NODES:-} node password=${SIP_PASSWORD:-}
  [[ -n ${nodes// /} ]] || die "KAMAILIO_NODES is empty: give the SIP URIs of the Asterisk nodes, e.g. \"sip:127.0.0.1:5060\""
  [[ -n $password ]] || die "SIP_PASSWORD is empty: give the demo phones' password, as the nodes have it"
  [[ $password =~ ^[A-Za-z0-9._~!@#%^*()+=,:-]+$ ]] ||
    die "SIP_PASSWORD holds a character Kamailio's config cannot take (quote, backslash, space, |, &, ; ...): use letters, digits and ._~!@#%^*()+=,:-"
  mkdir -p "$STATE/etc"
  (umask 077; sed -e "s|@KAMAILIO_PORT@|$PORT|g" -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@SIP_PASSWORD@|$password|g" \
    "$ROOT/config/kamailio.cfg" > "$STATE/etc/kamailio.cfg")
  : > "$STATE/etc/dispatcher.list"
  for node in $nodes; do
    [[ $node == sip:* ]] || die "a node must be a SIP URI (sip:HOST:PORT), not $node"
    printf '1 %s\n' "$node" >> "$STATE/etc/dispatcher.list"
  done
}

ensure_image() { "$ROOT/scripts/asterisk.sh" sid-image "$IMAGE" kamailio.Dockerfile; }

docker_up() {
  ensure_image
  "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true
  # The folder is writable: Kamailio makes its ctl socket there.
  "$DOCKER" run -d --name "$CONTAINER" --network host --restart no -v "$STATE/etc:$RUN_DIR" "$IMAGE" \
    kamailio -DD -E -f "$RUN_DIR/kamailio.cfg" >/dev/null
}

chroot_up() {
  rm -rf "${CHROOT:?}$RUN_DIR" && mkdir -p "$CHROOT$RUN_DIR"
  (umask 077; cp "$STATE/etc/kamailio.cfg" "$STATE/etc/dispatcher.list" "$CHROOT$RUN_DIR/")
  # -DD: in the foreground (its pid is the one written), -E: its log to kamailio.out.
  nohup chroot "$CHROOT" kamailio -DD -E -f "$RUN_DIR/kamailio.cfg" >"$STATE/kamailio.out" 2>&1 &
  echo $! > "$STATE/kamailio.pid"
}

running() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) [[ $("$DOCKER" inspect -f '{{.State.Running}}' "$CONTAINER" 2>/dev/null) == true ]] ;;
    chroot) [[ -s $STATE/kamailio.pid ]] && kill -0 "$(cat "$STATE/kamailio.pid")" 2>/dev/null ;;
    *) return 1 ;;
  esac
}

# kamcmd through this instance's ctl socket.
kamcmd() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" exec "$CONTAINER" kamcmd -s "unix:$RUN_DIR/kamailio.ctl" "$@" ;;
    chroot) chroot "$CHROOT" kamcmd -s "unix:$RUN_DIR/kamailio.ctl" "$@" ;;
    *) die "not running" ;;
  esac
}

answers() { running && kamcmd core.uptime >/dev/null 2>&1; }

cmd_up() {
  write_config
  if answers && cmp -s "$STATE/etc/kamailio.cfg" "$STATE/started.cfg" && cmp -s "$STATE/etc/dispatcher.list" "$STATE/started.list"; then
    say "already up on udp:127.0.0.1:$PORT"
    return 0
  fi
  cmd_down >/dev/null 2>&1
  local runtime
  runtime=$("$ROOT/scripts/asterisk.sh" runtime)
  echo "$runtime" > "$STATE/runtime"
  say "starting Kamailio with runtime $runtime"
  "${runtime}_up"
  echo "$PORT" > "$STATE/port"
  local deadline=$((SECONDS + 30))
  until answers; do
    if ((SECONDS > deadline)) || ! running; then
      show_logs | tail -20 >&2 || true
      die "Kamailio did not answer on its ctl socket within 30 s"
    fi
    sleep 0.2
  done
  # What is running now: a later `up` with other nodes or config restarts it.
  cp -p "$STATE/etc/kamailio.cfg" "$STATE/started.cfg"
  cp "$STATE/etc/dispatcher.list" "$STATE/started.list"
  say "ready on udp:127.0.0.1:$PORT, nodes: $(cut -d' ' -f2 "$STATE/etc/dispatcher.list" | tr '\n' ' ')"
}

# Stops only what this instance started: its container, or the process whose pid it wrote.
cmd_down() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true ;;
    chroot)
      if [[ -s $STATE/kamailio.pid ]]; then
        local pid
        pid=$(cat "$STATE/kamailio.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
      fi
      rm -rf "$STATE/kamailio.pid" "${CHROOT:?}$RUN_DIR" ;;
  esac
  rm -f "$STATE/runtime" "$STATE/started.cfg" "$STATE/started.list"
  say "stopped"
}

show_logs() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" logs "$CONTAINER" 2>&1 ;;
    chroot) cat "$STATE/kamailio.out" 2>/dev/null ;;
  esac
}

# dispatcher.list as "URI state" lines. Its FLAGS: the state's letter (A active, T trying,
# I inactive, D disabled: drained here), then P (pinged) or X (not pinged).
cmd_nodes() {
  running || die "not running"
  kamcmd dispatcher.list | awk '
    $1 == "URI:" { uri = $2 }
    $1 == "FLAGS:" && uri != "" {
      s = substr($2, 1, 1)
      state = s == "A" ? "active" : s == "T" ? "trying" : s == "I" ? "inactive" : s == "D" ? "draining" : "unknown(" $2 ")"
      print uri, state
      uri = ""
    }'
}

# The node as dispatcher.list holds it: drain/undrain take it as `nodes` prints it.
known_node() {
  local uri=${1:-}
  [[ -n $uri ]] || die "usage: $0 drain|undrain <uri> (one of: $(cut -d' ' -f2 "$STATE/started.list" 2>/dev/null | tr '\n' ' '))"
  running || die "not running"
  cmd_nodes | cut -d' ' -f1 | grep -qxF -- "$uri" || die "$uri is not one of the nodes: $(cmd_nodes | cut -d' ' -f1 | tr '\n' ' ')"
}

# Disabled ("d"): ds_select_dst() skips the node and the pings leave it alone, so it stays so.
cmd_drain() {
  known_node "${1:-}"
  kamcmd dispatcher.set_state d 1 "$1" >/dev/null
  say "$1 drained: no new calls; calls on it go on"
}

# Active and probed ("ap"): a node that does not answer its pings goes inactive again.
cmd_undrain() {
  known_node "${1:-}"
  kamcmd dispatcher.set_state ap 1 "$1" >/dev/null
  say "$1 takes calls again"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) if answers; then say "running on udp:127.0.0.1:$PORT"; else say "not running"; exit 3; fi ;;
  env) printf 'KAMAILIO_SIP_URI=sip:127.0.0.1:%s\nKAMAILIO_PORT=%s\n' "$PORT" "$PORT" ;;
  logs) show_logs ;;
  nodes) cmd_nodes ;;
  drain) shift; cmd_drain "$@" ;;
  undrain) shift; cmd_undrain "$@" ;;
  *) echo "usage: $0 up|down|status|env|logs|nodes|drain <uri>|undrain <uri>" >&2; exit 2 ;;
esac
