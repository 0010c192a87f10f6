# The conference server's image, built by scripts/app-image.sh (context: the repository; the
# script picks the base and hands over the host's certificate authorities). BASE_IMAGE is
# debian:sid where a registry is reachable, else the local Debian sid that scripts/asterisk.sh
# base-image builds with mmdebstrap.
ARG BASE_IMAGE=debian:sid

# Build: the npm packages (from package-lock.json), the compiler, then production packages only.
FROM ${BASE_IMAGE} AS build
RUN apt-get -o Acquire::Check-Valid-Until=false update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# The certificate authorities the building host trusts (scripts/app-image.sh puts them in the
# context): npm ci reaches the registry the way the host's npm does, TLS proxy included.
COPY .run/app-image/ca-certificates.crt /build/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/build/host-ca.crt
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund
# The build's version stamp (scripts/app-image.sh writes it), as src/version.ts reads it.
COPY .run/app-image/version.json dist/src/version.json

# Run: Node.js and the built app, as a user of its own; nothing is installed at start.
FROM ${BASE_IMAGE}
RUN apt-get -o Acquire::Check-Valid-Until=false update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*
# The app's own user, uid and gid 10001 (a mounted secret file must be readable by it); written
# directly: a minimal Debian root has no useradd.
RUN echo 'conference:x:10001:10001:conference server:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'conference:x:10001:' >> /etc/group \
 && install -d -o conference -g conference -m 750 /var/lib/conference-server \
 && install -d -m 755 /etc/conference-server
WORKDIR /opt/conference-server
COPY --from=build /build/package.json /build/package-lock.json ./
COPY --from=build /build/node_modules node_modules
COPY --from=build /build/dist/src dist/src
COPY bin bin
# The default settings, seen where no settings volume is mounted (an empty named volume gets a copy).
COPY config/conference.json /etc/conference-server/conference.json
# Settings on /etc/conference-server (read, and watched for changes), state on /var/lib/conference-server.
# ARI_PASSWORD (or ARI_PASSWORD_FILE) comes from the environment: the image holds no secret.
ENV NODE_ENV=production \
    CONFERENCE_CONFIG=/etc/conference-server/conference.json \
    CONFERENCE_STATE=/var/lib/conference-server/rooms.json \
    CONFERENCE_RECORDINGS=/var/lib/conference-server/recordings
VOLUME ["/var/lib/conference-server"]
USER conference
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["node", "dist/src/tools/healthProbe.js"]
# Node is process 1: SIGTERM from `docker stop` ends the app within 3 s (README).
CMD ["node", "dist/src/main.js"]
ARG VERSION=unknown
LABEL org.opencontainers.image.title="conference-server" org.opencontainers.image.version="${VERSION}"
