"""Shared fixtures: a scratch copy of data/ for bad-input cases, the built site, its server and a browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import build_book

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def site() -> Path:
    """The HTML book, built by the project's own build (a no-op when nothing changed)."""
    build_book("html")
    return ROOT / "_build" / "html"


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
