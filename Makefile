# The two commands of the README: `make run` and `make test`.
# Everything they need is installed here, into .venv, from the project's files.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(dir $(wildcard plugins/*/setup.cfg)))
INSTALLED := $(VENV)/.installed
CONFIG ?= development.ini

.PHONY: run test install migrate lint bench clean

run: migrate
	$(BIN)/pserve $(CONFIG)

test: install
	$(BIN)/pytest

install: $(INSTALLED)

# Re-install only when packaging metadata changes: editable installs pick up
# code changes by themselves, so a second `make run` starts at once.
$(INSTALLED): setup.cfg pyproject.toml $(addsuffix setup.cfg,$(PLUGINS)) examples/acme_site/setup.cfg bench/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools<82" wheel
	$(BIN)/python -m pip install --quiet -e ".[test,postgres]" $(addprefix -e ,$(PLUGINS)) -e examples/acme_site -r bench/requirements.txt
	touch $@

var:
	mkdir -p var

migrate: install var
	$(BIN)/podium db upgrade $(CONFIG)

lint: install
	$(BIN)/ruff check platform plugins tests bench alembic examples
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench --scaling --deployment --instructions

clean:
	rm -rf $(VENV) var .pytest_cache
