"""Load the book's tables: validated against data/datapackage.json, returned typed.

Every page reads its data through :func:`load_table`. The CSV is checked against the
Frictionless Table Schema in ``data/datapackage.json`` (header, types, constraints,
primary and foreign keys) before anything is drawn, and any problem stops the caller
with a :class:`DataError` that names the file, the row, the column, the value and what
was expected. Nothing is coerced silently: no half-read table, no silent NaN.

The validator implements the parts of Table Schema the package uses; the test suite
also runs ``frictionless validate data/datapackage.json`` so both readings agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .provenance import quote_problems

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PACKAGE_FILE = "datapackage.json"
#: Set by the build to a file path: every table a notebook loads is appended to it, so
#: the build knows which data files each notebook depends on (see techreport.build).
READS_ENV = "TECHREPORT_READS"
MAX_PROBLEMS = 20


class DataError(ValueError):
    """A data file does not match its schema. The message says where and what."""


def package(data_dir: Path | str | None = None) -> dict:
    """The parsed datapackage.json (cached per directory)."""
    return _package(Path(data_dir or DATA_DIR).resolve())


@lru_cache(maxsize=None)
def _package(data_dir: Path) -> dict:
    path = data_dir / PACKAGE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{path}: not found; the data package descriptor is required") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def resource(name: str, data_dir: Path | str | None = None) -> dict:
    """The datapackage resource called ``name``."""
    resources = {r["name"]: r for r in package(data_dir)["resources"]}
    if name not in resources:
        raise DataError(f"no table named {name!r} in {PACKAGE_FILE}; known tables: {', '.join(sorted(resources))}")
    return resources[name]


def table_names(data_dir: Path | str | None = None) -> list[str]:
    """Names of every tabular resource, in package order."""
    return [r["name"] for r in package(data_dir)["resources"] if r.get("profile") == "tabular-data-resource"]


def load_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read table ``name``, validate it against its schema and return a typed DataFrame.

    Column dtypes follow the schema: string -> ``string``, integer -> ``Int64``,
    number -> ``Float64``, date -> ``datetime64``, yearmonth -> ``period[M]``,
    boolean -> ``boolean``. Raises :class:`DataError` listing every problem found.
    """
    data_dir = Path(data_dir or DATA_DIR).resolve()
    frame = _load(name, data_dir).copy()
    record_read(name, data_dir)
    return frame


def record_read(name: str, data_dir: Path | str | None = None) -> None:
    """Note that resource ``name`` was read, for the build's dependency tracking."""
    reads = os.environ.get(READS_ENV)
    if reads:
        with open(reads, "a", encoding="utf-8") as fh:
            fh.write(f"{resource(name, data_dir)['path']}\n")


# The cache is keyed on the file's size and mtime, so an edited file is re-read.
def _load(name: str, data_dir: Path) -> pd.DataFrame:
    res = resource(name, data_dir)
    path = data_dir / res["path"]
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(f"{_rel(path)}: file not found (table {name!r} in {PACKAGE_FILE})") from None
    return _load_cached(name, data_dir, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=64)
def _load_cached(name: str, data_dir: Path, _size: int, _mtime: int) -> pd.DataFrame:
    res = resource(name, data_dir)
    path = data_dir / res["path"]
    schema = res["schema"]
    fields = schema["fields"]
    rows = _read_rows(path, [f["name"] for f in fields])
    problems: list[str] = []
    columns: dict[str, list] = {f["name"]: [] for f in fields}
    for line, row in rows:
        for field in fields:
            value, problem = _cast(field, row[field["name"]], schema.get("missingValues", [""]))
            if problem:
                problems.append(_where(path, line, field["name"], row[field["name"]]) + problem)
            columns[field["name"]].append(value)
    lines = [line for line, _ in rows]
    problems += _unique_problems(path, schema, columns, lines)
    problems += _foreign_key_problems(path, name, schema, columns, lines, data_dir)
    problems += quote_problems(lambda line, col, value: _where(path, line, col, value), fields, lines, columns, data_dir)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise DataError(
            f"{_rel(path)} does not match its schema in {PACKAGE_FILE} "
            f"({len(problems)} problem{'s' if len(problems) > 1 else ''}):\n  - "
            + "\n  - ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )
    return pd.DataFrame({f["name"]: _typed(f, columns[f["name"]]) for f in fields})


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)


def _where(path: Path, line: int, column: str, value: str) -> str:
    return f"{_rel(path)}, row {line}, column {column!r}, value {value!r}: "


def _read_rows(path: Path, expected: list[str]) -> list[tuple[int, dict[str, str]]]:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{_rel(path)}: the file is empty; expected a header row: {','.join(expected)}")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is accepted and dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{_rel(path)}, row {line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 (a file from Excel or WPS is often GBK: re-save as 'CSV UTF-8')"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))  # CRLF and LF line endings both read
    header = next(reader)
    missing = [c for c in expected if c not in header]
    unknown = [c for c in header if c not in expected]
    if missing or unknown or len(set(header)) != len(header):
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
        if len(set(header)) != len(header):
            parts.append("a column name appears twice")
        raise DataError(f"{_rel(path)}, row 1 (header): {'; '.join(parts)}; expected the columns: {','.join(expected)}")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DataError(
                f"{_rel(path)}, row {number}: {len(cells)} cells where the header has {len(header)} "
                "(a comma inside a value needs the value in double quotes)"
            )
        rows.append((number, dict(zip(header, cells))))
    return rows


_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YEARMONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TRUE, _FALSE = {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}


def _cast(field: dict, text: str, missing: list[str]):
    """(value, problem) for one cell; problem is None when the cell is valid."""
    cons = field.get("constraints", {})
    if text in missing:
        return None, ("a value is required here" if cons.get("required") else None)
    kind = field.get("type", "string")
    if kind == "string":
        value = text
    elif kind == "integer":
        if not _INT.match(text):
            return None, "expected a whole number (integer)"
        value = int(text)
    elif kind == "number":
        if not _NUM.match(text):
            return None, "expected a number such as 15.5 (no units, no thousands separators)"
        value = float(text)
    elif kind == "date":
        try:
            value = dt.date.fromisoformat(text)
            if len(text) != 10:
                raise ValueError
        except ValueError:
            return None, "expected a real calendar date written YYYY-MM-DD"
    elif kind == "yearmonth":
        m = _YEARMONTH.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            return None, "expected a year and month written YYYY-MM"
        value = text
    elif kind == "boolean":
        if text not in _TRUE | _FALSE:
            return None, "expected true or false"
        value = text in _TRUE
    else:
        raise DataError(f"field {field['name']!r}: type {kind!r} is not supported by the loader")
    if "enum" in cons and value not in cons["enum"]:
        return None, f"expected one of: {', '.join(map(str, cons['enum']))}"
    if "minimum" in cons and value < cons["minimum"]:
        return None, f"expected at least {cons['minimum']}"
    if "maximum" in cons and value > cons["maximum"]:
        return None, f"expected at most {cons['maximum']}"
    if "pattern" in cons and not re.fullmatch(cons["pattern"], text):
        return None, f"expected text matching the pattern {cons['pattern']}"
    return value, None


def _keys(columns: dict[str, list], names: list[str]) -> list[tuple]:
    return list(zip(*(columns[n] for n in names)))


def _unique_problems(path, schema, columns, lines) -> list[str]:
    problems = []
    key_sets = [schema.get("primaryKey", [])] + [
        [f["name"]] for f in schema["fields"] if f.get("constraints", {}).get("unique")
    ]
    for names in filter(None, key_sets):
        seen: dict[tuple, int] = {}
        for line, key in zip(lines, _keys(columns, names)):
            if None in key:
                continue
            if key in seen:
                shown = ", ".join(map(str, key))
                problems.append(
                    f"{_rel(path)}, row {line}, column {'+'.join(map(repr, names))}, value {shown!r}: "
                    f"duplicate key, already used in row {seen[key]}; expected each key once"
                )
            else:
                seen[key] = line
    return problems


def _foreign_key_problems(path, name, schema, columns, lines, data_dir) -> list[str]:
    problems = []
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        target = ref["resource"] or name
        if target == name:
            allowed = set(_keys(columns, ref["fields"]))
        else:
            other = _load(target, data_dir)
            allowed = set(other[ref["fields"]].astype(object).itertuples(index=False, name=None))
        for line, key in zip(lines, _keys(columns, fk["fields"])):
            if None in key or key in allowed:
                continue
            shown = ", ".join(map(str, key))
            problems.append(
                f"{_rel(path)}, row {line}, column {'+'.join(map(repr, fk['fields']))}, value {shown!r}: "
                f"not found in table {target!r} (column {'+'.join(ref['fields'])}); expected an existing key"
            )
    return problems


_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _typed(field: dict, values: list) -> pd.Series:
    kind = field.get("type", "string")
    if kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), name=field["name"])
    if kind == "yearmonth":
        return pd.Series(pd.PeriodIndex([v if v else None for v in values], freq="M"), name=field["name"])
    return pd.Series(values, dtype=_DTYPES[kind], name=field["name"])
