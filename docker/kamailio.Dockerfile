# Kamailio from Debian sid's packages, the cluster's SIP front (scripts/kamailio.sh).
# BASE_IMAGE is the one scripts/asterisk.sh uses (debian:sid, or a local one built with mmdebstrap).
ARG BASE_IMAGE=debian:sid
FROM ${BASE_IMAGE}
RUN apt-get -o Acquire::Check-Valid-Until=false update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kamailio \
 && rm -rf /var/lib/apt/lists/*
# The instance's config (config/kamailio.cfg rendered) and dispatcher.list are mounted at
# /etc/kamailio/instance/; in the foreground, logging to stderr, so `docker logs` has them.
CMD ["kamailio", "-DD", "-E", "-f", "/etc/kamailio/instance/kamailio.cfg"]
