"""Load the book's tables: validated against data/datapackage.json, returned typed.

Every page reads its data through :func:`load_table`. The CSV is checked against the
Frictionless Table Schema in ``data/datapackage.json`` (header, types, constraints,
primary and foreign keys) before anything is drawn, and any problem stops the caller
with a :class:`DataError` that names the file, the row, the column, the value and what
was expected. Nothing is coerced silently: no half-read table, no silent NaN.

Like frictionless' own errors, a :class:`DataError` is structured: ``error.problems`` is a
list of :class:`Problem` (file, row, column, value, expected), and the message a person
reads is built from them. Every check of a table is one function in :data:`CHECKS`.

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
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .source import SOURCE_FILE, SourceError, locate, normalise, resolve

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PACKAGE_FILE = "datapackage.json"
#: Set by the build to a file path: every table a notebook loads is appended to it (the rows
#: it selected too), so the build knows which data each notebook depends on (see bookbuild.keys).
READS_ENV = "TECHREPORT_READS"
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file: where (file, row, column, value) and what was expected.

    ``row`` is the line in the file (1 = the header), None for the whole file; ``column`` is
    a column name (several joined with ``+`` for a composite key); ``problem`` says what is
    wrong when ``expected`` alone does not; ``hint`` says how to fix it.
    """

    file: str
    expected: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    problem: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}" + (" (header)" if self.row == 1 and self.column is None else "")
        if self.column is not None:
            where += f", column {self.column!r}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return f"{where}: " + "; ".join(filter(None, [self.problem, f"expected {self.expected}", self.hint]))


class DataError(ValueError):
    """Data that does not match its schema: ``problems`` says where and what, the message too.

    Raised with a list of :class:`Problem` (or, for errors outside a table, a plain message).
    """

    def __init__(self, problems: list[Problem] | Problem | str, heading: str | None = None):
        self.problems: list[Problem] = (
            [problems] if isinstance(problems, Problem) else ([] if isinstance(problems, str) else list(problems))
        )
        if isinstance(problems, str):
            message = problems
        elif heading is None and len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            shown = self.problems[:MAX_PROBLEMS]
            more = len(self.problems) - len(shown)
            message = (
                f"{heading} ({len(self.problems)} problem{'s' if len(self.problems) > 1 else ''}):\n  - "
                + "\n  - ".join(map(str, shown))
                + (f"\n  ... and {more} more" if more else "")
            )
        super().__init__(message)


def package(data_dir: Path | str | None = None) -> dict:
    """The parsed datapackage.json (cached per directory, read again when the file changes: a
    table added while a notebook's kernel runs is known on the next call)."""
    path = Path(data_dir or DATA_DIR).resolve() / PACKAGE_FILE
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(Problem(_rel(path), "the data package descriptor", problem="not found")) from None
    return _package(path, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=16)
def _package(path: Path, _size: int, _mtime: int) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(
            Problem(_rel(path), "valid JSON", row=exc.lineno, problem=f"not valid JSON (column {exc.colno}: {exc.msg})")
        ) from None


#: Where a newcomer reads how to add a table (named in the messages below).
ADD_A_TABLE = "CONTRIBUTING.md, 'Add a table'"


def resource(name: str, data_dir: Path | str | None = None) -> dict:
    """The datapackage resource called ``name``."""
    data_dir = Path(data_dir or DATA_DIR).resolve()
    resources = {r["name"]: r for r in package(data_dir)["resources"]}
    if name not in resources:
        csv_file = data_dir / f"{name}.csv"
        if csv_file.exists():
            hint = (
                f"{_rel(csv_file)} is there but not described: run `.venv/bin/frictionless describe "
                f"{_rel(csv_file)} --json`, add its output to the resources of {_rel(data_dir / PACKAGE_FILE)} "
                f"and complete it ({ADD_A_TABLE})"
            )
        else:
            hint = (
                f"check the spelling; a new table is a CSV in data/ plus its entry in "
                f"{_rel(data_dir / PACKAGE_FILE)} ({ADD_A_TABLE})"
            )
        raise DataError(
            Problem(
                _rel(data_dir / PACKAGE_FILE),
                f"one of the known tables: {', '.join(sorted(resources))}",
                problem=f"no table named {name!r}",
                hint=hint,
            )
        )
    return resources[name]


def is_table(res: dict) -> bool:
    """A tabular resource, as Data Package v1 marks it (``"profile": "tabular-data-resource"``) or
    as v2 does (``"type": "table"``, what ``frictionless describe`` writes): both are read alike."""
    return res.get("profile") == "tabular-data-resource" or res.get("type") == "table"


def table_names(data_dir: Path | str | None = None) -> list[str]:
    """Names of every tabular resource, in package order.

    A resource with a schema or a CSV file that is marked as neither kind of table is refused
    (:class:`DataError`) rather than passed over: it would be neither validated nor checked.
    """
    data_dir = Path(data_dir or DATA_DIR).resolve()
    resources = package(data_dir)["resources"]
    unmarked = [r for r in resources if not is_table(r) and ("schema" in r or str(r.get("path", "")).endswith(".csv"))]
    if unmarked:
        raise DataError(
            [
                Problem(
                    _rel(data_dir / PACKAGE_FILE),
                    '"type": "table" in the resource (as `frictionless describe` writes it), or "profile": "tabular-data-resource"',
                    problem=f"resource {r.get('name')!r} ({r.get('path')}) is not marked as a table, so nothing would check it",
                )
                for r in unmarked
            ]
        )
    return [r["name"] for r in resources if is_table(r)]


#: What every resource of the package says for a reader; every field of a table too (GUIDE: Data).
RESOURCE_DOCS = {
    "title": "a short Chinese title",
    "description": "what a row is and where its facts come from",
    "sources": 'the section of the report, e.g. [{"title": "《2020上海科技进步报告》第2章 … 2.1"}]',
}
FIELD_DOCS = {
    "type": "its Table Schema type (string, integer, number, date, yearmonth, boolean)",
    "title": "a short Chinese title",
    "description": "what the column holds (codes: each code and its meaning)",
}


def documentation_problems(res: dict, data_dir: Path | str | None = None) -> list[Problem]:
    """What resource ``res`` of datapackage.json lacks for a reader: its title, description and
    sources; each field's type, title and description; a table's primary key. Empty when complete."""
    file = _rel(Path(data_dir or DATA_DIR).resolve() / PACKAGE_FILE)
    where = f"resource {res.get('name')!r}"
    problems = [
        Problem(file, f"{key!r}: {what}", problem=f"{where} has no {key!r}", hint=f"add it ({ADD_A_TABLE})")
        for key, what in RESOURCE_DOCS.items()
        if not res.get(key)
    ]
    if not is_table(res):
        return problems
    schema = res.get("schema", {})
    for field in schema.get("fields", []):
        problems += [
            Problem(
                file,
                f"{key!r}: {what}",
                column=field.get("name"),
                problem=f"{where}, field {field.get('name')!r} has no {key!r}",
                hint=f"add it ({ADD_A_TABLE})",
            )
            for key, what in FIELD_DOCS.items()
            if not field.get(key)
        ]
    if not schema.get("primaryKey"):
        problems.append(
            Problem(
                file,
                '"primaryKey": the column(s) that name a row, e.g. ["id"]',
                problem=f"{where} has no schema.primaryKey",
                hint=f"add it ({ADD_A_TABLE})",
            )
        )
    return problems


def load_table(name: str, data_dir: Path | str | None = None, **where: str | list[str]) -> pd.DataFrame:
    """Read table ``name``, validate it against its schema and return a typed DataFrame.

    Column dtypes follow the schema: string -> ``string``, integer -> ``Int64``,
    number -> ``Float64``, date -> ``datetime64``, yearmonth -> ``period[M]``,
    boolean -> ``boolean``. Raises :class:`DataError` listing every problem found.

    ``where``: only the rows whose cells match, by string column, for example
    ``load_table("indicators", topic="biomed")`` or ``section=["2.1", "2.2"]``. The whole
    table is still validated (keys, foreign keys); the build records the rows read, so an
    edit of another row does not re-run the page (see :data:`READS_ENV`).
    """
    data_dir = Path(data_dir or DATA_DIR).resolve()
    frame = _load(name, data_dir).copy()
    if where:
        where = _where(name, data_dir, where)
        for column, values in where.items():
            frame = frame[frame[column].isin(values).fillna(False).astype(bool)]
        frame = frame.reset_index(drop=True)
    record_read(name, data_dir, where or None)
    return frame


def _where(name: str, data_dir: Path, where: dict) -> dict[str, list[str]]:
    """``where`` as lists of strings, each column a string field of the table (else a DataError)."""
    fields = {f["name"]: f.get("type", "string") for f in resource(name, data_dir)["schema"]["fields"]}
    out = {}
    for column, values in where.items():
        values = [values] if isinstance(values, str) else list(values)
        if fields.get(column) != "string" or not all(isinstance(v, str) for v in values):
            raise DataError(
                Problem(
                    PACKAGE_FILE,
                    f"a string column of table {name!r} and text values: "
                    + ", ".join(c for c, t in fields.items() if t == "string"),
                    column=column,
                    value=repr(values),
                    problem="load_table can select rows by string columns only",
                )
            )
        out[column] = values
    return out


def record_read(name: str, data_dir: Path | str | None = None, where: dict[str, list[str]] | None = None) -> None:
    """Note that resource ``name`` was read (``where``: only the rows whose cells match), for the build's
    dependency tracking: one line a read, the file's path under data/, or a JSON object
    ``{"file": ..., "where": {column: [values]}}`` for some rows (see bookbuild.keys)."""
    reads = os.environ.get(READS_ENV)
    if reads:
        path = resource(name, data_dir)["path"]
        line = json.dumps({"file": path, "where": where}, ensure_ascii=False) if where else path
        with open(reads, "a", encoding="utf-8") as fh:
            fh.write(f"{line}\n")


# The cache is keyed on the sizes and mtimes of the file and of datapackage.json: an edit to either is read.
def _load(name: str, data_dir: Path) -> pd.DataFrame:
    res = resource(name, data_dir)
    path = data_dir / res["path"]
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(
            Problem(_rel(path), f"the file of table {name!r} in {PACKAGE_FILE}", problem="file not found")
        ) from None
    schema = (data_dir / PACKAGE_FILE).stat()  # a changed schema reads the table again too
    return _load_cached(name, data_dir, (st.st_size, st.st_mtime_ns, schema.st_size, schema.st_mtime_ns))


@dataclass
class Table:
    """A table as read, before typing: what every check in :data:`CHECKS` looks at."""

    name: str
    path: Path
    schema: dict
    data_dir: Path
    rows: list[tuple[int, dict[str, str]]]  # (line in the file, raw cells by column)
    columns: dict[str, list]  # cast values by column (None where a cell is missing or bad)

    @property
    def file(self) -> str:
        return _rel(self.path)

    @property
    def lines(self) -> list[int]:
        return [line for line, _ in self.rows]


@lru_cache(maxsize=64)
def _load_cached(name: str, data_dir: Path, _stamp: tuple[int, int, int, int]) -> pd.DataFrame:
    res = resource(name, data_dir)
    path = data_dir / res["path"]
    schema = res["schema"]
    fields = schema["fields"]
    rows = _read_rows(path, [f["name"] for f in fields])
    table = Table(name, path, schema, data_dir, rows, {f["name"]: [] for f in fields})
    problems = [problem for check in CHECKS for problem in check(table)]
    if problems:
        raise DataError(problems, heading=f"{table.file} does not match its schema in {PACKAGE_FILE}")
    return pd.DataFrame({f["name"]: _typed(f, table.columns[f["name"]]) for f in fields})


def _cell_problems(table: Table) -> Iterator[Problem]:
    """Every cell against its field's type and constraints; fills ``table.columns``."""
    missing = table.schema.get("missingValues", [""])
    for line, row in table.rows:
        for field in table.schema["fields"]:
            text = row[field["name"]]
            value, problem = _cast(field, text, missing)
            if problem:
                yield Problem(table.file, row=line, column=field["name"], value=text, **problem)
            table.columns[field["name"]].append(value)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(DATA_DIR.parent))
    except ValueError:
        return str(path)


def _read_rows(path: Path, expected: list[str]) -> list[tuple[int, dict[str, str]]]:
    raw = path.read_bytes()
    file = _rel(path)
    if not raw.strip():
        raise DataError(Problem(file, f"a header row: {','.join(expected)}", problem="the file is empty"))
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is accepted and dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            Problem(
                file,
                "UTF-8 text",
                row=line,
                problem=f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                hint="save it as UTF-8 (a file from Excel or WPS is often GBK: re-save as 'CSV UTF-8')",
            )
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
        raise DataError(Problem(file, f"the columns: {','.join(expected)}", row=1, problem="; ".join(parts)))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DataError(
                Problem(
                    file,
                    f"{len(header)} cells, as in the header",
                    row=number,
                    problem=f"{len(cells)} cells",
                    hint="a comma inside a value needs the value in double quotes",
                )
            )
        rows.append((number, dict(zip(header, cells))))
    return rows


# ASCII digits only: Table Schema's number and integer are ASCII, and Python's \\d would let
# full-width digits (１７７, from a Chinese input method) through.
_INT = re.compile(r"^[+-]?\d+$", re.ASCII)
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
_YEARMONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_TRUE, _FALSE = {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}


def _half_width_hint(text: str) -> str | None:
    """A hint when the text holds full-width characters (１７７, ２０２０－０５): their half-width form."""
    half = unicodedata.normalize("NFKC", text)
    if half != text and half.isascii():
        return f"use half-width (半角) digits and signs: {half!r}"
    return None


def _cast(field: dict, text: str, missing: list[str]) -> tuple[object, dict | None]:
    """(value, problem) for one cell; problem holds the Problem's ``expected`` (and ``hint``), None when valid."""
    cons = field.get("constraints", {})
    if text in missing:
        return None, ({"expected": "a value (the column is required)"} if cons.get("required") else None)
    kind = field.get("type", "string")
    if kind == "string":
        value = text
    elif kind == "integer":
        if not _INT.match(text):
            return None, {"expected": "a whole number (integer)", "hint": _half_width_hint(text)}
        value = int(text)
    elif kind == "number":
        if not _NUM.match(text):
            return None, {
                "expected": "a number such as 15.5 (no units, no thousands separators)",
                "hint": _half_width_hint(text),
            }
        value = float(text)
    elif kind == "date":
        try:
            if not text.isascii() or len(text) != 10:
                raise ValueError
            value = dt.date.fromisoformat(text)
        except ValueError:
            return None, {"expected": "a real calendar date written YYYY-MM-DD", "hint": _half_width_hint(text)}
    elif kind == "yearmonth":
        m = _YEARMONTH.match(text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            return None, {"expected": "a year and month written YYYY-MM", "hint": _half_width_hint(text)}
        value = text
    elif kind == "boolean":
        if text not in _TRUE | _FALSE:
            return None, {"expected": "true or false"}
        value = text in _TRUE
    else:
        raise DataError(
            Problem(
                PACKAGE_FILE,
                "a type the loader supports",
                column=field["name"],
                value=kind,
                problem="unsupported field type",
            )
        )
    if "enum" in cons and value not in cons["enum"]:
        return None, {"expected": f"one of: {', '.join(map(str, cons['enum']))}"}
    if "minimum" in cons and value < cons["minimum"]:
        return None, {"expected": f"at least {cons['minimum']}"}
    if "maximum" in cons and value > cons["maximum"]:
        return None, {"expected": f"at most {cons['maximum']}"}
    if "pattern" in cons and not re.fullmatch(cons["pattern"], text):
        return None, {"expected": f"text matching the pattern {cons['pattern']}"}
    return value, None


def _keys(columns: dict[str, list], names: list[str]) -> list[tuple]:
    return list(zip(*(columns[n] for n in names)))


def _unique_problems(table: Table) -> Iterator[Problem]:
    """Primary key and unique columns: each key once."""
    schema = table.schema
    key_sets = [schema.get("primaryKey", [])] + [
        [f["name"]] for f in schema["fields"] if f.get("constraints", {}).get("unique")
    ]
    for names in dict.fromkeys(tuple(n) for n in key_sets if n):  # a unique primary key column is checked once
        seen: dict[tuple, int] = {}
        for line, key in zip(table.lines, _keys(table.columns, names)):
            if None in key:
                continue
            if key in seen:
                yield Problem(
                    table.file,
                    "each key once",
                    row=line,
                    column="+".join(names),
                    value=", ".join(map(str, key)),
                    problem=f"duplicate key, already used in row {seen[key]}",
                )
            else:
                seen[key] = line


def _foreign_key_problems(table: Table) -> Iterator[Problem]:
    """Foreign keys: every key exists in the table it refers to."""
    for fk in table.schema.get("foreignKeys", []):
        ref = fk["reference"]
        target = ref["resource"] or table.name
        if target == table.name:
            allowed = set(_keys(table.columns, ref["fields"]))
        else:
            other = _load(target, table.data_dir)
            allowed = set(other[ref["fields"]].astype(object).itertuples(index=False, name=None))
        for line, key in zip(table.lines, _keys(table.columns, fk["fields"])):
            if None in key or key in allowed:
                continue
            yield Problem(
                table.file,
                "an existing key",
                row=line,
                column="+".join(fk["fields"]),
                value=", ".join(map(str, key)),
                problem=f"not found in table {target!r} (column {'+'.join(ref['fields'])})",
            )


#: A column holding the report's words ends in this suffix (``source_quote``, ``kind_quote``...);
#: ``<prefix>_context`` beside ``<prefix>_quote``, where present, pins a quote that occurs more than once.
QUOTE_SUFFIX = "_quote"
CONTEXT_SUFFIX = "_context"


def quote_fields(fields: list[dict]) -> list[str]:
    """The names of the fields that hold the report's words."""
    return [f["name"] for f in fields if f["name"].endswith(QUOTE_SUFFIX)]


def classifying_fields(fields: list[dict]) -> list[str]:
    """Quote fields marked ``"occurrences": "all"``: their words stand for every place they occur in the
    report (a classification of the report's words, such as data/numerals.csv), not for one fact in one place."""
    return [f["name"] for f in fields if f["name"].endswith(QUOTE_SUFFIX) and f.get("occurrences") == "all"]


def context_field(column: str) -> str:
    """The column that pins quote column ``column`` to one place: ``source_quote`` -> ``source_context``."""
    return column.removesuffix(QUOTE_SUFFIX) + CONTEXT_SUFFIX


def _quote_problems(table: Table) -> Iterator[Problem]:
    """Every ``*_quote`` cell is a verbatim span of the report that stands in one place (:mod:`techreport.source`)."""
    everywhere = set(classifying_fields(table.schema["fields"]))
    for column in quote_fields(table.schema["fields"]):
        contexts = table.columns.get(context_field(column), [None] * len(table.lines))
        for line, value, context in zip(table.lines, table.columns[column], contexts):
            if not value:
                continue
            try:
                if column in everywhere:  # words classified wherever they stand: they need only be there
                    if not locate(value, table.data_dir):
                        raise SourceError("these words are not in the report")
                    continue
                resolve(value, context, table.data_dir)
            except SourceError as exc:
                placed = bool(context) and "context" in str(exc)
                yield Problem(
                    table.file,
                    row=line,
                    column=context_field(column) if placed else column,
                    value=context if placed else value,
                    problem=f"{exc} (data/{SOURCE_FILE})",
                    expected="a verbatim span of it that stands in one place "
                    "(whitespace and the width of commas, colons and brackets aside)",
                )


#: A value's qualifier as the report writes it: the words just before the number, or just after.
QUALIFIER_WORDS = {
    "exact": ((), ()),
    "more_than": (("超过", "超", ">"), ()),
    "nearly": (("近",), ()),
    "odd": ((), ("余",)),
    "ordinal": (("第",), ()),
}
_ALL_BEFORE = {w for before, _ in QUALIFIER_WORDS.values() for w in before}
_ALL_AFTER = {w for _, after in QUALIFIER_WORDS.values() for w in after}
_CHINESE = {1: "一", 2: "二两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十", 100: "百"}


def number_forms(value: float, decimals: int) -> list[str]:
    """The ways the report writes a number: ``15.5``, ``3``; a small whole number or 100 also in Chinese."""
    forms = [f"{value:.{int(decimals)}f}"]
    if float(value).is_integer():
        forms += list(_CHINESE.get(int(value), ""))
    return forms


def value_in_quote(value: float, decimals: int, qualifier: str, quote: str) -> bool:
    """True when ``quote`` states ``value`` with ``qualifier`` (超过2000 for more_than 2000, 近百 for nearly 100)."""
    text = normalise(quote)
    before, after = QUALIFIER_WORDS[qualifier]
    for form in number_forms(value, decimals):
        for m in re.finditer(re.escape(form), text):
            a, b = m.start(), m.end()
            if form.isascii() and (
                text[a - 1 : a].isdigit() or text[b : b + 1].isdigit() or text[b : b + 2][:1] == "."
            ):
                continue  # a part of a longer number: 3 in 23000
            ahead = {w for w in _ALL_BEFORE if text[:a].endswith(w)}
            behind = {w for w in _ALL_AFTER if text[b:].startswith(w)}
            if qualifier == "exact":
                if not ahead and not behind:
                    return True
            elif ahead & set(before) or behind & set(after):
                return True
    return False


#: Set to ``warn`` to turn a value that disagrees with its quote into a warning: for an analyst who
#: tries other values in Jupyter, and for the test that doubles every count to stress the charts.
#: The build never sets it, so ``make book`` stops on such a value.
VALUES_ENV = "TECHREPORT_VALUES"


def _value_problems(table: Table) -> Iterator[Problem]:
    """A table of figures (``value``, ``qualifier``): each value, with its qualifier, is what its quote says."""
    names = {f["name"] for f in table.schema["fields"]}
    if not {"value", "qualifier", "source_quote"} <= names:
        return
    if os.environ.get(VALUES_ENV) == "warn":
        for problem in _value_disagreements(table):
            warnings.warn(str(problem), stacklevel=2)
        return
    yield from _value_disagreements(table)


def _value_disagreements(table: Table) -> Iterator[Problem]:
    decimals = table.columns.get("decimals", [0] * len(table.lines))
    for line, value, places, qualifier, quote in zip(
        table.lines, table.columns["value"], decimals, table.columns["qualifier"], table.columns["source_quote"]
    ):
        if None in (value, qualifier, quote) or value_in_quote(value, places or 0, qualifier, quote):
            continue
        shown = number_forms(value, places or 0)[0]
        words = "".join(QUALIFIER_WORDS[qualifier][0][:1]) + shown + "".join(QUALIFIER_WORDS[qualifier][1][:1])
        yield Problem(
            table.file,
            row=line,
            column="value+qualifier",
            value=f"{shown} ({qualifier})",
            problem=f"the quote {quote!r} does not state it",
            expected=f"the quote to say {words!r} (the number as the report writes it, with its qualifier)",
        )


#: Every check of a table, in order; each yields :class:`Problem`s. The cell check runs first:
#: it fills ``Table.columns``, which the key and quote checks read. Add a check here.
CHECKS: list[Callable[[Table], Iterator[Problem]]] = [
    _cell_problems,
    _unique_problems,
    _foreign_key_problems,
    _quote_problems,
    _value_problems,
]


_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _typed(field: dict, values: list) -> pd.Series:
    kind = field.get("type", "string")
    if kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), name=field["name"])
    if kind == "yearmonth":
        return pd.Series(pd.PeriodIndex([v if v else None for v in values], freq="M"), name=field["name"])
    return pd.Series(values, dtype=_DTYPES[kind], name=field["name"])
