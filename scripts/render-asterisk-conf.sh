#!/bin/sh
# Renders the project's Asterisk configuration templates (asterisk-conf/, and the conference
# contexts it includes, install/asterisk/extensions_conference.conf) for one Asterisk:
#   render-asterisk-conf.sh REPOSITORY OUT
# Values from the environment, all required: INSTANCE, ARI_PORT, SIP_PORT, RTP_START, RTP_END,
# HTTP_SESSION_LIMIT, ARI_USER, ARI_PASSWORD, SIP_PASSWORD, CLUSTER_PASSWORD. The one rendering, used by
# scripts/asterisk.sh on the host and by docker/compose.yaml inside the Asterisk container (POSIX sh).
set -eu
root=${1:?usage: render-asterisk-conf.sh REPOSITORY OUT}
out=${2:?usage: render-asterisk-conf.sh REPOSITORY OUT}
# A value as sed's replacement text: its \, | and & taken literally.
literal() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
set --
for name in INSTANCE ARI_PORT SIP_PORT RTP_START RTP_END HTTP_SESSION_LIMIT ARI_USER ARI_PASSWORD SIP_PASSWORD CLUSTER_PASSWORD; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || { echo "render-asterisk-conf: $name is not set" >&2; exit 1; }
  set -- "$@" -e "s|@$name@|$(literal "$value")|g"
done
mkdir -p "$out"
# The one list of templates.
for file in "$root"/asterisk-conf/*.conf "$root"/install/asterisk/extensions_conference.conf; do
  sed "$@" "$file" > "$out/$(basename "$file")"
done
