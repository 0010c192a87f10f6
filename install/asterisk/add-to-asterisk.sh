#!/usr/bin/env bash
# Adds the conference server to an Asterisk the admin already runs (docs/INSTALL-ASTERISK.md):
#
#   install/asterisk/add-to-asterisk.sh /etc/asterisk [--internal CONTEXT]... [--external CONTEXT]...
#       [--number DIGITS] [--http-port PORT] [--ari-user NAME]
#
# It does the documented steps, each printed, and nothing else: it writes three files of its
# own (extensions_conference.conf, ari_conference.conf, http_conference.conf), adds one
# `#include` line to extensions.conf, ari.conf and http.conf, and one `include =>` line to
# each context named. Every file of the admin's it changes is first copied to
# <file>.before-conference (once: the copy stays the file as it was before the first run).
# Run again, it changes nothing that is already in place. The ARI password is ARI_PASSWORD
# from the environment, else the one ari_conference.conf holds already, else a random one.
# It reloads nothing: the admin reloads when ready (the last lines say how).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
USAGE="usage: $0 <asterisk config dir> [--internal CONTEXT]... [--external CONTEXT]... [--number DIGITS] [--http-port PORT] [--ari-user NAME]"

die() { echo "add-to-asterisk: $*" >&2; exit 2; }
say() { echo "add-to-asterisk: $*"; }

[[ $# -ge 1 && $1 != --* ]] || die "$USAGE"
ETC=${1%/}; shift
INTERNAL=() EXTERNAL=() NUMBER=88 HTTP_PORT=8088 ARI_USER=conference
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || die "$1 needs a value; $USAGE"
  case $1 in
    --internal) INTERNAL+=("$2") ;;
    --external) EXTERNAL+=("$2") ;;
    --number) NUMBER=$2 ;;
    --http-port) HTTP_PORT=$2 ;;
    --ari-user) ARI_USER=$2 ;;
    *) die "unknown option $1; $USAGE" ;;
  esac
  shift 2
done
[[ $NUMBER =~ ^[0-9]{1,6}$ ]] || die "--number must be 1 to 6 digits (the app's setting number), was '$NUMBER'"
[[ $HTTP_PORT =~ ^[0-9]+$ ]] && ((HTTP_PORT > 0 && HTTP_PORT < 65536)) || die "--http-port must be a port number, was '$HTTP_PORT'"
[[ $ARI_USER =~ ^[A-Za-z0-9_-]+$ ]] || die "--ari-user must be letters, digits, - or _, was '$ARI_USER'"
for context in "${INTERNAL[@]}" "${EXTERNAL[@]}"; do
  [[ $context =~ ^[A-Za-z0-9_.-]+$ ]] || die "context names are letters, digits, '.', '-' or '_', was '$context'"
  [[ $context != conference-* ]] || die "$context is one of the server's own contexts: name a context of yours where calls arrive"
done
((${#INTERNAL[@]} + ${#EXTERNAL[@]} > 0)) || die "name at least one context of yours with --internal (phones) or --external (trunks); $USAGE"
for file in extensions.conf ari.conf http.conf; do
  [[ -f $ETC/$file ]] || die "$ETC/$file not found: give the folder of Asterisk's configuration (asterisk.conf's astetcdir)"
done
# Every context named is found before anything changes.
for context in "${INTERNAL[@]}" "${EXTERNAL[@]}"; do
  awk -v header="[$context]" 'index($0, header) == 1 { found = 1 } END { exit found ? 0 : 1 }' "$ETC/extensions.conf" || die "context [$context] not found in $ETC/extensions.conf: nothing changed (when it is in another file, add the include => line to it by hand; docs/INSTALL-ASTERISK.md)"
done

backup() {
  local file=$1
  [[ -e $file.before-conference ]] && return 0
  cp -p "$file" "$file.before-conference"
  say "  backup of $file: $file.before-conference"
}

# Writes a file of ours (mode given) when its text differs from what is there.
put_file() {
  local file=$1 mode=$2 text=$3
  if [[ -f $file ]] && [[ $(cat "$file") == "$text" ]]; then say "  $file: in place"; return 0; fi
  [[ -f $file ]] && backup "$file"
  (umask 077; printf '%s\n' "$text" > "$file.new")
  chmod "$mode" "$file.new"
  # The owner and group of the admin's file next to it (Asterisk must read it; the group may be asterisk).
  chown --reference="$ETC/extensions.conf" "$file.new" 2>/dev/null || true
  mv "$file.new" "$file"
  say "  wrote $file"
}

# Appends `#include <name>` to an admin's file, once.
add_include_line() {
  local file=$1 name=$2
  if grep -Eq "^[[:space:]]*#include[[:space:]]+\"?$name\"?[[:space:]]*$" "$file"; then say "  $file includes $name already"; return 0; fi
  backup "$file"
  printf '\n; The conference server (docs/INSTALL-ASTERISK.md).\n#include %s\n' "$name" >> "$file"
  say "  added '#include $name' at the end of $file"
}

# Adds `include => <ours>` right after the header of the admin's context [<context>], once.
add_context_include() {
  local file=$1 context=$2 ours=$3
  # The header compared as text ([name], then optionally (+) or a comment): no regex of the name.
  if awk -v header="[$context]" -v ours="$ours" '
      index($0, header) == 1 { inside = 1; next }
      /^\[/ { inside = 0 }
      inside && $1 == "include" && $2 == "=>" && $3 == ours { found = 1 }
      END { exit found ? 0 : 1 }' "$file"; then
    say "  [$context] includes $ours already"; return 0
  fi
  backup "$file"
  awk -v header="[$context]" -v ours="$ours" '{ print } index($0, header) == 1 && !done { print "include => " ours "   ; the conference server"; done = 1 }' "$file" > "$file.new"
  chmod --reference="$file" "$file.new" && chown --reference="$file" "$file.new" 2>/dev/null || true
  mv "$file.new" "$file"
  say "  added 'include => $ours' to [$context] in $file"
}

say "1. the conference contexts (server number $NUMBER): $ETC/extensions_conference.conf, included by extensions.conf"
put_file "$ETC/extensions_conference.conf" 644 "$(sed -E -e "s/^exten => 88,/exten => $NUMBER,/" -e "s/^exten => _88(X+),/exten => _$NUMBER\\1,/" "$HERE/extensions_conference.conf")"
add_include_line "$ETC/extensions.conf" extensions_conference.conf

say "2. your contexts reach the server number's forms ($NUMBER, $NUMBER + 3 or 4 digits)"
for context in "${INTERNAL[@]}"; do add_context_include "$ETC/extensions.conf" "$context" conference-internal; done
for context in "${EXTERNAL[@]}"; do add_context_include "$ETC/extensions.conf" "$context" conference-external; done

say "3. the ARI user '$ARI_USER': $ETC/ari_conference.conf (mode 640), included by ari.conf"
password=${ARI_PASSWORD:-}
if [[ -z $password && -f $ETC/ari_conference.conf ]]; then
  password=$(sed -nE 's/^[[:space:]]*password[[:space:]]*=[[:space:]]*(.*[^[:space:]])[[:space:]]*$/\1/p' "$ETC/ari_conference.conf" | head -1)
fi
[[ -n $password ]] || password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
put_file "$ETC/ari_conference.conf" 640 "; The conference server's ARI user (docs/INSTALL-ASTERISK.md). The app's ARI_PASSWORD is this password.
[$ARI_USER]
type = user
read_only = no
password = $password
password_format = plain"
add_include_line "$ETC/ari.conf" ari_conference.conf

say "4. Asterisk's HTTP server (ARI) on 127.0.0.1:$HTTP_PORT: $ETC/http_conference.conf, included by http.conf"
if grep -Eq '^[[:space:]]*enabled[[:space:]]*=[[:space:]]*(yes|true|1)' "$ETC/http.conf" && ! grep -Eq '^[[:space:]]*#include[[:space:]]+"?http_conference.conf' "$ETC/http.conf"; then
  say "  http.conf enables the HTTP server already: left as it is (ARI answers on its address and port; give the app that ARI_URL)"
else
  put_file "$ETC/http_conference.conf" 644 "$(sed -E "s/^bindport = .*/bindport = $HTTP_PORT/" "$HERE/http_conference.conf")"
  add_include_line "$ETC/http.conf" http_conference.conf
fi

say "done. Next:"
say "  - the prompts: copy the release's sounds/ to <astdatadir>/sounds/en/conference (/usr/share/asterisk/sounds/en/conference on Debian)"
say "  - load it: asterisk -rx 'core reload' (the dialplan, ARI's users and the HTTP server)"
say "  - the app's settings: ARI_URL=http://127.0.0.1:$HTTP_PORT ARI_USER=$ARI_USER ARI_PASSWORD=<password in $ETC/ari_conference.conf>, number $NUMBER"
check="bin/conference.js doctor"
for context in "${INTERNAL[@]}"; do check+=" --internal $context"; done
for context in "${EXTERNAL[@]}"; do check+=" --external $context"; done
say "  - check: $check"
