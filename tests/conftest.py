"""Shared fixtures: a scratch copy of data/ for bad-input cases, and the built site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    result = subprocess.run([sys.executable, "-m", "techreport.build", "html"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"the book did not build:\n{result.stdout}\n{result.stderr}"
    return ROOT / "_build" / "html"
