# Single entry point: `make book` builds the HTML site and the PDF, `make test` runs the
# test suite (building the book first if needed), `make check` the fast tier (lint and the
# tests that need no built book), `make bench` measures, `make publish` pushes the last
# successful build to the gh-pages branch of REMOTE (README « Publier en ligne »).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
REMOTE ?= origin

.PHONY: book test check bench publish deps clean

book: deps
	$(PY) tools/build_book.py

test: book
	$(PY) -m pytest

# The fast tier: no build, no browser, no PDF (markers set in tests/conftest.py).
check: $(VENV)/.installed $(VENV)/.skip-slow-imports
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -m "not book and not browser and not pdf and not slow"

bench: book
	$(PY) tools/benchmark.py

# Never builds: it refuses a failed or outdated build (tools/publish.py says why).
publish: $(VENV)/.installed
	$(PY) tools/publish.py "$(REMOTE)"

# Everything a fresh Debian machine lacks: system packages, the virtual environment,
# the browser assets. Each step runs again only when its inputs change.
deps: $(VENV)/.installed $(VENV)/.skip-slow-imports $(VENV)/.jupyterlab-settings node_modules/.installed $(VENV)/cffconvert/.installed
	@bash tools/system-deps.sh

# cffconvert (validates CITATION.cff in the tests) pins jsonschema<4, which the book's own
# tools cannot use: it gets a small environment of its own, inside .venv (ignored with it).
$(VENV)/cffconvert/.installed: tools/requirements-cffconvert.txt $(VENV)/.installed
	python3 -m venv $(VENV)/cffconvert
	$(VENV)/cffconvert/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-cffconvert.txt
	touch $@

$(VENV)/.installed: requirements.txt pyproject.toml
	@bash tools/system-deps.sh
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The project's JupyterLab settings (tools/jupyterlab/), where the environment's JupyterLab
# reads them: no news pop-up and no update check, so that starting it asks nothing of an
# outside service.
$(VENV)/.jupyterlab-settings: tools/jupyterlab/overrides.json tools/jupyterlab/jupyter_server_config.json $(VENV)/.installed
	install -D -m 644 tools/jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.d/rtes-edition.json
	install -D -m 644 tools/jupyterlab/jupyter_server_config.json $(VENV)/etc/jupyter/jupyter_server_config.d/rtes-edition.json
	touch $@

# A startup line for every Python of the environment (why: in the file itself).
$(VENV)/.skip-slow-imports: tools/skip-slow-imports.pth $(VENV)/.installed
	cp $< "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/"
	touch $@

node_modules/.installed: package.json package-lock.json
	@bash tools/system-deps.sh
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

clean:
	rm -rf _build
