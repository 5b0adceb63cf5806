"""Shared fixtures: a scratch copy of data/ for bad-input cases, the built book, its server and a browser.

The book is built in a copy of the repository, never in place: a build executes stale
notebooks and rewrites them, so building the real tree would change tracked files and let
nbval compare against outputs the test run itself just made.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import build_book, copy_sources

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory) -> Path:
    """A copy of the repository with the HTML book built by the project's own build.

    The real tree's build state comes along, so notebooks whose key still matches (same
    code, outputs, data read and package) are not executed again; the others run in the copy.
    """
    repo = copy_sources(tmp_path_factory.mktemp("book") / "repo")
    state = ROOT / "_build" / "state.json"
    if state.exists():
        (repo / "_build").mkdir()
        shutil.copy2(state, repo / "_build" / "state.json")
    build_book("html", repo)
    return repo


@pytest.fixture(scope="session")
def site(built_repo: Path) -> Path:
    """The HTML book, built in the copy."""
    return built_repo / "_build" / "html"


@pytest.fixture(scope="session")
def base(site):
    """The built site served on 127.0.0.1 (measure.web.serve): its base URL."""
    from measure import web

    with web.serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def chrome():
    """Headless Chromium (measure.web.browser), shared by the browser tests."""
    from measure import web

    with web.browser() as browser:
        yield browser
