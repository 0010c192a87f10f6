# Valkey from Debian sid's packages, for the cluster's shared store (scripts/valkey.sh).
# BASE_IMAGE is the one scripts/asterisk.sh uses (debian:sid, or a local one built with mmdebstrap).
ARG BASE_IMAGE=debian:sid
FROM ${BASE_IMAGE}
RUN apt-get -o Acquire::Check-Valid-Until=false update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends valkey-server \
 && rm -rf /var/lib/apt/lists/*
# The instance's config (loopback, its port, its password) is mounted at /etc/valkey/instance.conf.
CMD ["valkey-server", "/etc/valkey/instance.conf"]
