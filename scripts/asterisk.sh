#!/usr/bin/env bash
# The project's Asterisk 22: one script for development, tests and `make run`.
#
#   scripts/asterisk.sh up|down|restart|status|cli "<command>"|logs|env|pid|image|base-image|sid-image <image> <dockerfile>|runtime|samples <dir>
#
# Environment (all optional): ASTERISK_INSTANCE (run), ARI_PORT (8088), SIP_PORT (5060),
# RTP_START/RTP_END (10000/10999), HTTP_SESSION_LIMIT (1000), ARI_USER (conference), ARI_PASSWORD and SIP_PASSWORD
# (generated once per instance into .run/<instance>/ when not given), CLUSTER_PASSWORD (the password
# the nodes of a cluster call each other with: the same on every node; generated the same way), ASTERISK_RUNTIME
# (auto | docker | chroot), BASE_IMAGE (the Docker base; built locally with mmdebstrap when
# no registry is reachable), ASTERISK_CONFIG (a folder of Asterisk's configuration used as it
# is, instead of the project's asterisk-conf/: a site's own Asterisk, whose asterisk.conf puts
# its db, run, spool and log directories under <dir>/<instance> as ours does).
# `samples <dir>` copies the package's stock configuration (its /etc/asterisk) into <dir>.
# `runtime` prints the runtime `up` would choose (docker or chroot), the chroot built if that is it.
#
# Runtime: Docker with --network host (ARI, SIP and RTP stay on loopback); where no Docker
# engine can run, the same Debian sid root in a chroot. The choice is always printed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INSTANCE=${ASTERISK_INSTANCE:-run}
ARI_PORT=${ARI_PORT:-8088}
SIP_PORT=${SIP_PORT:-5060}
RTP_START=${RTP_START:-10000}
RTP_END=${RTP_END:-10999}
HTTP_SESSION_LIMIT=${HTTP_SESSION_LIMIT:-1000}
ARI_USER=${ARI_USER:-conference}
RUNTIME=${ASTERISK_RUNTIME:-auto}
STATE="$ROOT/.run/$INSTANCE"
IMAGE=conference/asterisk:22
SID_BASE=conference/debian-sid-base:latest
CHROOT="$ROOT/.run/chroot-root"
CONTAINER="conference-asterisk-$INSTANCE"
DOCKER=/usr/bin/docker
[[ -x $DOCKER ]] || DOCKER=docker
# Debian's sid snapshot mirrors carry expired Release files; accept them.
APT_OPT='Acquire::Check-Valid-Until "false"'
# valkey-server and kamailio: scripts/valkey.sh and scripts/kamailio.sh run the cluster's store
# and its SIP front from the same root.
PACKAGES=asterisk,asterisk-core-sounds-en-wav,asterisk-moh-opsound-wav,valkey-server,kamailio

say() { echo "asterisk[$INSTANCE]: $*" >&2; }
die() { say "$*"; exit 1; }

# A secret given in the environment, else one generated once and kept (mode 600) for the instance.
secret() {
  local name=$1 given=${2:-}
  mkdir -p "$STATE"
  if [[ -n $given ]]; then printf '%s' "$given"; return; fi
  if [[ ! -s $STATE/$name ]]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/$name")
  fi
  cat "$STATE/$name"
}

ARI_PASSWORD=$(secret ari-password "${ARI_PASSWORD:-}")
SIP_PASSWORD=$(secret sip-password "${SIP_PASSWORD:-}")
CLUSTER_PASSWORD=$(secret cluster-password "${CLUSTER_PASSWORD:-}")

# --- configuration -----------------------------------------------------------------------

render_config() {
  local out="$STATE/etc" file
  rm -rf "$out.new" && mkdir -p "$out.new"
  if [[ -n ${ASTERISK_CONFIG:-} ]]; then
    [[ -f $ASTERISK_CONFIG/asterisk.conf ]] || die "ASTERISK_CONFIG=$ASTERISK_CONFIG holds no asterisk.conf"
    cp -r "$ASTERISK_CONFIG/." "$out.new"
  else
    INSTANCE=$INSTANCE ARI_PORT=$ARI_PORT SIP_PORT=$SIP_PORT RTP_START=$RTP_START RTP_END=$RTP_END \
      HTTP_SESSION_LIMIT=$HTTP_SESSION_LIMIT ARI_USER=$ARI_USER ARI_PASSWORD=$ARI_PASSWORD SIP_PASSWORD=$SIP_PASSWORD CLUSTER_PASSWORD=$CLUSTER_PASSWORD \
      "$ROOT/scripts/render-asterisk-conf.sh" "$ROOT" "$out.new"
  fi
  chmod -R a+rX "$out.new"
  # Tell the caller whether the config changed (a running instance must then restart).
  if [[ -d $out ]] && diff -rq "$out" "$out.new" >/dev/null; then
    rm -rf "$out.new"; return 1
  fi
  rm -rf "$out" && mv "$out.new" "$out"
}

ari_ready() {
  curl -fsS -m 2 -u "$ARI_USER:$ARI_PASSWORD" "http://127.0.0.1:$ARI_PORT/ari/asterisk/info" >/dev/null 2>&1
}

wait_for_ari() {
  local deadline=$((SECONDS + 90))
  until ari_ready; do
    if ((SECONDS > deadline)); then
      say "ARI did not answer on 127.0.0.1:$ARI_PORT within 90 s; last log lines:"
      show_logs | tail -30 >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  say "ready: ARI on http://127.0.0.1:$ARI_PORT, SIP on 127.0.0.1:$SIP_PORT (runtime: $(cat "$STATE/runtime"))"
}

# --- Docker runtime ----------------------------------------------------------------------

engine_answers() { "$DOCKER" info >/dev/null 2>&1; }

# Starts a Docker engine if none answers; remembers that we did, so `down` may stop it.
ensure_engine() {
  engine_answers && return 0
  if ! command -v dockerd >/dev/null; then
    "$ROOT/scripts/apt-ensure.sh" dockerd:docker.io || return 1
    DOCKER=/usr/bin/docker
  fi
  engine_answers && return 0
  mkdir -p "$ROOT/.run"
  say "starting dockerd (no bridge, no iptables; containers use the host network)"
  # In a session of its own: stopping the run that started it (its process group) must not
  # stop an engine that other checkouts' instances use. setsid does not fork here (a
  # background job of a script leads no group), so $! is dockerd's pid.
  nohup setsid dockerd --bridge=none --iptables=false >"$ROOT/.run/dockerd.log" 2>&1 &
  echo $! > "$ROOT/.run/dockerd.pid"
  local deadline=$((SECONDS + 30))
  until engine_answers; do
    ((SECONDS > deadline)) && { say "dockerd did not come up (see .run/dockerd.log)"; return 1; }
    sleep 0.5
  done
}

registry_reachable() { curl -fsS -m 5 -o /dev/null https://registry-1.docker.io/v2/ 2>/dev/null || curl -sS -m 5 -o /dev/null -w '%{http_code}' https://registry-1.docker.io/v2/ 2>/dev/null | grep -q 401; }

ensure_mmdebstrap() {
  "$ROOT/scripts/apt-ensure.sh" mmdebstrap
}

# The Debian sid base of our images (this one and docker/app.Dockerfile's), printed: BASE_IMAGE,
# else debian:sid from a registry, else one built here with mmdebstrap.
base_image() {
  if [[ -n ${BASE_IMAGE:-} ]]; then echo "$BASE_IMAGE"; return; fi
  if registry_reachable; then echo debian:sid; return; fi
  if ! "$DOCKER" image inspect "$SID_BASE" >/dev/null 2>&1; then
    ensure_mmdebstrap
    say "no image registry reachable: building $SID_BASE from Debian's packages (mmdebstrap)"
    mmdebstrap --quiet --variant=apt --aptopt="$APT_OPT" --include=ca-certificates --format=tar sid - | "$DOCKER" import - "$SID_BASE" >/dev/null
  fi
  echo "$SID_BASE"
}

# Builds IMAGE from a Dockerfile of docker/ on the sid base, unless it was built from that very file.
sid_image() {
  local image=$1 dockerfile=$2 hash base
  hash=$(sha256sum "$ROOT/docker/$dockerfile" | cut -c1-16)
  if [[ $("$DOCKER" image inspect -f '{{index .Config.Labels "dockerfile"}}' "$image" 2>/dev/null) == "$hash" ]]; then return 0; fi
  base=$(base_image)
  echo "images: building $image from docker/$dockerfile (base $base)" >&2
  "$DOCKER" build --quiet --network host --build-arg "BASE_IMAGE=$base" --label "dockerfile=$hash" \
    -t "$image" -f "$ROOT/docker/$dockerfile" "$ROOT/docker" >/dev/null
}

ensure_image() { sid_image "$IMAGE" Dockerfile; }

docker_running() { [[ $("$DOCKER" inspect -f '{{.State.Running}}' "$CONTAINER" 2>/dev/null) == true ]]; }

docker_up() {
  ensure_image
  "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true
  # spool/recording: where ARI records a room before the app saves it (Asterisk does not make it).
  local dirs="/var/lib/asterisk/$INSTANCE /var/spool/asterisk/$INSTANCE/recording /var/run/asterisk/$INSTANCE /var/log/asterisk/$INSTANCE"
  # Asterisk's database (AstDB: the server number and app name the app stores) outlives the container.
  mkdir -p "$STATE/astdb"
  "$DOCKER" run -d --name "$CONTAINER" --network host --restart no \
    -v "$STATE/etc:/etc/asterisk:ro" \
    -v "$STATE/astdb:/var/lib/asterisk/$INSTANCE" \
    -v "$ROOT/sounds:/usr/share/asterisk/sounds/en/conference:ro" \
    "$IMAGE" sh -c "mkdir -p $dirs && chown -R asterisk:asterisk $dirs && exec asterisk -f -U asterisk -G asterisk" >/dev/null
}

docker_down() { "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1 || true; }

# --- chroot runtime ----------------------------------------------------------------------

ensure_chroot() {
  if [[ -x $CHROOT/usr/sbin/asterisk ]]; then
    # A root built before valkey-server or kamailio were in PACKAGES: what it lacks is added in
    # place (instances may run in it).
    local missing=() program
    for program in /usr/bin/valkey-server:valkey-server /usr/sbin/kamailio:kamailio; do
      [[ -x $CHROOT${program%%:*} ]] || missing+=("${program#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    say "adding ${missing[*]} to .run/chroot-root"
    chroot "$CHROOT" sh -c "apt-get -o 'Acquire::Check-Valid-Until=false' update -qq && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}" >/dev/null
    return 0
  fi
  ensure_mmdebstrap
  say "building a Debian sid root with Asterisk in .run/chroot-root (mmdebstrap)"
  rm -rf "$CHROOT"
  mmdebstrap --quiet --variant=apt --aptopt="$APT_OPT" --include="$PACKAGES" sid "$CHROOT" >/dev/null
}

chroot_pid() { [[ -s $STATE/asterisk.pid ]] && kill -0 "$(cat "$STATE/asterisk.pid")" 2>/dev/null && cat "$STATE/asterisk.pid"; }

chroot_up() {
  ensure_chroot
  mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
  # This instance's config and our prompts, copied in (the root may be shared by instances).
  local etc="$CHROOT/etc/asterisk-$INSTANCE" dir
  rm -rf "$etc" && cp -r "$STATE/etc" "$etc"
  sed -i "s|astetcdir => /etc/asterisk|astetcdir => /etc/asterisk-$INSTANCE|" "$etc/asterisk.conf"
  # sounds/en is an absolute link (Debian's alternatives): resolved inside the root, not on the host.
  local sounds
  sounds="$CHROOT$(chroot "$CHROOT" readlink -f /usr/share/asterisk/sounds/en)/conference"
  rm -rf "$sounds" && cp -r "$ROOT/sounds" "$sounds"
  for dir in lib/asterisk spool/asterisk run/asterisk log/asterisk; do
    # Made inside the root: var/run links to /run, which from outside is the host's.
    chroot "$CHROOT" sh -c "mkdir -p /var/$dir/$INSTANCE && chown -R asterisk:asterisk /var/$dir/$INSTANCE"
  done
  # Where ARI records a room before the app saves it (Asterisk does not make it).
  local recordings="/var/spool/asterisk/$INSTANCE/recording"
  chroot "$CHROOT" sh -c "mkdir -p $recordings && chown asterisk:asterisk $recordings"
  nohup chroot "$CHROOT" asterisk -f -U asterisk -G asterisk -C "/etc/asterisk-$INSTANCE/asterisk.conf" \
    >"$STATE/asterisk.out" 2>&1 &
  echo $! > "$STATE/asterisk.pid"
}

chroot_down() {
  local pid
  if pid=$(chroot_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/asterisk.pid"
  # Unmount /proc only when no other instance still runs in the root.
  if ! ls "$ROOT"/.run/*/asterisk.pid >/dev/null 2>&1 && mountpoint -q "$CHROOT/proc"; then umount "$CHROOT/proc" || true; fi
}

# --- commands ----------------------------------------------------------------------------

choose_runtime() {
  case $RUNTIME in
    docker) ensure_engine || die "ASTERISK_RUNTIME=docker, but no Docker engine could be started"; echo docker ;;
    chroot) echo chroot ;;
    auto)
      if ensure_engine; then echo docker
      else say "no Docker engine can run here: falling back to a chroot (ASTERISK_RUNTIME=chroot)"; echo chroot; fi ;;
    *) die "ASTERISK_RUNTIME must be auto, docker or chroot (was $RUNTIME)" ;;
  esac
}

running() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) engine_answers && docker_running ;;
    chroot) chroot_pid >/dev/null ;;
    *) return 1 ;;
  esac
}

cmd_up() {
  local changed=0
  render_config && changed=1
  if running && ((changed == 0)) && ari_ready; then
    say "already up (runtime: $(cat "$STATE/runtime"))"
    return 0
  fi
  running && cmd_down_instance
  local runtime
  runtime=$(choose_runtime)
  echo "$runtime" > "$STATE/runtime"
  say "starting Asterisk with runtime $runtime"
  "${runtime}_up"
  wait_for_ari
}

cmd_down_instance() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) docker_down ;;
    chroot) chroot_down ;;
  esac
}

cmd_down() {
  cmd_down_instance
  rm -f "$STATE/runtime"
  say "stopped"
  # The Docker engine goes only if this script started it and no container runs on it any more:
  # another checkout's instances may use the engine this one started.
  if [[ -s $ROOT/.run/dockerd.pid ]] && ! ls "$ROOT"/.run/*/runtime >/dev/null 2>&1; then
    local pid
    pid=$(cat "$ROOT/.run/dockerd.pid")
    if kill -0 "$pid" 2>/dev/null && [[ -n $("$DOCKER" ps -q 2>/dev/null) ]]; then
      say "leaving the dockerd this script started (pid $pid) running: other containers use it"
      return 0
    fi
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping the dockerd this script started (pid $pid)"
      kill "$pid"
      # An `up` right after must not meet the old engine's pid file and socket.
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && say "dockerd (pid $pid) still running after 30 s"
    fi
    rm -f "$ROOT/.run/dockerd.pid"
  fi
}

cmd_status() {
  local runtime
  runtime=$(cat "$STATE/runtime" 2>/dev/null || echo none)
  if running; then
    if ari_ready; then say "running (runtime: $runtime), ARI answers on 127.0.0.1:$ARI_PORT"; return 0; fi
    say "running (runtime: $runtime), but ARI does not answer on 127.0.0.1:$ARI_PORT"; return 1
  fi
  say "not running"; return 3
}

cmd_cli() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" exec "$CONTAINER" asterisk -rx "$*" ;;
    chroot) chroot "$CHROOT" asterisk -C "/etc/asterisk-$INSTANCE/asterisk.conf" -rx "$*" ;;
    *) die "not running" ;;
  esac
}

show_logs() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" logs "$CONTAINER" 2>&1 ;;
    chroot) cat "$STATE/asterisk.out" "$CHROOT/var/log/asterisk/$INSTANCE/messages.log" 2>/dev/null ;;
  esac
}

# Asterisk's process id as this host sees it (`make bench` reads its CPU time in /proc).
cmd_pid() {
  case $(cat "$STATE/runtime" 2>/dev/null) in
    docker) "$DOCKER" inspect -f '{{.State.Pid}}' "$CONTAINER" ;;
    chroot) chroot_pid ;;
    *) die "not running" ;;
  esac
}

cmd_env() {
  printf 'ARI_URL=http://127.0.0.1:%s\nARI_USER=%s\nARI_PASSWORD=%s\nSIP_PORT=%s\nSIP_PASSWORD=%s\nCLUSTER_PASSWORD=%s\n' \
    "$ARI_PORT" "$ARI_USER" "$ARI_PASSWORD" "$SIP_PORT" "$SIP_PASSWORD" "$CLUSTER_PASSWORD"
}

# The package's stock configuration, as a site starts from it.
cmd_samples() {
  local dir=${1:?usage: $0 samples <dir>}
  mkdir -p "$dir"
  case $(choose_runtime) in
    docker) ensure_image && "$DOCKER" run --rm "$IMAGE" tar -C /etc/asterisk -c . | tar -C "$dir" --no-same-owner -x ;;
    chroot) ensure_chroot && cp -r "$CHROOT/etc/asterisk/." "$dir" ;;
  esac
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  restart) cmd_down_instance; cmd_up ;;
  status) cmd_status ;;
  cli) shift; cmd_cli "$@" ;;
  logs) show_logs ;;
  env) cmd_env ;;
  pid) cmd_pid ;;
  image) ensure_engine && ensure_image ;;
  base-image) ensure_engine && base_image ;;
  sid-image) shift; ensure_engine && sid_image "$@" ;;
  runtime) runtime=$(choose_runtime); [[ $runtime == chroot ]] && ensure_chroot; echo "$runtime" ;;
  samples) shift; cmd_samples "$@" ;;
  *) echo "usage: $0 up|down|restart|status|cli \"<command>\"|logs|env|pid|image|base-image|sid-image <image> <dockerfile>|runtime|samples <dir>" >&2; exit 2 ;;
esac
