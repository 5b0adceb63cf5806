# Thin wrappers: every recipe is one readable step. `make book` and `make test` are
# the two commands of the README; both set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.ready

.PHONY: book preview test pdf bench bench-scale clean system

book: $(READY)            ## execute changed notebooks, build _build/html
	$(PY) -m bookbuild html

PORT ?= 8000
preview: $(READY)         ## live preview on http://127.0.0.1:$(PORT)/: rebuilds on save, reloads the tab
	$(PY) -m bookbuild.preview --port $(PORT)

test: $(READY) system     ## the whole suite: data, bad inputs, nbval, build, PDF and browser checks
	$(PY) -m pytest

system:                   ## system packages for the PDF and the browser tests (no-op when present)
	tools/install-tex.sh
	tools/install-browser.sh

pdf: $(READY)             ## the A4 PDF edition into _build/pdf/ (installs TeX if it can)
	tools/install-tex.sh
	$(PY) -m bookbuild pdf

bench: $(READY)           ## measure build times and page weight (a benchmark, not a test); ARGS=--scale etc.
	$(PY) -m measure $(ARGS)

SIZES ?= 12,48,192
bench-scale: $(READY)     ## build cost against book size (synthetic books of SIZES pages), ours vs stock
	$(PY) -m measure --scale --sizes $(SIZES)

clean:                    ## remove build outputs (keeps .venv)
	rm -rf _build

$(READY): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
