"""The book overrides templates and patches internals of a few libraries: each was written
against one version. A different installed version fails here, naming the file to revisit
(then update the version below and the pin in requirements.in together)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# distribution: (version the files were written against, the files to revisit when it changes)
WRITTEN_AGAINST = {
    "pydata-sphinx-theme": (
        "0.17.1",
        (
            "tools/web/templates/static/webpack-macros.html",
            "tools/web/templates/search-button.html",
            "tools/web/templates/search-button-field.html",
            "tools/web/templates/theme-switcher.html",
        ),
    ),
    "sphinx-book-theme": (
        "1.3.0",
        (
            "tools/web/templates/layout.html",
            "tools/web/templates/sbt-sidebar-nav.html",
            "tools/web/templates/toggle-primary-sidebar.html",
            "tools/web/templates/toggle-secondary-sidebar.html",
        ),
    ),
    "sphinx-external-toc": ("1.1.0", ("bookbuild/sphinx/numbering.py",)),
    "sphinx": ("7.4.7", ("bookbuild/sphinx/web.py", "bookbuild/sphinx/search.py")),
    "sphinx-jupyterbook-latex": ("1.0.0", ("bookbuild/sphinx/latex.py",)),
    "myst-nb": ("1.4.0", ("bookbuild/sphinx/latex.py", "bookbuild/sphinx/figures.py", "techreport/present.py")),
}


@pytest.mark.parametrize("dist", sorted(WRITTEN_AGAINST))
def test_installed_version_is_the_one_the_override_was_written_against(dist):
    expected, paths = WRITTEN_AGAINST[dist]
    for path in paths:
        assert (ROOT / path).is_file(), f"{path} is gone: remove it from WRITTEN_AGAINST[{dist!r}]"
    installed = version(dist)
    assert installed == expected, (
        f"{dist} {installed} is installed, but {', '.join(paths)} were written against {expected}: "
        f"revisit them, then update WRITTEN_AGAINST and requirements.in"
    )


def test_the_lock_pins_what_the_overrides_were_written_against():
    lock = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    for dist, (expected, paths) in WRITTEN_AGAINST.items():
        assert f"{dist}=={expected}" in lock, f"requirements.txt does not pin {dist}=={expected} ({', '.join(paths)})"


def test_no_schema_the_build_validates_uses_the_iri_format():
    """bookbuild runs without rfc3987-syntax (its grammar costs every build 1 s), so jsonschema
    skips the "iri" formats: that holds only while no schema the build validates uses them."""
    import importlib.util
    import re
    import subprocess
    import sys

    used = []
    for package in ("jupyter_book", "frictionless", "nbformat", "myst_nb", "myst_parser", "sphinx"):
        folder = Path(importlib.util.find_spec(package).origin).parent
        for schema in folder.rglob("*.json"):
            text = schema.read_text(encoding="utf-8", errors="replace")
            if re.search(r'"format"\s*:\s*"iri', text):
                used.append(schema.relative_to(folder.parent).as_posix())
    assert not used, f"these schemas use the iri format; drop the rfc3987_syntax block in bookbuild/__init__.py: {used}"
    # and the build does run without it (a new process: this one may have loaded it already)
    code = "import bookbuild, jsonschema, sys; print(sys.modules['rfc3987_syntax'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "None"
