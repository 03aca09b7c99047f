# tsp-auth: `make run` starts the service and its worker with demo data on SQLite; `make test` runs the suite.
PY ?= python3
VENV ?= .venv
PORT ?= 8000
# The worker `make run` starts beside the server serves its own metrics here (docs/operations.md).
WORKER_METRICS_PORT ?= $(shell echo $$(($(PORT) + 1000)))
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint format openapi bench clean mutation mutation-guard

# `make run` checks its ports before anything runs: a bad PORT stops here with one line, and
# nothing is migrated or written in var/ (issue 22).
ifneq ($(filter run,$(MAKECMDGOALS)),)
PORT_PROBLEM := $(shell $(PY) scripts/check-port PORT '$(PORT)' WORKER_METRICS_PORT '$(WORKER_METRICS_PORT)')
ifneq ($(PORT_PROBLEM),)
$(error $(PORT_PROBLEM))
endif
endif

$(STAMP): pyproject.toml constraints.txt
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/tsp-auth migrate
	$(BIN)/tsp-auth demo --base-url http://127.0.0.1:$(PORT)
	TSP_AUTH_ISSUER=http://127.0.0.1:$(PORT) TSP_AUTH_LOCAL_CONSOLE=true $(BIN)/tsp-auth serve --port $(PORT) \
	  --with-worker --worker-metrics-port $(WORKER_METRICS_PORT)

test: install
	@scripts/ensure-chromium || true
	@scripts/ensure-node || true
	@if [ -z "$$TSP_AUTH_TEST_DATABASE_URL" ]; then \
	  echo "*** TSP_AUTH_TEST_DATABASE_URL is not set: running on SQLite only (PostgreSQL tests not run) ***"; \
	else echo "*** running on SQLite and PostgreSQL ***"; fi
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests migrations bench
	$(BIN)/ruff format --check src tests migrations bench
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff check --fix src tests migrations bench
	$(BIN)/ruff format src tests migrations bench

# Mutation testing of the safety core (docs/testing.md): one report per target and
# var/mutation/summary.md; fails when a target misses its goal. MUTATION_TARGETS: some only.
# MUTATION_DATABASE_URL: also on that PostgreSQL database (the forced races run only there).
mutation: install
	$(BIN)/python scripts/mutation/run.py --check $(MUTATION_TARGETS)

# The CI guard: only the safety-core files the last MUTATION_COMMITS commits touched; fails on
# any survivor docs/testing.md does not name as equivalent.
MUTATION_COMMITS ?= 1
mutation-guard: install
	$(BIN)/python scripts/mutation/run.py --check --changed $(MUTATION_COMMITS)

openapi: install
	$(BIN)/tsp-auth openapi --output openapi/openapi.json

# The peers need node and npm: node oidc-provider (`npm ci` of its pinned copy) and the Cerbos PDP
# (its Go binary, `npm install`ed by bench/cerbos.py into var/peers/); without them their rows say
# "not run". Writes docs/benchmarks.md and the latency plot docs/benchmarks.svg.
bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
	  || { echo "make bench needs Debian's wrk"; exit 1; }
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; } \
	  || echo "no node/npm: the node oidc-provider rows will say not run"
	$(BIN)/python -m bench.run --runs 2 --scale 1000 1000000 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
