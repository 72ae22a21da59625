# The two commands of the README: `make run` and `make test`.
# Everything they need is installed here, into .venv, from the project's files.
# The benchmark plugin (plugins/podium_bench) and the benchmark's peers are installed by
# `make test` and `make bench` only, so that `make run` on a fresh clone serves the site alone.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BENCH_PLUGIN := plugins/podium_bench/
PLUGINS := $(filter-out $(BENCH_PLUGIN),$(sort $(dir $(wildcard plugins/*/setup.cfg))))
INSTALLED := $(VENV)/.installed
BENCH_INSTALLED := $(VENV)/.installed-bench
CONFIG ?= development.ini
# The API reference page's viewer (podium/jsonapi/viewer.py): swagger-ui-dist from the npm
# registry, version and SHA-512 pinned in podium/jsonapi/viewer_assets.py, fetched by Python
# (no Node.js needed) into a git-ignored directory that a static view of the site serves.
SWAGGER_UI_VERSION := $(shell sed -n 's/^VERSION = "\(.*\)"/\1/p' platform/podium/jsonapi/viewer_assets.py)
SWAGGER_UI := platform/podium/jsonapi/swagger-ui

.PHONY: run test install install-bench migrate lint bench clean fuzz

run: migrate
	$(BIN)/pserve $(CONFIG)

test: install install-bench
	$(BIN)/pytest

install: $(INSTALLED) $(SWAGGER_UI)/.version-$(SWAGGER_UI_VERSION)

install-bench: $(BENCH_INSTALLED)

# Re-install only when packaging metadata changes: editable installs pick up
# code changes by themselves, so a second `make run` starts at once.
$(INSTALLED): setup.cfg pyproject.toml $(addsuffix setup.cfg,$(PLUGINS)) examples/acme_site/setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools<82" wheel
	$(BIN)/python -m pip install --quiet -e ".[test,postgres]" $(addprefix -e ,$(PLUGINS)) -e examples/acme_site
	touch $@

$(SWAGGER_UI)/.version-$(SWAGGER_UI_VERSION): | $(INSTALLED)
	$(BIN)/python -m podium.jsonapi.viewer_assets

$(BENCH_INSTALLED): $(INSTALLED) $(BENCH_PLUGIN)setup.cfg bench/requirements.txt
	$(BIN)/python -m pip install --quiet -e $(BENCH_PLUGIN) -r bench/requirements.txt
	touch $@

var:
	mkdir -p var

migrate: install var
	$(BIN)/podium db upgrade $(CONFIG)

lint: install
	$(BIN)/ruff check platform plugins tests bench alembic examples
	$(BIN)/mypy

# schemathesis against the JSON API layer's test plugin with more cases than make test's 50
# per operation (PODIUM_TEST_DATABASE_URL set: on PostgreSQL too).
fuzz: install
	PODIUM_FUZZ_EXAMPLES=$${PODIUM_FUZZ_EXAMPLES:-500} $(BIN)/pytest tests/functional/test_jsonapi_fuzz.py

bench: install-bench
	$(BIN)/python -m bench --scaling --deployment --instructions

clean:
	rm -rf $(VENV) var .pytest_cache
