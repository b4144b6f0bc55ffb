# Wirestream — two commands on a fresh machine: `make demo` and `make test`.
# Both rest on `make setup`, which is idempotent.

SHELL := /bin/bash
PY    := .venv/bin/python
WS    := .venv/bin/wirestream
APT_PACKAGES := kcat prometheus chromium jq
STAMP := .venv/.wirestream-installed
export KAFKA_BOOTSTRAP_SERVERS ?= 127.0.0.1:9092
export WIRESTREAM_WEB_PORT ?= 6066

.PHONY: setup system-packages venv jars test test-fast lint demo bench chaos clean stop

setup: system-packages venv jars

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v java >/dev/null || { echo "java not found: apt-get install openjdk-17-jre-headless"; exit 1; }
	@command -v mvn >/dev/null || { echo "mvn not found: apt-get install maven"; exit 1; }

venv: $(STAMP)

# constraints.txt pins every dependency to the versions the suite passed with, so every
# setup installs the same set (faust-streaming and aiokafka as agents/versions.py demands).
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test,bench,lint]'
	touch $(STAMP)

jars: venv
	$(PY) -c "from wirestream.localbroker import ensure_jars; print('kafka jars:', ensure_jars())"

test: setup
	$(PY) -m pytest -q -rs

# Unit tests only: no broker, no worker, no browser (a minute, most of it spaCy loading).
test-fast: venv
	$(PY) -m pytest -q -rs tests/unit

# ruff (lint and format) over the tree, mypy strict on the library's core (pyproject.toml).
lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

demo: setup
	@bash scripts/demo.sh

bench: setup
	$(PY) -m tools.bench

# Fault harness (docs/chaos.md): own broker, two workers (one SIGKILLed, a third
# joining), broker SIGSTOP stalls and a restart, stories in 3 revisions, poison
# for every stage; then the sent/enriched/dead-lettered/lost/order/no-progress
# table, also as JSON under .wirestream/. The default run takes ~5 min on 2 cores.
#   make chaos CHAOS_ARGS="--small --seed 7"      (the test's configuration)
#   make chaos CHAOS_ARGS="--kills 2 --stalls 3"  (options: python -m tools.chaos --help)
#   make chaos CHAOS_ARGS="--burst 3000"          (load: drain rate and peak RSS)
CHAOS_ARGS ?= --seed 2026
chaos: setup
	$(PY) -m tools.chaos $(CHAOS_ARGS)

stop:
	-$(WS) broker stop

clean: stop
	rm -rf .wirestream .pytest_cache .hypothesis
