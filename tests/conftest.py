"""Shared fixtures: a scratch copy of data/ for bad-input cases, the built book, its server and a browser.

Markers (registered in pyproject.toml; ``make test-fast`` runs ``-m "not slow and not browser and
not tex"``) are set here by what a test uses, so a new test in a new file is marked without a
decorator: ``slow`` for a test that needs the built book (``built_repo`` and every fixture on it:
``repo``, ``site``, ``base``) and for nbval's notebook cells; ``browser`` for a test that drives
Chromium (``chrome``); ``tex`` for the PDF edition (a test in a ``test_pdf*.py`` file: it needs TeX).

The book is built in a copy of the repository, never in place: a build executes stale
notebooks and rewrites them, so building the real tree would change tracked files and let
nbval compare against outputs the test run itself just made.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import build_book, copy_sources

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

#: marker -> the fixtures that imply it (directly or through another fixture)
MARKED_BY_FIXTURE = {"slow": {"built_repo"}, "browser": {"chrome"}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by what it uses: its fixtures (with the ones they depend on), its file."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        marks = {mark for mark, fixtures in MARKED_BY_FIXTURE.items() if used & fixtures}
        if item.path.suffix == ".ipynb":  # nbval: a notebook's cells, run in a kernel
            marks.add("slow")
        if item.path.name.startswith("test_pdf"):
            marks.add("tex")
        for mark in sorted(marks):
            item.add_marker(mark)


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
    if os.environ.get("BOOK_BUILT_REPO"):  # a test that built a changed copy runs the suite on it
        return Path(os.environ["BOOK_BUILT_REPO"])
    repo = copy_sources(tmp_path_factory.mktemp("book") / "repo")
    state = ROOT / "_build" / "state.json"
    if state.exists():
        (repo / "_build").mkdir()
        shutil.copy2(state, repo / "_build" / "state.json")
    build_book("html", repo)
    return repo


@pytest.fixture(scope="session")
def _workplace(built_repo: Path, tmp_path_factory) -> tuple[Path, Path]:
    """(work, pristine): the built book once more at the one path every changing test uses.

    Sphinx's saved environment names its source folder and is thrown away when the folder
    moves, so a copy of ``built_repo`` at a new path would re-read every page on its first
    build. Built once at ``work`` (Sphinx runs because the published site is removed) and
    kept as ``pristine``, each test's copy is restored at ``work``: its builds are incremental.
    """
    base = tmp_path_factory.mktemp("work")
    work, pristine = base / "repo", base / "pristine"
    shutil.copytree(built_repo, work, symlinks=True)
    shutil.rmtree(work / "_build" / "html")
    build_book("html", work)
    shutil.copytree(work, pristine, symlinks=True)
    return work, pristine


@pytest.fixture
def repo(_workplace) -> Path:
    """A private copy of the built repository (sources, outputs, build state) for a test to change."""
    work, pristine = _workplace
    shutil.rmtree(work)
    shutil.copytree(pristine, work, symlinks=True)
    return work


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
