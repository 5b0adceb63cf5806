"""Helpers shared by the test modules (imported as ``helpers``: tests/ is on sys.path)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES_ONLY = shutil.ignore_patterns(
    ".venv", "_build", ".git", "__pycache__", ".pytest_cache", "*.egg-info", ".ipynb_checkpoints", ".ruff_cache"
)


def notebook_text(path: Path) -> str:
    """A page as stored: its markdown cells and the text of every output (glue payloads too)."""
    parts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            for value in out.get("data", {}).values():
                parts.append(
                    value
                    if isinstance(value, str)
                    else "".join(value)
                    if isinstance(value, list)
                    else json.dumps(value, ensure_ascii=False)
                )
    return "\n".join(parts)


def copy_sources(target: Path) -> Path:
    """A copy of the repository's sources (no .git, .venv, build outputs or caches)."""
    shutil.copytree(ROOT, target, ignore=SOURCES_ONLY)
    return target


def run_build(repo: Path, target: str = "html", env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m bookbuild TARGET`` in ``repo``, importing that tree's own packages (``env``: added variables)."""
    env = {**os.environ, "PYTHONPATH": str(repo), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bookbuild", target], cwd=repo, env=env, capture_output=True, text=True, timeout=1800
    )


def build_book(target: str = "html", repo: Path = ROOT) -> None:
    """Run the project's own build in ``repo`` (a no-op when nothing changed); fail with its output."""
    result = run_build(repo, target)
    assert result.returncode == 0, f"the {target} build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
