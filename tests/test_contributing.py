"""CONTRIBUTING.md's promise: a page made from the template builds and passes the page rules."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import run_build

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tools" / "page-template.ipynb"


def test_the_template_is_not_a_page():
    """Kept out of the book: not under book/ (nbval, the toc test) and in a folder Sphinx excludes."""
    assert not TEMPLATE.is_relative_to(ROOT / "book")
    assert "tools" in (ROOT / "_config.yml").read_text(encoding="utf-8").split("exclude_patterns:")[1].split("\n")[0]
    nb = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "the template is stored clean"


def test_a_page_from_the_template_builds_and_passes_the_page_rules(repo):
    root = repo
    shutil.copy2(TEMPLATE, root / "book" / "scratch.ipynb")
    toc = root / "_toc.yml"
    text = toc.read_text(encoding="utf-8")
    last = "          - file: book/2-3-platforms/index\n"
    assert last in text
    toc.write_text(text.replace(last, last + "          - file: book/scratch\n"), encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, (
        f"the build with the scratch page failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    )
    page = (root / "_build" / "html" / "book" / "scratch.html").read_text(encoding="utf-8")
    # numbered through the chapter (图 2-N, 表 2-N); no setup code on the page
    assert re.search(r"图 2-\d+", page) and re.search(r"表 2-\d+", page) and "style.setup()" not in page
    # The page rules are the suite's own tests, run in the copy (which now holds the scratch page).
    env = {**os.environ, "PYTHONPATH": str(root), "BOOK_BUILT_REPO": str(root)}
    rules = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "tests/test_book.py",
            "tests/test_charts.py",
            "-k",
            "not doubled",
            "-p",
            "no:cacheprovider",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert rules.returncode == 0, rules.stdout[-3000:]
    assert (
        "scratch"
        in subprocess.run(
            [sys.executable, "-c", "from bookbuild.build import toc_notebooks; print(*toc_notebooks())"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
        ).stdout
    )
