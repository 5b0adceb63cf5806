"""Running builds for the measurements: fresh copies of the repository and timed commands."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bookbuild.sources import ROOT, tree_env

IGNORE = shutil.ignore_patterns(
    ".venv", "_build", ".git", "__pycache__", ".pytest_cache", "*.egg-info", ".jupyter_cache"
)
BIN = Path(sys.executable).parent


def fresh_copy(parent: Path, name: str, strip_outputs: bool = True) -> Path:
    repo = parent / name
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    if strip_outputs:
        for nb_path in (repo / "book").rglob("*.ipynb"):
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    cell["outputs"], cell["execution_count"] = [], None
            nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return repo


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=tree_env(PYTHONPATH=str(cwd)), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def ours(repo: Path, *args: str) -> tuple[float, str]:
    return timed([sys.executable, "-m", "bookbuild", *args], repo)


def executed(out: str) -> list[str]:
    """The notebooks a build's output says it executed."""
    return [ln.split()[1] for ln in out.splitlines() if ln.strip().startswith("[")]


def edit_line(path: Path, start: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the one line of ``path`` that starts with ``start``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    (i,) = [i for i, line in enumerate(lines) if line.startswith(start)]
    if old not in lines[i]:
        raise SystemExit(f"{path.name}: the line {start!r} no longer holds {old!r}: pick another edit")
    lines[i] = lines[i].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
