# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make build   install into .venv and build the bundled example into output/
#   make test    install test tools and run lint, types and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: build test lint install install-test check schemas docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

build: $(STAMP)
	$(BIN)/kanalprofil build

check: $(STAMP)
	$(BIN)/kanalprofil check

lint: $(TEST_STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy

test: $(TEST_STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Regenerate the committed schemas and platform table after changing the model/catalogue.
docs: $(STAMP)
	$(BIN)/python -c "from pathlib import Path; from generator.scaffold import write_schemas; write_schemas(Path('schema'))"
	$(BIN)/kanalprofil platforms --format markdown > docs/platforms.md
	$(BIN)/python -c "from generator.reference import render_reference as r; print(r(), end='')" > docs/profile-reference.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
