"""The report's text, and where a quote stands in it.

The chapter's text is kept in ``data/source/chapter-2.txt`` (see ``data/source/README.md``).
This module is the one place that compares words with it:

* :func:`normalise` - the comparison form: whitespace removed, and the report's mixed
  half-/full-width commas, colons and brackets treated as equal; nothing else;
* :func:`locate` - every place the words occur;
* :func:`resolve` - the one place a quote stands: a quote that occurs more than once is pinned by a
  longer verbatim ``context`` that occurs once and holds the quote once;
* :func:`clauses`, :func:`lines` - the text of sections 2.1-2.3 cut at 。；; and line ends, or at line ends.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SOURCE_FILE = Path("source") / "chapter-2.txt"
#: The only characters folded together: the report mixes half- and full-width forms of these.
FOLD = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")"})
#: Sections of the chapter, in order, with the heading line that opens each.
SECTIONS = {"2": r"^2 ", "2.1": r"^2\.1 ", "2.2": r"^2\.2 ", "2.3": r"^2\.3 "}
#: The sections whose every character the book shows or lists as omitted (2's lead is the chapter's).
BODY = ("2.1", "2.2", "2.3")
#: Where a clause ends: the report's full stops and semicolons, and line ends (headings, list items).
CLAUSE_END = re.compile(r"[。；;\n]")
#: Characters that carry no words: a passage of only these needs no showing.
PUNCTUATION = set("，,、。；;：:“”\"'‘’()（）《》<>·…-–—▶●>|/ ") | {"\u3000"}
#: The report's list and heading marks: not words, never shown at the edge of a passage.
MARKERS = "-▶●"
READS_ENV = "TECHREPORT_READS"  # the build's record of the files a notebook read (see techreport.data)


class SourceError(ValueError):
    """The report's text is missing, or words are not in it, or stand in it more than once."""


@dataclass(frozen=True)
class Source:
    """The report's text, and the same text normalised for comparison with a map back."""

    text: str
    norm: str
    back: tuple[int, ...]  # norm index -> text index
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (start, end) in text

    def section_norm(self, name: str) -> str:
        start, end = self.sections[name]
        return normalise(self.text[start:end])

    def section_of(self, at: int) -> str:
        """The numbered section (2, 2.1, 2.2, 2.3) holding character ``at``."""
        return next(n for n, (a, b) in self.sections.items() if n in SECTIONS and a <= at < b)


def normalise(text: str) -> str:
    """The comparison form: no whitespace; half-/full-width commas, colons, brackets folded."""
    return re.sub(r"\s+", "", str(text)).translate(FOLD)


def words(text: str) -> str:
    """``text`` without whitespace and punctuation: what coverage counts."""
    return "".join(ch for ch in normalise(text) if ch not in PUNCTUATION)


_RECORDED: set[str] = set()


def source(data_dir: Path | str | None = None) -> Source:
    """The report's text. A notebook that reads it is re-run by the build when it changes."""
    reads = os.environ.get(READS_ENV)
    if reads and reads not in _RECORDED:
        _RECORDED.add(reads)
        with open(reads, "a", encoding="utf-8") as fh:
            fh.write(f"{SOURCE_FILE}\n")
    return _source(Path(data_dir or DATA_DIR).resolve())


@cache
def _source(data_dir: Path) -> Source:
    path = data_dir / SOURCE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: the report's text is missing; every quote is checked against it") from None
    norm, back = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            norm.append(ch.translate(FOLD))
            back.append(i)
    starts = {}
    for name, pattern in SECTIONS.items():
        m = re.search(pattern, text, flags=re.M)
        if not m:
            raise SourceError(f"{path}: no heading for section {name}")
        starts[name] = m.start()
    order = sorted(starts, key=starts.get)
    sections = {n: (starts[n], starts[order[k + 1]] if k + 1 < len(order) else len(text)) for k, n in enumerate(order)}
    sections["全章"] = (0, len(text))
    return Source(text, "".join(norm), tuple(back), sections)


def locate(quote: str, data_dir: Path | str | None = None) -> list[tuple[int, int]]:
    """Every (start, end) of ``quote`` in the report's text; empty when it is not there."""
    src = source(data_dir)
    return _spans(src, normalise(quote))


def _spans(src: Source, needle: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    if not needle:
        return []
    hi = len(src.norm) if hi is None else hi
    spans, at = [], src.norm.find(needle, lo, hi)
    while at != -1:
        spans.append((src.back[at], src.back[at + len(needle) - 1] + 1))
        at = src.norm.find(needle, at + 1, hi)
    return spans


def line_of(text: str, data_dir: Path | str | None = None) -> tuple[int, int] | None:
    """The one line of the report that ``text`` makes up whole (its heading mark aside), or None.

    A heading such as 石墨烯 occurs many times in the report but is the whole of one line only.
    """
    target = normalise(text)
    src = source(data_dir)
    whole = [
        (a, b) for _, a, b in lines(tuple(SECTIONS), data_dir) if normalise(src.text[a:b]).strip(MARKERS) == target
    ]
    return whole[0] if len(whole) == 1 else None


def place(text: str, data_dir: Path | str | None = None) -> tuple[int, int] | None:
    """The one place shown words stand, or None: where they occur once, or the one line they make up whole."""
    found = locate(text, data_dir)
    if len(found) == 1:
        return found[0]
    return line_of(text, data_dir) if found else None


def where(spans: list[tuple[int, int]], data_dir: Path | str | None = None, width: int = 8) -> str:
    """The places of ``spans`` for a message: each with a few characters either side."""
    src = source(data_dir)
    shown = []
    for a, b in spans:
        before = " ".join(src.text[max(0, a - width) : a].split())
        after = " ".join(src.text[b : b + width].split())
        line = src.text.count("\n", 0, a) + 1
        shown.append(f"line {line}: …{before}[{' '.join(src.text[a:b].split())}]{after}…")
    return "; ".join(shown)


def resolve(quote: str, context: str | None = None, data_dir: Path | str | None = None) -> tuple[int, int]:
    """The one (start, end) where ``quote`` stands in the report.

    A quote that occurs once is its own place. One that occurs more than once needs ``context``:
    longer verbatim words that occur once in the report and hold the quote once. Raises
    :class:`SourceError` saying which is wrong, and where the words occur.
    """
    src = source(data_dir)
    needle = normalise(quote)
    spans = _spans(src, needle)
    if not spans:
        raise SourceError("these words are not in the report")
    if context is None or not normalise(context):
        if len(spans) == 1:
            return spans[0]
        raise SourceError(
            f"these words occur {len(spans)} times in the report ({where(spans, data_dir)}); "
            "pin the one meant with longer words or a context column"
        )
    outer = _spans(src, normalise(context))
    if len(outer) != 1:
        raise SourceError(
            "the context " + ("is not in the report" if not outer else f"occurs {len(outer)} times in the report")
        )
    lo = src.norm.find(normalise(context))
    inner = _spans(src, needle, lo, lo + len(normalise(context)))
    if len(inner) != 1:
        raise SourceError(f"the context holds these words {len(inner)} times; it must hold them once")
    return inner[0]


def clause_bounds(start: int, end: int, data_dir: Path | str | None = None) -> tuple[int, int]:
    """The whole clauses (cut at 。；; and line ends) that hold the span (start, end)."""
    text = source(data_dir).text
    a = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    ends = [i for i in (text.find(ch, end) for ch in "。；;\n") if i != -1]
    b = min(ends) + 1 if ends else len(text)
    while a < b and (text[a].isspace() or text[a] in MARKERS):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in MARKERS):
        b -= 1
    return a, b


def lines(sections=BODY, data_dir: Path | str | None = None) -> list[tuple[str, int, int]]:
    """(section, start, end) of every line of text in ``sections``, surrounding spaces left out."""
    src = source(data_dir)
    out = []
    for name in sections:
        start, end = src.sections[name]
        for m in re.finditer(r"[^\n]*\S[^\n]*", src.text[start:end]):
            piece = m.group(0)
            lead = len(piece) - len(piece.lstrip())
            out.append((name, start + m.start() + lead, start + m.start() + len(piece.rstrip())))
    return out


def paragraphs(data_dir: Path | str | None = None) -> list[tuple[str, int, int]]:
    """(section, start, end) of each paragraph of the chapter: runs of text between blank lines."""
    src = source(data_dir)
    out = []
    for name in ("2", *BODY):
        start, end = src.sections[name]
        for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", src.text[start:end]):
            out.append((name, start + m.start(), start + m.end()))
    return out


def lead(section: str = "2", data_dir: Path | str | None = None) -> str:
    """The lead paragraph of a section of the report (the one after its heading), as one line."""
    text = source(data_dir).text
    (_, start, end), *_ = [p for p in paragraphs(data_dir) if p[0] == section][1:]
    return " ".join(text[start:end].split())
