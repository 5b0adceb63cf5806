"""Coverage of the report, by character, of what the book shows.

Every character of sections 2.1-2.3 (punctuation and spaces aside) is either shown on a page,
in a figure's 报告原文 block, a table's 报告原文 cell (the record of :mod:`techreport.shown`) or
as a page's or section's heading, or listed in ``data/source_omissions.csv`` with a reason, and
never both (原文对照 would call a passage left out that a page shows). A run of characters that
is neither is a gap: the build fails on it, and on a passage that is both
(``bookbuild/sphinx/concordance.py``), and ``python -m techreport.provenance coverage`` prints
the share and every gap, reading the records from the notebooks' stored outputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .data import load_table
from .shown import OMISSIONS, Resolver, from_notebook
from .source import BODY, DATA_DIR, MARKERS, PUNCTUATION, lines, resolve, source, words

BOOK_DIR = DATA_DIR.parent / "book"
#: A heading line of the report may open with its section number: "2.1 深入实施…".
_NUMBER = re.compile(r"^\d+(\.\d+)*\s+")


@dataclass(frozen=True)
class Gap:
    """A passage of the report neither shown nor listed as omitted."""

    section: str
    start: int
    end: int
    text: str


@dataclass
class Coverage:
    total: int  # characters of 2.1-2.3 that carry words
    shown: int
    omitted: int
    gaps: list[Gap]
    both: list[str]  # passages listed as omitted that a page shows all the same

    @property
    def share(self) -> float:
        return (self.shown + self.omitted) / self.total


def heading_lines(titles, data_dir: Path | str | None = None) -> list[tuple[int, int]]:
    """The lines of the report that a page or section title shows whole (its number aside)."""
    wanted = {words(t) for t in titles if words(t)}
    src = source(data_dir)
    out = []
    for _, a, b in lines(data_dir=data_dir):
        if words(_NUMBER.sub("", src.text[a:b])) in wanted:
            while src.text[a] in MARKERS or src.text[a].isspace():  # the heading's mark (▶) is not its words
                a += 1
            out.append((a, b))
    return out


def omitted_spans(data_dir: Path | str | None = None) -> list[tuple[tuple[int, int], str]]:
    """((start, end), reason) of every passage listed in ``source_omissions.csv``."""
    rows = load_table(OMISSIONS, data_dir)
    return [
        (
            resolve(r["source_quote"], r["source_context"] if isinstance(r["source_context"], str) else None, data_dir),
            r["reason_zh"],
        )
        for _, r in rows.iterrows()
    ]


def measure(passages, titles, data_dir: Path | str | None = None, resolver: Resolver | None = None) -> Coverage:
    """Coverage of 2.1-2.3 by ``passages`` (shown words), ``titles`` (shown headings) and the omissions."""
    resolver = resolver or Resolver(data_dir)
    text = source(data_dir).text
    mark = {}  # character index -> "shown" | "omitted"
    omissions = omitted_spans(data_dir)
    for (a, b), _ in omissions:
        mark.update(dict.fromkeys(range(a, b), "omitted"))
    shown = [span for p in passages for span in resolver.spans(p)] + heading_lines(titles, data_dir)
    for a, b in shown:
        mark.update(dict.fromkeys(range(a, b), "shown"))
    both = [
        " ".join(text[a:b].split())
        for (a, b), _ in omissions
        if any(words(text[max(a, c) : min(b, d)]) for c, d in shown)
    ]
    total = counted = omitted = 0
    gaps: list[Gap] = []
    src = source(data_dir)
    for section in BODY:
        start, end = src.sections[section]
        run = None
        for i in range(start, end + 1):
            ch = text[i] if i < end else "\n"
            blank = ch.isspace() or ch in PUNCTUATION
            state = mark.get(i)
            if not blank and i < end:
                total += 1
                counted += state == "shown"
                omitted += state == "omitted"
            if state is None and not blank and i < end:
                run = i if run is None else run
            elif run is not None and (state is not None or ch == "\n" or i == end):
                stop = i
                while text[stop - 1].isspace() or text[stop - 1] in PUNCTUATION:
                    stop -= 1
                gaps.append(Gap(section, run, stop, " ".join(text[run:stop].split())))
                run = None
    return Coverage(total, counted, omitted, [g for g in gaps if words(g.text)], both)


def book_records(book_dir: Path | str | None = None) -> tuple[list[str], list[str]]:
    """(passages, titles) shown by the book's notebooks, from their stored outputs and headings."""
    passages, titles = [], []
    for path in sorted(Path(book_dir or BOOK_DIR).rglob("*.ipynb")):
        for found in from_notebook(path).values():
            passages += found
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                titles += [m.group(1) for m in re.finditer(r"^#+\s+(.+)$", "".join(cell["source"]), re.M)]
    for path in sorted(Path(book_dir or BOOK_DIR).rglob("*.md")):
        titles += [m.group(1) for m in re.finditer(r"^#+\s+(.+)$", path.read_text(encoding="utf-8"), re.M)]
    return passages, titles


def main() -> int:
    found = measure(*book_records())
    for gap in found.gaps:
        print(f"GAP {gap.section}: {gap.text}")
    for passage in found.both:
        print(f"OMITTED BUT SHOWN: {passage}")
    print(
        f"characters of 2.1-2.3 (punctuation aside): {found.total}; shown {found.shown} "
        f"({found.shown / found.total:.1%}); omitted with a reason {found.omitted}; "
        f"accounted for {found.share:.1%}; gaps {len(found.gaps)}"
    )
    return 1 if found.gaps or found.both else 0
