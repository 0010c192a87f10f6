#!/usr/bin/env bash
# Installs the conference server as a systemd service on Debian (docs/OPERATIONS.md), from the
# folder this script sits in: an unpacked release artifact, or a checkout after `npm run build`.
#
#   install/install.sh [--root DIR]
#
# The app goes to /opt/conference-server/<version>, and /opt/conference-server/current points
# at it: an upgrade is a new folder and a switch of that symlink. It creates the system user
# conference, /etc/conference-server/{conference.json,env} (never overwriting them), the unit
# and the logrotate snippet; it runs systemctl only where systemd runs. Each step it takes is
# printed; a second run changes nothing and says so.
#
# --root DIR puts the files under DIR (a staging root, for tests and packagers) and runs no
# systemctl; the system user is still made on this machine, as the owner of the files.
set -euo pipefail

NAME=conference-server
SERVICE_USER=conference
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=

say() { echo "install: $*"; }
fail() {
  echo "install: $*" >&2
  exit 1
}

while (($#)); do
  case $1 in
    --root)
      (($# >= 2)) && [[ -n $2 ]] || fail "--root needs a folder: install/install.sh --root DIR"
      ROOT=$(realpath -m "$2")
      shift 2
      ;;
    -h | --help)
      sed -n '2,15s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *) fail "unknown argument '$1'; usage: install/install.sh [--root DIR]" ;;
  esac
done

# --- what must hold before anything is written ---------------------------------------------
[[ $(id -u) == 0 ]] || fail "run it as root: it creates the system user $SERVICE_USER and writes to /opt, /etc and /var (sudo $0)"
[[ -f $SOURCE/package.json ]] || fail "$SOURCE has no package.json: run the install/install.sh of a release artifact or a checkout"
[[ -f $SOURCE/dist/src/main.js ]] || fail "$SOURCE is not built (no dist/src/main.js): in a checkout run 'npm ci && npm run build' (or 'make install'); a release artifact comes built"
if [[ -d $SOURCE/src ]]; then
  stale=$(find "$SOURCE/src" -name '*.ts' -newer "$SOURCE/dist/src/main.js" -print -quit)
  [[ -z $stale ]] || fail "$SOURCE's build is older than its source ($stale): run 'npm run build' first"
fi
[[ -d $SOURCE/node_modules ]] || fail "$SOURCE has no node_modules: in a checkout run 'npm ci'"
NODE=$(command -v node) || fail "Node.js 20 or later is needed (no 'node' on PATH): install it system-wide, e.g. Debian's or NodeSource's nodejs package"
NODE=$(realpath "$NODE")
node_major=$("$NODE" -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || fail "Node.js 20 or later is needed; $NODE is $("$NODE" --version)"
case $NODE in
  /home/* | /root/*) fail "node is $NODE, in a home folder the service cannot see (ProtectHome=yes): install Node.js 20 system-wide" ;;
esac
VERSION=$("$NODE" -p 'require(process.argv[1]).version' "$SOURCE/package.json")
[[ $VERSION =~ ^[0-9A-Za-z][0-9A-Za-z.+_-]*$ ]] || fail "$SOURCE/package.json: version '$VERSION' cannot name a folder"

APPS=$ROOT/opt/$NAME
VERSION_DIR=$APPS/$VERSION
ETC=$ROOT/etc/$NAME
UNIT=$ROOT/etc/systemd/system/$NAME.service
LOGROTATE=$ROOT/etc/logrotate.d/$NAME
STATE_DIR=$ROOT/var/lib/$NAME
LOGS_DIR=$ROOT/var/log/$NAME
# Where the service keeps the events log (the unit's LogsDirectory, the logrotate snippet).
EVENTS_LOG=/var/log/$NAME/events.jsonl
# What a version folder holds: the release artifact's layout, wherever the source has it.
CONTENT=(bin dist/src package.json package-lock.json node_modules config sounds install asterisk-conf docs README.md)

changed=0
did() {
  changed=1
  say "$*"
}
unchanged() { say "unchanged: $*"; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- the system user ---------------------------------------------------------------------------
if getent passwd "$SERVICE_USER" >/dev/null; then
  unchanged "system user $SERVICE_USER"
else
  useradd --system --user-group --home-dir "/var/lib/$NAME" --no-create-home --shell /usr/sbin/nologin --comment "Conference server" "$SERVICE_USER"
  did "created the system user $SERVICE_USER (no login shell)"
fi

# --- the version folder and the current symlink --------------------------------------------------
same_content() {
  local item
  for item in "${CONTENT[@]}"; do
    [[ -e $SOURCE/$item ]] || continue
    diff -rq --no-dereference "$SOURCE/$item" "$VERSION_DIR/$item" >/dev/null 2>&1 || return 1
  done
}
if [[ -e $VERSION_DIR ]]; then
  same_content || fail "$VERSION_DIR holds other files than $SOURCE: an installed version is never changed in place (a running app uses it). Give this build its own version in package.json, or remove $VERSION_DIR if no service runs it."
  unchanged "$VERSION_DIR"
else
  partial=$APPS/.$VERSION.partial
  rm -rf "$partial"
  mkdir -p "$partial"
  for item in "${CONTENT[@]}"; do
    [[ -e $SOURCE/$item ]] || continue
    mkdir -p "$(dirname "$partial/$item")"
    cp -a "$SOURCE/$item" "$partial/$item"
  done
  chown -R root:root "$partial"
  chmod -R u+rwX,go+rX,go-w "$partial"
  mv -T "$partial" "$VERSION_DIR"
  did "installed $NAME $VERSION in $VERSION_DIR"
fi

previous=$(readlink "$APPS/current" 2>/dev/null || true)
switched=0
if [[ $previous == "$VERSION" ]]; then
  unchanged "$APPS/current -> $VERSION"
else
  ln -sfn "$VERSION" "$APPS/.current.new"
  mv -T "$APPS/.current.new" "$APPS/current"
  switched=1
  did "pointed $APPS/current at $VERSION${previous:+ (was $previous; switch back the same way to roll back)}"
fi

# --- settings and secrets: created once, never overwritten ---------------------------------------
if [[ ! -d $ETC ]]; then
  install -d -m 755 "$ETC"
  did "created $ETC"
fi
if [[ -e $ETC/conference.json ]]; then
  unchanged "$ETC/conference.json (yours: never overwritten)"
else
  "$NODE" -e '
    const [template, eventsLog] = process.argv.slice(1);
    const settings = JSON.parse(require("node:fs").readFileSync(template, "utf8"));
    settings.eventsLog = { ...settings.eventsLog, path: eventsLog };
    process.stdout.write(JSON.stringify(settings, null, 2) + "\n");
  ' "$SOURCE/config/conference.json" "$EVENTS_LOG" >"$scratch/conference.json"
  install -m 640 -o root -g "$SERVICE_USER" "$scratch/conference.json" "$ETC/conference.json"
  did "created $ETC/conference.json (mode 640 root:$SERVICE_USER; the shipped settings, events log in $EVENTS_LOG)"
fi
if [[ -e $ETC/env ]]; then
  unchanged "$ETC/env (yours: never overwritten)"
else
  install -m 640 -o root -g "$SERVICE_USER" "$SOURCE/install/systemd/env" "$ETC/env"
  did "created $ETC/env (mode 640 root:$SERVICE_USER)"
fi
if [[ -n $(find "$ETC/env" -perm /o=rwx) ]]; then
  say "warning: $ETC/env can be read by every user and holds the ARI password: chmod 640 $ETC/env; chgrp $SERVICE_USER $ETC/env"
fi
# The last ARI_PASSWORD line counts, as for systemd; "" or '' is empty too.
password=$(sed -n 's/^[[:space:]]*ARI_PASSWORD=//p' "$ETC/env" | tail -n 1)
password_set=0
[[ -n $password && $password != '""' && $password != "''" ]] && password_set=1
unset password
((password_set)) || say "ACTION NEEDED: set ARI_PASSWORD in $ETC/env to the password of the ARI user in Asterisk's ari.conf; there is no default, and the service cannot reach Asterisk without it"

# --- the folders the service writes (systemd makes them too: StateDirectory, LogsDirectory) -------
for dir in "$STATE_DIR" "$LOGS_DIR"; do
  if [[ -d $dir ]]; then
    unchanged "$dir"
  else
    install -d -m 750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$dir"
    did "created $dir (mode 750 $SERVICE_USER:$SERVICE_USER)"
  fi
done

# --- the unit and the logrotate snippet ------------------------------------------------------
# put FILE RENDERED WHAT: installs a rendered file where it differs; says which.
put() {
  if cmp -s "$2" "$1"; then
    unchanged "$1"
    return 1
  fi
  local verb=installed
  [[ -e $1 ]] && verb=updated
  install -D -m 644 "$2" "$1"
  did "$verb $1 ($3)"
}
sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$SOURCE/install/systemd/$NAME.service" >"$scratch/unit"
unit_changed=0
put "$UNIT" "$scratch/unit" "the systemd unit; ExecStart runs $NODE" && unit_changed=1
put "$LOGROTATE" "$SOURCE/install/logrotate/$NAME" "rotates $EVENTS_LOG, then SIGUSR1 to the app" || true

# --- systemd: only where it runs --------------------------------------------------------------
start_hint="systemctl daemon-reload && systemctl enable --now $NAME"
if [[ -n $ROOT ]]; then
  say "systemctl not run (--root): on the target system, run: $start_hint"
elif [[ ! -d /run/systemd/system ]]; then
  say "systemd is not running on this machine: systemctl not run; where systemd runs: $start_hint"
else
  if ((unit_changed)); then
    systemctl daemon-reload
    did "ran systemctl daemon-reload"
  fi
  if ! systemctl --quiet is-enabled "$NAME"; then
    systemctl --quiet enable "$NAME"
    did "enabled $NAME (it starts at boot)"
  fi
  if ((!password_set)); then
    say "$NAME not started: set ARI_PASSWORD first, then: systemctl restart $NAME"
  elif ! systemctl --quiet is-active "$NAME"; then
    systemctl start "$NAME"
    did "started $NAME (systemctl status $NAME; journalctl -u $NAME -f)"
  elif ((switched || unit_changed)); then
    systemctl restart "$NAME"
    did "restarted $NAME to run $VERSION (calls stay up; the app takes its rooms back)"
  fi
fi

if ((changed)); then
  say "done: $NAME $VERSION installed"
else
  say "nothing changed: $NAME $VERSION was installed already"
fi
