"""The build's sources and its state: which files make the book, their digests, the record of the last build.

A file whose inode, size and times are as recorded in ``_build/state.json`` is not read
again (:func:`file_digests`), as git's index does: a no-change build of a large book costs
a ``stat`` per file, not a read.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STATE = BUILD / "state.json"
SOURCE_GLOBS = [
    "_config.yml",
    "_toc.yml",
    "*.md",
    "book/**/*.md",
    "book/**/*.ipynb",
    "data/**/*",  # the tables, their descriptor, the map and the report's text (data/source/)
    "techreport/*.py",
    "bookbuild/**/*.py",
    "requirements.txt",
    "tools/web/**/*",
    "tools/latex/*",
]

#: A file changed less than this before its digest was recorded is read again next time: a
#: save in the same clock tick could leave its date and size as they were (git's "racy" case).
RACY_NS = 2_000_000_000


def tree_env(**extra: str) -> dict[str, str]:
    """The environment for kernels and Sphinx: ``techreport`` imported from this tree."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def sha256(*chunks: bytes) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def read_state() -> dict:
    try:
        return json.loads(STATE.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_state(state: dict) -> None:
    STATE.parent.mkdir(parents=True, exist_ok=True)
    fresh = STATE.with_name(STATE.name + ".new")
    fresh.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    fresh.replace(STATE)


def source_files() -> list[Path]:
    # glob.glob on names, not Path.glob: a large book's no-change build is mostly this walk
    names = {n for pattern in SOURCE_GLOBS for n in glob.glob(pattern, root_dir=ROOT, recursive=True)}
    return sorted(ROOT / n for n in names if ".ipynb_checkpoints" not in n and os.path.isfile(os.path.join(ROOT, n)))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def file_digests(files: list[Path], known: dict | None = None) -> dict[Path, bytes]:
    """sha256 of each file's path and bytes.

    With ``known`` (the build state's record of earlier digests, updated here), a file whose
    inode, size, modification and change times are as recorded is not read again.
    """
    out = {}
    now = time.time_ns()
    prefix = str(ROOT) + os.sep
    for path in files:
        name = str(path)
        relname = name[len(prefix) :] if name.startswith(prefix) else path.relative_to(ROOT).as_posix()
        if known is None:
            out[path] = hashlib.sha256(relname.encode() + b"\0" + path.read_bytes()).digest()
            continue
        st = path.stat()
        stamp = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        entry = known.get(relname)
        if entry and entry[0] == stamp and entry[1] - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            out[path] = bytes.fromhex(entry[2])
            continue
        out[path] = hashlib.sha256(relname.encode() + b"\0" + path.read_bytes()).digest()
        known[relname] = [stamp, now, out[path].hex()]
    return out


def combine(digests: dict[Path, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(digests):
        digest.update(digests[path])
    return digest.hexdigest()


def structure(files: list[Path]) -> str:
    """What decides which pages exist: config, toc and the list of page files."""
    shape = [p for p in files if p.name in {"_config.yml", "_toc.yml"}]
    names = "\n".join(rel(p) for p in files)
    return sha256(names.encode(), *(p.read_bytes() for p in shape))
