"""Publishing: make the published folder a copy of a clean build, writing only the files that changed."""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path


def publish(built: Path, target: Path) -> int:
    """Make ``target`` a copy of ``built``, writing only the files that changed (and
    removing the ones that are gone); return how many files were written or removed.

    A build's unchanged pages keep their bytes and dates, so a one-page change costs one
    page (plus the files Sphinx rewrites every time, such as the search index). Each file
    is replaced atomically: a reader sees the old file or the new one, never half of one.
    """
    changed = 0
    target.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for src in built.rglob("*"):
        rel = src.relative_to(built)
        wanted.add(rel)
        dst = target / rel
        if src.is_dir():
            dst.mkdir(exist_ok=True)
            continue
        if dst.is_file():
            a, b = src.stat(), dst.stat()
            if a.st_size == b.st_size and (a.st_mtime_ns == b.st_mtime_ns or filecmp.cmp(src, dst, shallow=False)):
                continue
        tmp = dst.with_name(dst.name + ".publishing")
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)
        changed += 1
    for old in sorted(target.rglob("*"), reverse=True):
        if old.relative_to(target) not in wanted:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
            changed += 1
    return changed
