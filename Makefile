# Single entry point: `make book` builds the HTML site and the PDF, `make test` runs the
# test suite (building the book first if needed), `make check` the fast tier (lint and the
# tests that need no built book), `make bench` measures, `make publish` pushes the last
# successful build to the gh-pages branch of REMOTE (README « Publier en ligne »), `make lab`
# opens the notebooks in JupyterLab.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
LAB := $(VENV)/lab
REMOTE ?= origin
# On every core (up to four): the tests that share a costly fixture (the browser pass,
# JupyterLab, a copy of the book) are sent to one worker (tests/conftest.py, _SHARED_FIXTURES).
PARALLEL := -n auto --maxprocesses 4 --dist loadgroup

.PHONY: book test check bench publish lab deps clean

book: deps
	$(PY) tools/build_book.py

test: book
	$(PY) -m pytest $(PARALLEL)

# The fast tier: no build, no browser, no PDF (markers set in tests/conftest.py).
check: $(VENV)/.installed $(VENV)/cffconvert/.installed node_modules/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PARALLEL) -m "not book and not browser and not pdf and not slow"

bench: book
	$(PY) tools/benchmark.py

# Never builds: it refuses a failed or outdated build (tools/publish.py says why).
publish: $(VENV)/.installed
	$(PY) tools/publish.py "$(REMOTE)"

# JupyterLab on the notebooks (page « Exécuter les carnets »), after `make book`.
lab: $(LAB)/.installed
	$(LAB)/bin/jupyter lab notebooks/ $(LAB_ARGS)

# Everything a fresh Debian machine lacks: system packages, the virtual environment,
# the browser assets. Each step runs again only when its inputs change.
deps: $(VENV)/.installed $(LAB)/.installed node_modules/.installed $(VENV)/cffconvert/.installed
	@bash tools/system-deps.sh

# cffconvert (validates CITATION.cff in the tests) pins jsonschema<4, which the book's own
# tools cannot use: it gets a small environment of its own, inside .venv (ignored with it).
$(VENV)/cffconvert/.installed: tools/requirements-cffconvert.txt $(VENV)/.installed
	python3 -m venv $(VENV)/cffconvert
	$(VENV)/cffconvert/bin/pip install --quiet --disable-pip-version-check -r tools/requirements-cffconvert.txt
	touch $@

# A new environment whenever the pins change: pip never removes what a pin no longer asks for.
# (The environments inside it, lab and cffconvert, depend on it and are remade after it.)
$(VENV)/.installed: requirements.txt requirements/build.txt requirements/test.txt pyproject.toml
	@bash tools/system-deps.sh
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# JupyterLab has an environment of its own (why: requirements/lab.txt). Its kernel is the
# book's Python, registered under the notebooks' kernel name; the project's settings
# (tools/jupyterlab/) turn off the news and the update check, so that JupyterLab asks
# nothing of an outside service.
$(LAB)/.installed: requirements/lab.txt tools/jupyterlab/overrides.json tools/jupyterlab/jupyter_server_config.json $(VENV)/.installed
	rm -rf $(LAB)
	python3 -m venv $(LAB)
	$(LAB)/bin/pip install --quiet --disable-pip-version-check -r requirements/lab.txt
	$(PY) -m ipykernel install --prefix $(LAB) --name python3 --display-name "Python 3 (actes RTES)"
	install -D -m 644 tools/jupyterlab/overrides.json $(LAB)/share/jupyter/lab/settings/overrides.d/rtes-edition.json
	install -D -m 644 tools/jupyterlab/jupyter_server_config.json $(LAB)/etc/jupyter/jupyter_server_config.d/rtes-edition.json
	touch $@

node_modules/.installed: package.json package-lock.json
	@bash tools/system-deps.sh
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

clean:
	rm -rf _build
