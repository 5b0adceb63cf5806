# Thin wrappers: every recipe is one readable step. `make book` and `make test` are
# the two commands of the README; both set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.ready
UV     := $(VENV)/bin/uv

.PHONY: book preview test test-fast lint format lock pdf bench bench-scale lab clean system

book: $(READY)            ## execute changed notebooks, build _build/html
	$(PY) -m bookbuild html

PORT ?= 8000
preview: $(READY)         ## live preview on http://127.0.0.1:$(PORT)/: rebuilds on save, reloads the tab
	$(PY) -m bookbuild.preview --port $(PORT)

test: $(READY) system     ## the whole suite: lint, data, bad inputs, nbval, build, PDF and browser checks
	$(PY) -m pytest

# The markers are set by tests/conftest.py from what a test uses (CONTRIBUTING.md, "Tests").
test-fast: $(READY)       ## lint, data, bad inputs, loaders, charts and page rules: no build, no nbval, no TeX, no browser
	$(PY) -m pytest tests -m "not slow and not browser and not tex"

lint: $(READY)            ## ruff: lint and format check (also run by `make test`, tests/test_lint.py)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(READY)          ## ruff: fix what can be fixed and format the tree
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: $(READY)            ## upgrade: re-resolve requirements.in into the lock requirements.txt
	$(UV) pip compile requirements.in -o requirements.txt --python-version 3.11 --upgrade \
	  --custom-compile-command "make lock"

system:                   ## system packages for the PDF and the browser tests (no-op when present)
	tools/install-tex.sh
	tools/install-browser.sh

pdf: $(READY)             ## the A4 PDF edition into _build/pdf/ (installs TeX if it can), then the site that links it
	tools/install-tex.sh
	$(PY) -m bookbuild pdf
	$(PY) -m bookbuild html

bench: $(READY)           ## measure build times and page weight (a benchmark, not a test); ARGS=--scale etc.
	$(PY) -m measure $(ARGS)

SIZES ?= 12,48,192
bench-scale: $(READY)     ## build cost against book size (synthetic books of SIZES pages), ours vs stock
	$(PY) -m measure --scale --sizes $(SIZES)

# The file browser starts at the repository root, opened on book/ (data/ and tools/page-template.ipynb
# one click up). Jupyter refuses to run as root unless told: a root shell (a container) adds --allow-root.
lab: $(READY)             ## JupyterLab in the project's environment (127.0.0.1 only), open on book/; then `make book`
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. --ContentsManager.preferred_dir=book \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean:                    ## remove build outputs (keeps .venv)
	rm -rf _build

# .venv holds exactly the lock: uv (its version taken from the lock) syncs it, adding,
# upgrading and removing packages; --compile-bytecode as pip does (with PYTHONDONTWRITEBYTECODE
# set, every kernel would otherwise recompile matplotlib and pandas). Then nbdime's git drivers, named by .gitattributes, are
# set in .git/config for this clone: paths relative to the work tree (git runs them there).
$(READY): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check $$(grep '^uv==' requirements.txt)
	UV_LINK_MODE=copy $(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.txt
	! git rev-parse --git-dir >/dev/null 2>&1 || { \
	  git config diff.jupyternotebook.command "$(VENV)/bin/git-nbdiffdriver diff" && \
	  git config merge.jupyternotebook.driver "$(VENV)/bin/git-nbmergedriver merge %O %A %B %L %P" && \
	  git config merge.jupyternotebook.name "nbdime notebook merge"; }
	touch $@
