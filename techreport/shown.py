"""The record of what each figure, table and statement shows of the report.

:func:`techreport.present.show_table` and :func:`~techreport.present.show_figure` put the report's
words they display (a table's 报告原文 cells, a figure's 报告原文 block) into their output as a
``report-shown`` directive: the block's label, then one line per passage, exactly as shown.
Sphinx collects these per page and label (``bookbuild/sphinx/concordance.py``), and 原文对照, the
coverage of the report and the PDF's page references all read that one record; nothing keeps a
list of pages or topics by hand.

Where a passage stands in the report is resolved here, once: words that occur once stand there;
words that occur more than once stand where the data rows quoting them are pinned
(``source_context``, see :func:`techreport.source.resolve`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .data import DATA_DIR, classifying_fields, context_field, load_table, quote_fields, resource, table_names
from .source import SourceError, locate, normalise, place, resolve, where

DIRECTIVE = "report-shown"
#: The MIME type of a glued value's quotes: the report's words a statement in the prose states.
MIME = "application/vnd.techreport.shown+json"
#: Tables of passages the book leaves out on purpose: they state no fact and are shown nowhere.
OMISSIONS = "source_omissions"
_BLOCK = re.compile(r"^(`{3,})\{" + DIRECTIVE + r"\} (\S+)\n(.*?)^\1$", re.M | re.S)


def statement_label(key: str) -> str:
    """The anchor of the statement in the prose that pastes glued value ``key`` (``shown-...``)."""
    return "shown-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def one_line(words: str) -> str:
    """Words as one line: the report's line breaks and runs of spaces become one space."""
    return " ".join(str(words).split())


def record(label: str, passages) -> str:
    """The ``report-shown`` block for ``label``: what the reader sees of the report there."""
    lines = [one_line(p) for p in dict.fromkeys(passages) if isinstance(p, str) and p.strip()]
    if not lines:
        return ""
    return f"````{{{DIRECTIVE}}} {label}\n" + "\n".join(lines) + "\n````\n"


def parse(markdown: str) -> dict[str, list[str]]:
    """``{label: [passages]}`` from markdown that holds ``report-shown`` blocks."""
    return {m.group(2): [line for line in m.group(3).splitlines() if line.strip()] for m in _BLOCK.finditer(markdown)}


_PASTE = re.compile(r"\{glue:text\}`([^`:]+)")
_GLUED = "application/papermill.record/" + MIME  # how myst-nb's glue() stores the MIME type


def from_notebook(path: Path) -> dict[str, list[str]]:
    """The records in a notebook's stored outputs, and the glued words its prose pastes (as Sphinx records them)."""
    found: dict[str, list[str]] = {}
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    pasted = {key for c in cells if c["cell_type"] == "markdown" for key in _PASTE.findall("".join(c["source"]))}
    for cell in cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = data.get("text/markdown", "")
            found.update(parse("".join(text) if isinstance(text, list) else text))
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if data.get(_GLUED) and key in pasted:
                found.setdefault(statement_label(key), list(data[_GLUED]))
    return found


@dataclass(frozen=True)
class Row:
    """A data row that quotes the report: its table, key, quote column and where the quote stands."""

    table: str
    line: int
    key: str
    column: str
    quote: str
    span: tuple[int, int]


def quoted_rows(data_dir: Path | str | None = None) -> list[Row]:
    """Every quote of data/ (omissions aside), each at the one place it stands in the report."""
    out = []
    for name in table_names(data_dir):
        if name == OMISSIONS:
            continue
        frame = load_table(name, data_dir)
        fields = resource(name, data_dir)["schema"]["fields"]
        cols = [c for c in quote_fields(fields) if c not in classifying_fields(fields)]  # those pin no place
        key = resource(name, data_dir)["schema"].get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        for k, row in frame.iterrows():
            for col in cols:
                if not isinstance(row[col], str):
                    continue
                context = row.get(context_field(col))
                span = resolve(row[col], context if isinstance(context, str) else None, data_dir)
                out.append(Row(name, k + 2, "/".join(str(row[c]) for c in key), col, row[col], span))
    return out


class Resolver:
    """Where shown words stand in the report, and which data rows they show."""

    def __init__(self, data_dir: Path | str | None = None):
        self.data_dir = data_dir
        self.rows: dict[str, list[Row]] = {}
        for row in quoted_rows(data_dir):
            self.rows.setdefault(normalise(row.quote), []).append(row)

    def spans(self, words: str) -> list[tuple[int, int]]:
        """The places shown ``words`` stand: their one place, or the places the rows quoting them are pinned to."""
        at = place(words, self.data_dir)
        if at:
            return [at]
        found = locate(words, self.data_dir)
        if not found:
            raise SourceError(f"the words {words!r} are shown as the report's, but they are not in it")
        needle = normalise(words)
        pinned = sorted({row.span for row in self.rows.get(needle, [])})
        if not pinned:  # a part of a pinned quote ("5月" of "- 5月"): where it stands inside that quote
            pinned = sorted(
                {
                    span
                    for quote, rows in self.rows.items()
                    if needle in quote
                    for row in rows
                    for span in found
                    if row.span[0] <= span[0] and span[1] <= row.span[1]
                }
            )
        if not pinned:
            raise SourceError(
                f"the words {words!r} occur {len(found)} times in the report ({where(found, self.data_dir)}) "
                "and no data row pins them: show longer words"
            )
        return pinned

    def shows(self, words: str) -> list[Row]:
        """The data rows whose quote is within the shown words."""
        places = self.spans(words)
        return [
            row
            for rows in self.rows.values()
            for row in rows
            if any(a <= row.span[0] and row.span[1] <= b for a, b in places)
        ]


def data_state(folder: Path | str | None = None) -> tuple:
    """Name, date and size of every file of data/ (the report's text included): any save changes it."""
    folder = Path(folder or DATA_DIR)
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()))


_CURRENT: dict[Path, tuple[tuple, Resolver]] = {}


def current_resolver(data_dir: Path | str | None = None) -> Resolver:
    """A :class:`Resolver` of data/ as it is now, built again only after one of its files changed:
    a Sphinx build asks for one per figure, for its checks and for 原文对照 (0.15 s each to build)."""
    folder = Path(data_dir or DATA_DIR).resolve()
    state = data_state(folder)
    if folder not in _CURRENT or _CURRENT[folder][0] != state:
        _CURRENT[folder] = (state, Resolver(folder))
    return _CURRENT[folder][1]
