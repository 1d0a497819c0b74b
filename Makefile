# Single entry point: `make book` builds the HTML site and the PDF, `make test` runs the
# test suite (building the book first if needed), `make bench` measures.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: book test bench deps clean

book: deps
	$(PY) tools/build_book.py

test: book
	$(PY) -m pytest

bench: book
	$(PY) tools/benchmark.py

# Everything a fresh Debian machine lacks: system packages, the virtual environment,
# the browser assets. Each step runs again only when its inputs change.
deps: $(VENV)/.installed node_modules/.installed
	@bash tools/system-deps.sh

$(VENV)/.installed: requirements.txt pyproject.toml
	@bash tools/system-deps.sh
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	@bash tools/system-deps.sh
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

clean:
	rm -rf _build
