#!/usr/bin/env bash
# A conference cluster on this machine, all on loopback: Valkey (the shared store), N Asterisk
# nodes each with its app under the supervisor, and Kamailio in front of them. `make run-cluster`
# runs `up`; `make down` runs `down`.
#
#   scripts/cluster.sh up|down|status|env|drain <n>|undrain <n>|asterisk <n> <scripts/asterisk.sh arguments>
#
# Environment (all optional): CLUSTER_INSTANCE (cluster), NODES (3, at most 8; for `up`), and the
# first node's ports, each next node's 100 higher: CLUSTER_ARI_PORT (8188), CLUSTER_SIP_PORT (5160),
# CLUSTER_API_PORT (8190, its app's status API), CLUSTER_RTP_START (6000, 500 ports a node);
# CLUSTER_VALKEY_PORT (6380), CLUSTER_KAMAILIO_PORT (5070); CONFERENCE_CONFIG (config/conference.json:
# the one settings file of every node); CLUSTER_APP (node dist/src/main.js: how each app is run).
# The nodes are named <instance>-1 ... <instance>-N, in Asterisk (systemname) and in the store.
# The demo phones register with Kamailio. The trunk and demo phones' password, the nodes' CLUSTER_PASSWORD and the API token are generated
# once per cluster into .run/<instance>/ (or given: SIP_PASSWORD, CLUSTER_PASSWORD, CONFERENCE_API_TOKEN).
# `up` keeps its ports in .run/<instance>/ports: status, env, down and asterisk find them there.
# `asterisk <n> ...` runs scripts/asterisk.sh for node n with its ports and passwords: `asterisk 2
# down` stops that node's Asterisk as a crash would take it, `asterisk 2 up` brings it back.
# `drain <n>`: node n takes no new calls from Kamailio and starts no new rooms (its app gives them
# to the other nodes); its calls and rooms go on until they end. `undrain <n>` undoes both.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLUSTER=${CLUSTER_INSTANCE:-cluster}
STATE="$ROOT/.run/$CLUSTER"
# The other commands find the ports `up` last started with (ports given in the environment win).
PORT_NAMES='CLUSTER_(ARI_PORT|SIP_PORT|API_PORT|RTP_START|VALKEY_PORT|KAMAILIO_PORT)'
if [[ ${1:-} != up && -f $STATE/ports ]]; then
  while IFS='=' read -r name value; do
    if [[ $name =~ ^$PORT_NAMES$ && $value =~ ^[0-9]+$ && -z ${!name:-} ]]; then printf -v "$name" '%s' "$value"; fi
  done <"$STATE/ports"
fi
ARI0=${CLUSTER_ARI_PORT:-8188}
SIP0=${CLUSTER_SIP_PORT:-5160}
API0=${CLUSTER_API_PORT:-8190}
RTP0=${CLUSTER_RTP_START:-6000}
VALKEY_PORT=${CLUSTER_VALKEY_PORT:-6380}
KAMAILIO_PORT=${CLUSTER_KAMAILIO_PORT:-5070}
CONFIG=${CONFERENCE_CONFIG:-config/conference.json}
APP=${CLUSTER_APP:-node dist/src/main.js}

say() { echo "cluster[$CLUSTER]: $*" >&2; }
die() { say "$*"; exit 1; }

secret() {
  local name=$1 given=${2:-}
  mkdir -p "$STATE"
  if [[ -n $given ]]; then printf '%s' "$given"; return; fi
  [[ -s $STATE/$name ]] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$STATE/$name")
  cat "$STATE/$name"
}

SIP_PASSWORD=$(secret sip-password "${SIP_PASSWORD:-}")
CLUSTER_PASSWORD=$(secret cluster-password "${CLUSTER_PASSWORD:-}")
API_TOKEN=$(secret api-token "${CONFERENCE_API_TOKEN:-}")

# The nodes `up` started (a later NODES does not change which ones `down` stops).
node_count() { cat "$STATE/nodes" 2>/dev/null || echo 0; }
node_name() { echo "$CLUSTER-$1"; }
port_of() { echo $(($1 + 100 * ($2 - 1))); }

asterisk_node() {
  local i=$1; shift
  local rtp=$((RTP0 + 500 * (i - 1)))
  ASTERISK_INSTANCE=$(node_name "$i") ARI_PORT=$(port_of "$ARI0" "$i") SIP_PORT=$(port_of "$SIP0" "$i") \
    RTP_START=$rtp RTP_END=$((rtp + 499)) SIP_PASSWORD=$SIP_PASSWORD CLUSTER_PASSWORD=$CLUSTER_PASSWORD \
    ARI_URL='' ARI_USER='' ARI_PASSWORD='' "$ROOT/scripts/asterisk.sh" "$@"
}

valkey() { VALKEY_INSTANCE=$CLUSTER VALKEY_PORT=$VALKEY_PORT "$ROOT/scripts/valkey.sh" "$@"; }
kamailio() { KAMAILIO_INSTANCE=$CLUSTER KAMAILIO_PORT=$KAMAILIO_PORT SIP_PASSWORD=$SIP_PASSWORD "$ROOT/scripts/kamailio.sh" "$@"; }

app_pid() {
  local pid
  pid=$(cat "$STATE/$(node_name "$1").pid" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

health() { curl -fsS -m 2 "http://127.0.0.1:$(port_of "$API0" "$1")/health" 2>/dev/null; }

# The app of node i, under the supervisor, in a session of its own; its log in .run/<instance>/.
# The pid file holds the supervisor's pid: env and setsid exec into it.
start_app() {
  local i=$1 name api line
  name=$(node_name "$i")
  api=$(port_of "$API0" "$i")
  # An app of an earlier run still there would answer for this one.
  if (exec 3<>"/dev/tcp/127.0.0.1/$api") 2>/dev/null; then
    die "port $api (the status API of $name) is in use: stop what listens there (ss -ltnp 'sport = :$api')"
  fi
  local -a env=()
  while IFS= read -r line; do [[ $line == ARI_* ]] && env+=("$line"); done < <(asterisk_node "$i" env)
  while IFS= read -r line; do env+=("$line"); done < <(valkey env)
  mkdir -p "$STATE/$name"
  # shellcheck disable=SC2086 # CLUSTER_APP is a command line
  env -C "$ROOT" "${env[@]}" CONFERENCE_CONFIG="$CONFIG" CONFERENCE_NODE="$name" \
    CONFERENCE_SIP_ADDRESS="127.0.0.1:$(port_of "$SIP0" "$i")" CONFERENCE_API_PORT="$api" \
    CONFERENCE_API_TOKEN="$API_TOKEN" CONFERENCE_STATE="$STATE/$name/rooms.json" \
    setsid node "$ROOT/dist/src/tools/supervise.js" $APP >>"$STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}

wait_healthy() {
  local i=$1 deadline=$((SECONDS + 60))
  until health "$i" | grep -q '"status":"ok"'; do
    if ((SECONDS > deadline)); then
      say "the app of $(node_name "$i") is not healthy after 60 s; its last log lines ($STATE/$(node_name "$i").log):"
      tail -20 "$STATE/$(node_name "$i").log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

# The supervisor stops its app (3 s at most) and then itself; past 5 s both are killed.
stop_app() {
  local i=$1 pid apps
  pid=$(app_pid "$i") || { rm -f "$STATE/$(node_name "$i").pid"; return 0; }
  apps=$(pgrep -P "$pid" || true)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # shellcheck disable=SC2086 # the app's pids, if any
  kill -KILL "$pid" $apps 2>/dev/null || true
  rm -f "$STATE/$(node_name "$i").pid"
}

cmd_up() {
  local nodes=${NODES:-3} i uris=()
  [[ $nodes =~ ^[1-8]$ ]] || die "NODES=$nodes: give 1 to 8 nodes"
  # The supervisor runs from the build whatever CLUSTER_APP is.
  [[ -f $ROOT/dist/src/tools/supervise.js && (-f $ROOT/dist/src/main.js || $APP != "node dist/src/main.js") ]] ||
    die "no build in dist/: run make build (make run-cluster and make test do)"
  cmd_down >/dev/null 2>&1 || true
  echo "$nodes" >"$STATE/nodes"
  printf 'CLUSTER_ARI_PORT=%s\nCLUSTER_SIP_PORT=%s\nCLUSTER_API_PORT=%s\nCLUSTER_RTP_START=%s\nCLUSTER_VALKEY_PORT=%s\nCLUSTER_KAMAILIO_PORT=%s\n' \
    "$ARI0" "$SIP0" "$API0" "$RTP0" "$VALKEY_PORT" "$KAMAILIO_PORT" >"$STATE/ports"
  valkey up
  # The image (or the chroot) once, before the nodes start side by side.
  [[ $("$ROOT/scripts/asterisk.sh" runtime) == docker ]] && "$ROOT/scripts/asterisk.sh" image
  local -a pids=()
  for i in $(seq "$nodes"); do asterisk_node "$i" up & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || die "an Asterisk node did not start (its lines above say why)"; done
  for i in $(seq "$nodes"); do start_app "$i"; done
  for i in $(seq "$nodes"); do wait_healthy "$i" || die "the cluster is not up; scripts/cluster.sh down stops what started"; done
  for i in $(seq "$nodes"); do uris+=("sip:127.0.0.1:$(port_of "$SIP0" "$i")"); done
  KAMAILIO_NODES="${uris[*]}" kamailio up
  say "up: $nodes nodes behind Kamailio on 127.0.0.1:$KAMAILIO_PORT"
}

cmd_down() {
  local i
  [[ -f $STATE/nodes ]] || { say "not running"; return 0; }
  for i in $(seq "$(node_count)"); do stop_app "$i"; done
  kamailio down || true
  for i in $(seq "$(node_count)"); do asterisk_node "$i" down || true; done
  valkey down || true
  rm -f "$STATE/nodes"
}

cmd_status() {
  local i nodes status=0
  nodes=$(node_count)
  ((nodes > 0)) || { say "not running"; exit 3; }
  for i in $(seq "$nodes"); do
    local name app
    name=$(node_name "$i")
    if asterisk_node "$i" status >/dev/null 2>&1; then app="Asterisk up"; else app="Asterisk down"; status=3; fi
    if app_pid "$i" >/dev/null; then
      local answer
      answer=$(health "$i" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true)
      app+=", app ${answer:-not answering} (pid $(app_pid "$i"), API 127.0.0.1:$(port_of "$API0" "$i"))"
    else
      app+=", app not running"
      status=3
    fi
    say "$name: $app"
  done
  valkey status || status=3
  kamailio nodes >&2 || status=3
  exit $status
}

cmd_env() {
  local i apis=()
  for i in $(seq "$(node_count)"); do apis+=("http://127.0.0.1:$(port_of "$API0" "$i")"); done
  printf 'CLUSTER_SIP=127.0.0.1:%s\nSIP_PASSWORD=%s\nCONFERENCE_API_TOKEN=%s\nCLUSTER_APIS="%s"\n' \
    "$KAMAILIO_PORT" "$SIP_PASSWORD" "$API_TOKEN" "${apis[*]}"
}

# Kamailio sends node n no new calls, and its app places no new room on itself (POST /drain).
cmd_drain() {
  local i=$1 method=$2 verb=$3 answer code error
  answer=$(curl -sS -m 5 -X "$method" -H "Authorization: Bearer $API_TOKEN" -w '\n%{http_code}' \
    "http://127.0.0.1:$(port_of "$API0" "$i")/drain") || die "$(node_name "$i"): its app's API did not answer (scripts/cluster.sh status)"
  code=${answer##*$'\n'}
  error=$(sed -n 's/.*"error":"\([^"]*\)".*/\1/p' <<<"$answer")
  # 409: the app is so already; Kamailio is told all the same.
  case $code in
    200) say "$(node_name "$i"): app $( [[ $verb == drain ]] && echo "starts no new rooms" || echo "takes new rooms again")" ;;
    409) say "$(node_name "$i"): $error" ;;
    *) die "$(node_name "$i"): the $verb was refused ($code): $error" ;;
  esac
  kamailio "$verb" "sip:127.0.0.1:$(port_of "$SIP0" "$i")"
}

node_arg() {
  [[ ${1:-} =~ ^[1-8]$ ]] && (($1 <= $(node_count))) || die "$2 <n>: n is a node of the cluster, 1 to $(node_count)"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  drain) node_arg "${2:-}" drain; cmd_drain "$2" POST drain ;;
  undrain) node_arg "${2:-}" undrain; cmd_drain "$2" DELETE undrain ;;
  asterisk) node_arg "${2:-}" asterisk; i=$2; shift 2; asterisk_node "$i" "$@" ;;
  *) echo "usage: $0 up|down|status|env|drain <n>|undrain <n>|asterisk <n> <arguments>" >&2; exit 2 ;;
esac
