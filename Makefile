# Thin wrappers: every recipe is one readable step. `make book` and `make test` are
# the two commands of the README; both set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.ready

.PHONY: book test pdf bench clean

book: $(READY)            ## execute changed notebooks, build _build/html
	$(PY) -m techreport.build html

test: $(READY)            ## the whole suite: data, bad inputs, nbval, build checks
	$(PY) -m pytest

pdf: $(READY)             ## the A4 PDF edition into _build/pdf/ (installs TeX if it can)
	tools/install-tex.sh
	$(PY) -m techreport.build pdf

bench: $(READY)           ## measure build times and page weight (a benchmark, not a test)
	$(PY) -m techreport.bench

clean:                    ## remove build outputs (keeps .venv)
	rm -rf _build

$(READY): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@
