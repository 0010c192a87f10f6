# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ASTERISK := scripts/asterisk.sh
# The settings file: the path in CONFERENCE_CONFIG (environment or `make run CONFERENCE_CONFIG=...`), else the repository's.
CONFERENCE_CONFIG ?= config/conference.json
# The test Asterisk runs on its own ports, beside a `make run` one; TEST_* pick another (README, "Tests").
TEST_ASTERISK_INSTANCE ?= test
TEST_ARI_PORT ?= 18088
TEST_SIP_PORT ?= 15060
TEST_RTP_START ?= 11000
TEST_RTP_END ?= 11999
TEST_VALKEY_PORT ?= 16379
TEST_ENV = ASTERISK_INSTANCE=$(TEST_ASTERISK_INSTANCE) ARI_PORT=$(TEST_ARI_PORT) SIP_PORT=$(TEST_SIP_PORT) RTP_START=$(TEST_RTP_START) RTP_END=$(TEST_RTP_END)

.PHONY: help deps build dist install run run-cluster up down status cli logs test lint test-unit test-integration down-test sounds bench bench-sip bench-cluster soak dial clean

help:
	@echo "make run      start Asterisk (Docker, or a chroot fallback), the app and the demo phones"
	@echo "make test     run every test (type, format and lint checks, unit, then integration against a real Asterisk)"
	@echo "make lint     the formatter's check and the linter (make test runs them too; npm run format formats)"
	@echo "make run-cluster NODES=3   a cluster on loopback: Kamailio, Valkey, N Asterisk nodes each with its app"
	@echo "make down     stop what 'make run' and 'make run-cluster' started"
	@echo "make install  install the systemd service on this Debian machine (DESTDIR=DIR stages it)"
	@echo "make dist     build the release: release/conference-server-<version>.tgz"
	@echo "make bench    join-storm benchmark, app vs native ConfBridge"
	@echo "make bench-sip  a meeting start over SIP (SIPp, real audio), app vs native ConfBridge, up to capacity"
	@echo "make bench-cluster  a caller on its room's node vs relayed from another: join latency, audio delay, CPU; the capacity model"
	@echo "make soak     bounded soak run with leak checks"
	@echo "make dial N=88123 PIN=1234   place a test call and print what the caller heard (ROOM=123 with N=88)"

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

deps: node_modules

build: node_modules
	npx tsc -p tsconfig.json
	@scripts/stamp-version.sh dist/src >/dev/null

# The release artifact (README, "Release"): compiled JS, production packages, no compiler inside.
dist: node_modules
	scripts/dist.sh

# The systemd service on this Debian machine (as root; docs/OPERATIONS.md), from the release
# `make dist` builds, unpacked as an admin would: production packages only. DESTDIR=DIR stages it under DIR.
install: node_modules
	@release=$$(scripts/dist.sh) && stage=$$(mktemp -d) && tar -C "$$stage" -xzf "$$release" \
	  && "$$stage"/conference-server-*/install/install.sh $(if $(DESTDIR),--root "$(DESTDIR)"); \
	  status=$$?; rm -rf "$$stage"; exit $$status

up:
	scripts/apt-ensure.sh curl openssl
	$(ASTERISK) up

# The app under a supervisor (src/tools/supervise.ts): started again when it dies, stopped with it.
run: build up
	@eval "$$($(ASTERISK) env)"; \
	echo; \
	echo "Conference server: Asterisk is up with the project's asterisk-conf/, settings in $(CONFERENCE_CONFIG)."; \
	echo "Register a softphone: server 127.0.0.1:$$SIP_PORT (UDP), user 201 (or 202-204), password $$SIP_PASSWORD"; \
	echo "Then dial 88 and key a room (123#, or 1234), or dial 88123 directly; then a PIN and #."; \
	echo "The app is started again if it dies. Stop with Ctrl-C (the app), then 'make down' (Asterisk)."; \
	echo; \
	ARI_URL=$$ARI_URL ARI_USER=$$ARI_USER ARI_PASSWORD=$$ARI_PASSWORD CONFERENCE_CONFIG="$(CONFERENCE_CONFIG)" exec node dist/src/tools/supervise.js node dist/src/main.js

# A cluster on loopback (README, "A cluster on one machine"): Valkey, NODES Asterisk nodes (3) each
# with its app under the supervisor, Kamailio in front; `make down` stops it.
run-cluster: build
	scripts/apt-ensure.sh curl openssl
	NODES=$(or $(NODES),3) CONFERENCE_CONFIG="$(CONFERENCE_CONFIG)" scripts/cluster.sh up
	@eval "$$(scripts/cluster.sh env)"; \
	echo; \
	echo "Conference cluster: $(or $(NODES),3) Asterisk nodes, each with its app, behind Kamailio; settings in $(CONFERENCE_CONFIG)."; \
	echo "Register a softphone with Kamailio: server $$CLUSTER_SIP (UDP), user 201 (or 202-204), password $$SIP_PASSWORD"; \
	echo "Then dial 88 and key a room and a PIN, as on one node, or dial another phone (201-204). Trunk: user trunk, same password."; \
	echo "Status API of each node (each shows the whole cluster): $$CLUSTER_APIS, token $$CONFERENCE_API_TOKEN"; \
	echo "scripts/cluster.sh status shows each node; make down stops it all."

down:
	$(ASTERISK) down
	scripts/cluster.sh down

status:
	$(ASTERISK) status

cli:
	$(ASTERISK) cli "$(CMD)"

logs:
	$(ASTERISK) logs

test: node_modules build
	scripts/apt-ensure.sh curl openssl baresip docker-compose logrotate systemd-analyze:systemd sipp:sip-tester
	npx tsc -p tsconfig.json --noEmit
	npm run --silent format:check
	npm run --silent lint
	npx jest --selectProjects unit
	npx jest --selectProjects integration --runInBand --forceExit

# The formatter's check and the linter (typescript-eslint, and the layering of src), as `make test` runs them.
lint: node_modules
	npm run --silent format:check
	npm run --silent lint

# Join-storm benchmark (app vs native ConfBridge) on its own Asterisk instance, then the
# per-event cost with 1 to 1,000 rooms. BENCH_RUNS="10/2,100/25,400/100", BENCH_SCALING=0|1.
# BENCH_BASELINE=<git revision> (e.g. main) also builds the app of that revision in a temporary
# git worktree (npm ci, tsc) and runs it as the side app-baseline, taking turns with the others,
# its figures beside app's with app's ratio to it; the two apps then each run a fresh process per storm.
BENCH_ENV := TEST_ASTERISK_INSTANCE=bench TEST_ARI_PORT=38088 TEST_SIP_PORT=35060 TEST_RTP_START=31000 TEST_RTP_END=31999 HTTP_SESSION_LIMIT=100
bench: build
	$(BENCH_ENV) node -r ts-node/register/transpile-only bench/joinStorm.ts
	node --expose-gc -r ts-node/register/transpile-only bench/perEventCost.ts

# A meeting start over real SIP (docs/PERFORMANCE.md, "make bench-sip"): SIPp callers with audio into
# the app and into native ConfBridge on an Asterisk instance of its own, growing until capacity.
# As root (SIPp plays each caller's audio through a raw socket). BENCH_SIP_* change the runs.
BENCH_SIP_ENV := TEST_ASTERISK_INSTANCE=benchsip TEST_ARI_PORT=48088 TEST_SIP_PORT=45060 TEST_RTP_START=40000 TEST_RTP_END=43999 HTTP_SESSION_LIMIT=100
bench-sip: build
	scripts/apt-ensure.sh sipp:sip-tester
	$(BENCH_SIP_ENV) node --expose-gc -r ts-node/register/transpile-only bench/sipBench.ts

# What landing on another node than the room's costs (docs/PERFORMANCE.md, "make bench-cluster"): a
# cluster of two nodes of its own, SIPp callers on the room's node vs relayed, a tone-burst probe of
# the hop's delay, the capacity model. As root (SIPp's raw socket, tcpdump). BENCH_CLUSTER_* change the runs.
bench-cluster: build
	scripts/apt-ensure.sh sipp:sip-tester tcpdump curl openssl
	node -r ts-node/register/transpile-only bench/clusterBench.ts

# Bounded soak with leak checks, against the test Asterisk (SOAK_CALLS, SOAK_WAVE, SOAK_SEED).
soak: node_modules
	node --expose-gc -r ts-node/register/transpile-only scripts/soak.ts

test-unit: node_modules
	npx jest --selectProjects unit

test-integration: node_modules build
	npx jest --selectProjects integration --runInBand --forceExit

down-test:
	KAMAILIO_INSTANCE=test scripts/kamailio.sh down
	@# The Asterisk nodes behind it (tests/integration/sipFront.test.ts), when a run left them up.
	@for node in front-a front-b; do \
	  if [[ -e .run/$$node/runtime ]]; then ASTERISK_INSTANCE=$$node $(ASTERISK) down; fi; \
	done
	@# The cluster of tests/integration/cluster.test.ts (scripts/cluster.sh), when a run left it up.
	CLUSTER_INSTANCE=$(TEST_ASTERISK_INSTANCE)-cluster scripts/cluster.sh down
	VALKEY_INSTANCE=$(TEST_ASTERISK_INSTANCE) VALKEY_PORT=$(TEST_VALKEY_PORT) scripts/valkey.sh down
	ASTERISK_INSTANCE=$(TEST_ASTERISK_INSTANCE)-b $(ASTERISK) down
	$(TEST_ENV) $(ASTERISK) down

# A test call through the real dialplan of the Asterisk that 'make run' started (or the one
# ASTERISK_INSTANCE names): prints what the caller heard; fails when it did not join.
dial: node_modules
	node bin/conference.js dial "$(N)" --pin "$(PIN)" $(if $(ROOM),--room "$(ROOM)")

sounds:
	scripts/make-sounds.sh

clean:
	rm -rf dist coverage release
