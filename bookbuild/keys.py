"""Notebook keys: what a notebook's stored outputs follow from, so the build re-runs exactly the stale ones.

A key hashes the notebook's code cells and outputs (not its prose), the package it imports
(``techreport/``, ``requirements.txt``), ``datapackage.json``, and what it read the last time
it ran, as the loader recorded it (``techreport.data.READS_ENV``):

* a whole file (``"indicators.csv"``): its bytes;
* some rows of a table (``{"file": "indicators.csv", "where": {"topic": ["biomed"]}}``, from
  ``load_table("indicators", topic="biomed")``): the header and exactly the rows whose cells
  match, so an edit of another row leaves the key as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

from .sources import ROOT, file_digests, sha256

# What notebooks import: the only code that shapes their outputs (the build, the Sphinx
# extension and the measurements live in other packages, so they never re-run a notebook).
NOTEBOOK_PACKAGE = ROOT / "techreport"
DESCRIPTOR = "datapackage.json"


def package_digest() -> bytes:
    files = sorted(NOTEBOOK_PACKAGE.glob("*.py"))
    return b"".join(p.name.encode() + p.read_bytes() for p in files) + (ROOT / "requirements.txt").read_bytes()


def code_digest(path: Path) -> str:
    """A notebook's code, tags and stored outputs (clearing its outputs makes it stale too), and
    its kernel: not its prose, so a prose edit re-runs nothing."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [
        ("".join(c["source"]), c.get("metadata", {}).get("tags", []), c.get("outputs", []))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    return sha256(json.dumps(code, sort_keys=True).encode(), json.dumps(nb["metadata"].get("kernelspec", {})).encode())


def parse_reads(lines: list[str]) -> list:
    """The loader's record (one read a line: a path under data/, or a JSON object for some rows)
    as the build keeps it: sorted, each once, rows of a file dropped when the whole file was read."""
    whole, some = set(), {}
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if line.startswith("{"):
            entry = json.loads(line)
            where = {col: sorted(map(str, values)) for col, values in sorted(entry["where"].items())}
            entry = {"file": entry["file"], "where": where}
            some[json.dumps(entry, sort_keys=True, ensure_ascii=False)] = entry
        else:
            whole.add(line)
    rows = [e for _, e in sorted(some.items()) if e["file"] not in whole]
    return [*sorted(whole), *rows]


def read_file(entry) -> str:
    return entry if isinstance(entry, str) else entry["file"]


def covers(entry, file: str, row: dict[str, str]) -> bool:
    """Whether a recorded read ``entry`` includes ``row`` (raw cells by column) of ``file``."""
    if read_file(entry) != file:
        return False
    return isinstance(entry, str) or all(row.get(col) in values for col, values in entry["where"].items())


def rows_digest(path: Path, where: dict[str, list[str]]) -> bytes:
    """The header and the rows of a CSV whose cells match ``where`` (all columns), in file order."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return hashlib.sha256(raw).digest()  # not readable as the loader reads it: the whole file
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if any(col not in header for col in where):
        return hashlib.sha256(b"<no such column>" + raw).digest()
    index = [(header.index(col), set(values)) for col, values in where.items()]
    digest = hashlib.sha256(json.dumps(header, ensure_ascii=False).encode())
    for cells in reader:
        if len(cells) != len(header) or all(cells[i] in values for i, values in index):
            digest.update(hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).digest())
    return digest.digest()


def notebook_key(
    path: Path,
    reads: list,
    package: bytes,
    code: str | None = None,
    known: dict | None = None,
    memo: dict | None = None,
) -> str:
    """What a notebook's outputs follow from: its code (``code_digest``), the data it read and
    the package it imports. ``known``: the record of file digests (see :func:`file_digests`);
    ``memo``: row digests by file digest and filter, so unchanged files are not parsed again."""
    names = sorted({read_file(e) for e in reads} | {DESCRIPTOR})
    files = {name: Path(os.path.normpath(ROOT / "data" / name)) for name in names}
    digests = file_digests([f for f in files.values() if f.is_file()], known)
    whole = {e for e in reads if isinstance(e, str)} | {DESCRIPTOR}
    data = [name.encode() + digests.get(files[name], b"<missing>") for name in sorted(whole)]
    for entry in (e for e in reads if not isinstance(e, str)):
        file = files[entry["file"]]
        where = json.dumps(entry["where"], sort_keys=True, ensure_ascii=False)
        if file not in digests:
            data.append(f"{entry['file']}?{where}".encode() + b"<missing>")
            continue
        slot = f"{digests[file].hex()}?{where}"
        if memo is not None and slot in memo:
            rows = bytes.fromhex(memo[slot])
        else:
            rows = rows_digest(file, entry["where"])
            if memo is not None:
                memo[slot] = rows.hex()
        data.append(f"{entry['file']}?{where}".encode() + rows)
    return sha256((code or code_digest(path)).encode(), *data, package)


def notebook_code(path: Path, state: dict) -> tuple[str, str]:
    """(file digest, code digest) of a notebook: the code digest is parsed again only when the
    file's digest is not the one recorded with it (a large book's notebooks are not all re-read)."""
    digest = file_digests([path], state.setdefault("files", {}))[path].hex()
    record = state.get("notebooks", {}).get(path.relative_to(ROOT).as_posix(), {})
    return digest, record["code"] if record.get("file") == digest and "code" in record else code_digest(path)


def record_run(path: Path, reads: list, state: dict, package: bytes) -> None:
    """Keep what a notebook read in this run and its key (its file as just written)."""
    files = state.setdefault("files", {})
    digest, code = file_digests([path], files)[path].hex(), code_digest(path)
    state.setdefault("notebooks", {})[path.relative_to(ROOT).as_posix()] = {
        "reads": reads,
        "key": notebook_key(path, reads, package, code, files, state.setdefault("rows", {})),
        "file": digest,
        "code": code,
    }


def stale_notebooks(notebooks: list[Path], state: dict, force: bool) -> list[Path]:
    """The notebooks whose key is not the one recorded when they last ran, in the order given."""
    package = package_digest()
    records = state.setdefault("notebooks", {})
    files = state.setdefault("files", {})
    old, memo = state.get("rows", {}), {}
    lookups = _Memo(old, memo)
    stale = []
    for path in notebooks:
        record = records.get(path.relative_to(ROOT).as_posix())
        if (
            force
            or not record
            or record["key"]
            != notebook_key(path, record["reads"], package, notebook_code(path, state)[1], files, lookups)
        ):
            stale.append(path)
    state["rows"] = memo  # only the row digests still in use are kept
    return stale


class _Memo(dict):
    """Row digests: looked up in the last build's, kept in a fresh one (so stale entries drop out)."""

    def __init__(self, old: dict, fresh: dict):
        super().__init__()
        self.old, self.fresh = old, fresh

    def __contains__(self, slot) -> bool:
        return slot in self.fresh or slot in self.old

    def __getitem__(self, slot):
        self.fresh[slot] = self.fresh.get(slot) or self.old[slot]
        return self.fresh[slot]

    def __setitem__(self, slot, value) -> None:
        self.fresh[slot] = value
