# leaderlens: `make demo` and `make test` work on a fresh machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The install is redone only when the project's declared dependencies or the lock change.
STAMP := $(VENV)/.installed
# uv installs the exact versions in uv.lock (every dependency, direct and transitive, with hashes).
UV_VERSION := 0.13.10
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(BIN)/uv

.PHONY: all env lock java demo test lint typecheck unit bench clean

all: test

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --locked --extra dev --python $(BIN)/python --quiet
	@touch $(STAMP)

env: $(STAMP)

# Refresh the lock to the newest versions pyproject.toml allows, then run `make test`.
lock: $(STAMP)
	$(UV) lock --upgrade --python $(BIN)/python

demo: $(STAMP)
	@mkdir -p demo-out
	@rm -f demo-out/leaderlens-demo.duckdb
	$(BIN)/leaderlens demo --workspace demo-out/leaderlens-demo.duckdb --json demo-out/summary.json
	$(BIN)/leaderlens annotate --all --workspace demo-out/leaderlens-demo.duckdb
	$(BIN)/leaderlens study --workspace demo-out/leaderlens-demo.duckdb --leader rex_vale \
		--asset VLTR --by channel --json demo-out/study-rex-vale.json \
		--plot demo-out/caar-rex-vale.html
	$(BIN)/leaderlens attention amplification --workspace demo-out/leaderlens-demo.duckdb \
		--brand orbit --json demo-out/amplification-orbit.json \
		--plot demo-out/amplification-orbit.html
	@for leader in lin_wei rex_vale sam_archer; do \
		$(BIN)/leaderlens report --workspace demo-out/leaderlens-demo.duckdb --leader $$leader \
			--out demo-out/report-$$leader.html || exit 1; \
	done
	@echo "demo workspace: demo-out/leaderlens-demo.duckdb"
	@echo "study: demo-out/study-rex-vale.json (plot demo-out/caar-rex-vale.html)"
	@echo "amplification: demo-out/amplification-orbit.json (plot demo-out/amplification-orbit.html)"
	@echo "reports:"
	@for leader in lin_wei rex_vale sam_archer; do echo "  demo-out/report-$$leader.html"; done

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The Spark engine's tests run Spark in local mode, which needs a Java runtime (17 or newer).
java:
	@command -v java >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
		|| echo "could not install Java: the Spark tests will say so and skip"

unit: $(STAMP) java
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache .hypothesis
