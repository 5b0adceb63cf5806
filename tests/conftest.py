"""Shared fixtures: a scratch copy of data/ for bad-input cases, and the built site."""

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
