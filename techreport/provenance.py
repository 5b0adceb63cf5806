"""Provenance: every fact in data/ carries the report's own words, checked against the report.

The chapter's text is kept in ``data/source/chapter-2.txt`` (see ``data/source/README.md``).
This module is the one place that

* compares a quote with the source (:func:`locate`): whitespace removed, and the report's
  mixed half-/full-width commas, colons and brackets treated as equal; nothing else;
* checks every ``*_quote`` column of a table when it is loaded (``_quote_problems`` in techreport/data.py, called
  by :func:`techreport.data.load_table`), so a quote that is not in the report stops the build;
* checks the table of "not stated" claims (``not_stated.csv``): the words that would contradict
  a claim must be absent from the section it is about (:func:`not_stated_problems`);
* splits sections 2.1-2.3 into clauses and says which are quoted by some row, which are omitted
  on purpose (``source_omissions.csv``) and which are neither (:func:`coverage`).

Command line: ``python -m techreport.provenance check`` (quotes and claims) and
``python -m techreport.provenance coverage`` (the share of the source accounted for).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SOURCE_FILE = Path("source") / "chapter-2.txt"
#: The only characters folded together: the report mixes half- and full-width forms of these.
FOLD = str.maketrans({"，": ",", "：": ":", "（": "(", "）": ")"})
#: A column holding the report's words ends in this suffix (``source_quote``, ``kind_quote``...).
QUOTE_SUFFIX = "_quote"
#: The one term for "not stated", in data, prose, tables and chart notes (see README, house style).
NOT_STATED = "报告未说明"
#: Sections of the chapter, in order, with the heading line that opens each.
SECTIONS = {"2": r"^2 ", "2.1": r"^2\.1 ", "2.2": r"^2\.2 ", "2.3": r"^2\.3 "}
SEPARATOR = "|"
#: Every numeral of the report classified (data/numerals.csv): its quotes place words, they state no fact
#: shown on a page, so they neither link 原文对照 nor count as coverage.
NUMERALS = "numerals"
OPEN_LISTS = "open_lists"  # the report's lists that end in 等: a marker for tests/test_prose.py, not a fact shown
OMISSIONS = "source_omissions"  # passages left out on purpose: checked like quotes, but they state no fact  # between the words of a not-stated claim


class ProvenanceError(ValueError):
    """A quote is not in the report, or a "not stated" claim is contradicted by it."""


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


def normalise(text: str) -> str:
    """The comparison form: no whitespace; half-/full-width commas, colons, brackets folded."""
    return re.sub(r"\s+", "", str(text)).translate(FOLD)


def source(data_dir: Path | str | None = None) -> Source:
    """The report's text (every quote of every table is checked against it when a table loads)."""
    import os

    reads = os.environ.get("TECHREPORT_READS")
    if reads and reads not in _RECORDED:  # the build re-runs a page when the report's text changes
        _RECORDED.add(reads)
        with open(reads, "a", encoding="utf-8") as fh:
            fh.write(f"{SOURCE_FILE}\n")
    return _source(Path(data_dir or DATA_DIR).resolve())


_RECORDED: set[str] = set()


@cache
def _source(data_dir: Path) -> Source:
    path = data_dir / SOURCE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProvenanceError(f"{path}: the report's text is missing; every quote is checked against it") from None
    norm, back = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            norm.append(ch.translate(FOLD))
            back.append(i)
    starts = {}
    for name, pattern in SECTIONS.items():
        m = re.search(pattern, text, flags=re.M)
        if not m:
            raise ProvenanceError(f"{path}: no heading for section {name}")
        starts[name] = m.start()
    order = sorted(starts, key=starts.get)
    sections = {n: (starts[n], starts[order[k + 1]] if k + 1 < len(order) else len(text)) for k, n in enumerate(order)}
    sections["全章"] = (0, len(text))
    return Source(text, "".join(norm), tuple(back), sections)


def locate(quote: str, data_dir: Path | str | None = None) -> list[tuple[int, int]]:
    """Every (start, end) of ``quote`` in the report's text; empty when it is not there."""
    src = source(data_dir)
    needle = normalise(quote)
    if not needle:
        return []
    spans, at = [], src.norm.find(needle)
    while at != -1:
        spans.append((src.back[at], src.back[at + len(needle) - 1] + 1))
        at = src.norm.find(needle, at + 1)
    return spans


def quote_fields(fields: list[dict]) -> list[str]:
    return [f["name"] for f in fields if f["name"].endswith(QUOTE_SUFFIX)]


# --- "not stated" claims ---------------------------------------------------------------------


def not_stated_problems(data_dir: Path | str | None = None) -> list[str]:
    """A problem for each claim whose contradicting words occur in its section of the report."""
    from .data import load_table, resource

    data_dir = Path(data_dir or DATA_DIR).resolve()
    claims = load_table("not_stated", data_dir)
    path = resource("not_stated", data_dir)["path"]
    src = source(data_dir)
    problems = []
    for k, row in claims.iterrows():
        section = src.section_norm(row["section"])
        found = [w for w in row["absent_words"].split(SEPARATOR) if normalise(w) in section]
        if found:
            problems.append(
                f"data/{path}, row {k + 2}, column 'absent_words', claim {row['id']!r} ({NOT_STATED}{row['claim_zh']}): "
                f"section {row['section']} of the report does contain {'、'.join(map(repr, found))}; "
                "the claim is wrong, or these are not the words that would contradict it"
            )
    return problems


def check(data_dir: Path | str | None = None) -> dict:
    """Load every table (which checks its quotes) and check the claims; raise on any problem."""
    from .data import load_table, table_names

    rows = quotes = 0
    for name in table_names(data_dir):
        if name == OMISSIONS:
            continue
        frame = load_table(name, data_dir)
        cols = [c for c in frame.columns if c.endswith(QUOTE_SUFFIX)]
        if cols:
            rows += int(frame[cols].notna().any(axis=1).sum())
            quotes += int(frame[cols].notna().sum().sum())
    problems = not_stated_problems(data_dir)
    if problems:
        raise ProvenanceError("\n".join(problems))
    from .data import load_table as _lt

    return {"rows": rows, "quotes": quotes, "claims": len(_lt("not_stated", data_dir))}


# --- coverage -------------------------------------------------------------------------------

CLAUSE_END = re.compile(r"[。；;\n]")
MIN_OVERLAP = 4  # characters a quote must share with a clause to account for it (fewer if the clause is shorter)


@dataclass
class Clause:
    section: str
    start: int
    end: int
    text: str
    status: str = "silent"  # quoted | omitted | silent
    by: list = field(default_factory=list)


def clauses(data_dir: Path | str | None = None, sections=("2.1", "2.2", "2.3")) -> list[Clause]:
    """Sections' text split into clauses at 。；; and line ends (headings and list items are lines)."""
    src = source(data_dir)
    out = []
    for name in sections:
        start, end = src.sections[name]
        at = start
        for m in [*list(CLAUSE_END.finditer(src.text, start, end)), None]:
            stop = m.end() if m else end
            piece = src.text[at:stop]
            if normalise(piece).strip("。；;-▶●") and normalise(piece):
                lead = len(piece) - len(piece.lstrip())
                out.append(Clause(name, at + lead, stop, piece.strip()))
            at = stop
    return out


def all_quotes(data_dir: Path | str | None = None) -> list[dict]:
    """Every quote in data/: table, row key, column, words, spans in the source."""
    from .data import load_table, resource, table_names

    out = []
    for name in table_names(data_dir):
        if name in (OMISSIONS, NUMERALS, OPEN_LISTS):
            continue
        frame = load_table(name, data_dir)
        cols = [c for c in frame.columns if c.endswith(QUOTE_SUFFIX)]
        if not cols:
            continue
        key = resource(name, data_dir)["schema"].get("primaryKey", [])
        key = [key] if isinstance(key, str) else key
        for k, row in frame.iterrows():
            for col in cols:
                if row[col] is None or (not isinstance(row[col], str)):
                    continue
                out.append(
                    {
                        "table": name,
                        "line": k + 2,
                        "key": "/".join(str(row[c]) for c in key),
                        "row": row,
                        "column": col,
                        "quote": row[col],
                        "spans": locate(row[col], data_dir),
                    }
                )
    return out


def coverage(data_dir: Path | str | None = None) -> list[Clause]:
    """Each clause of 2.1-2.3 marked quoted (a quote shares words with it), omitted (listed) or silent."""
    from .data import load_table

    found = clauses(data_dir)
    quotes = all_quotes(data_dir)
    omissions = load_table(OMISSIONS, data_dir)
    omitted = [(s, r) for _, r in omissions.iterrows() for s in locate(r["source_quote"], data_dir)]
    text = source(data_dir).text
    for clause in found:
        need = min(MIN_OVERLAP, len(normalise(clause.text).strip("。；;")))
        for q in quotes:
            for a, b in q["spans"]:
                if len(normalise(text[max(a, clause.start) : min(b, clause.end)])) >= need:
                    clause.status = "quoted"
                    clause.by.append(q)
                    break
        if clause.status == "silent":
            for (a, b), row in omitted:
                if (a <= clause.start and clause.end <= b + 1) or (clause.start <= a and b <= clause.end):
                    clause.status = "omitted"
                    clause.by.append(row)
                    break
    return found


def _main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "check"
    if what == "check":
        result = check()
        print(
            f"quotes checked: {result['quotes']} quotes in {result['rows']} rows, 0 failures; "
            f"'not stated' claims checked: {result['claims']}, 0 contradicted"
        )
        return 0
    if what == "coverage":
        found = coverage()
        silent = [c for c in found if c.status == "silent"]
        for c in silent:
            print(f"SILENT {c.section}: {c.text}")
        n = len(found)
        quoted = sum(c.status == "quoted" for c in found)
        omitted = sum(c.status == "omitted" for c in found)
        print(
            f"clauses of 2.1-2.3: {n}; quoted by data {quoted} ({quoted / n:.0%}); omitted with a reason "
            f"{omitted}; accounted for {(quoted + omitted) / n:.1%}; silently dropped {len(silent)}"
        )
        return 1 if silent else 0
    print("usage: python -m techreport.provenance [check|coverage]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv))


def glue_not_stated(topic: str, data_dir: Path | str | None = None) -> None:
    """Glue ``ns_<id>`` = "报告未说明<claim>" for every claim of ``topic`` (checked by the tests)."""
    from .data import load_table
    from .present import glue_text

    claims = load_table("not_stated", data_dir)
    for _, row in claims[claims["topic"] == topic].iterrows():
        glue_text(f"ns_{row['id']}", f"{NOT_STATED}{row['claim_zh']}")


def deng_phrases(quotes) -> list[str]:
    """The distinct "…等" phrases in ``quotes``: the words before each 等 (up to a comma or 、)."""
    found = []
    for quote in dict.fromkeys(q for q in quotes if isinstance(q, str)):
        for m in re.finditer(r"([^,，、。；;“”]{1,12}?)等", quote):
            phrase = m.group(1).removeprefix("以及").removeprefix("推进").removeprefix("聚焦") + "等"
            if phrase not in found:
                found.append(phrase)
    return found


# --- where the book shows each row (for the 原文对照 page) -----------------------------------------

BOOK_DIR = DATA_DIR.parent / "book"
CONCORDANCE = "concordance"  # the 原文对照 page: it reads the other pages, not itself
TOPIC_PAGES = {
    "ic": "book/2-1-three-fields/ic",
    "ai": "book/2-1-three-fields/ai",
    "biomed": "book/2-1-three-fields/biomed",
    "materials": "book/2-2-key-fields/materials",
    "aerospace": "book/2-2-key-fields/aerospace",
    "marine": "book/2-2-key-fields/marine",
    "platforms": "book/2-3-platforms/index",
}
SECTION_PAGES = {
    "2.1": "book/2-1-three-fields/index",
    "2.2": "book/2-2-key-fields/index",
    "2.3": "book/2-3-platforms/index",
}
#: Tables without a topic column: the topic their rows belong to.
TABLE_TOPICS = {
    "ic_focus": "ic",
    "ai_actions": "ai",
    "ai_groups": "ai",
    "ai_items": "ai",
    "biomed_products": "biomed",
    "biomed_initiatives": "biomed",
    "material_results": "materials",
    "material_applications": "materials",
    "ships": "marine",
    "platforms": "platforms",
    "platform_groups": "platforms",
    "platform_results": "platforms",
    "platform_districts": "platforms",
    "industry_clusters": "platforms",
}


def book_pages(book_dir: Path | str | None = None) -> list[tuple[str, list[dict]]]:
    """[(page, cells)]: every page of the book but 原文对照, its notebook read once.

    Each is recorded as read (``TECHREPORT_READS``): the build re-runs the reader when a page changes.
    """
    import json
    import os

    book_dir = Path(book_dir or BOOK_DIR)
    reads = os.environ.get("TECHREPORT_READS")
    pages = []
    for path in sorted(book_dir.rglob("*.ipynb")):
        if path.stem == CONCORDANCE:
            continue
        doc = str(path.relative_to(book_dir.parent).with_suffix(""))
        if reads:
            with open(reads, "a", encoding="utf-8") as fh:
                fh.write(f"../{doc}.ipynb\n")
        pages.append((doc, json.loads(path.read_text(encoding="utf-8"))["cells"]))
    return pages


def shown_items(book_dir: Path | str | None = None, pages=None) -> dict[str, list[tuple[str, str]]]:
    """{page: [(label, table), ...]}: every numbered figure and table of the book and the tables it draws on.

    Read from the notebooks' ``show_figure``/``show_table`` calls (their ``name=`` and ``tables=``).
    ``pages``: :func:`book_pages`, when the caller has read them already.
    """
    import ast

    found: dict[str, list[tuple[str, str]]] = {}
    for doc, cells in pages if pages is not None else book_pages(book_dir):
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            try:
                tree = ast.parse("".join(cell["source"]))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("show_figure", "show_table"):
                    kw = {k.arg: k.value for k in node.keywords}
                    if "name" not in kw or "tables" not in kw:
                        continue
                    try:
                        label, tables = ast.literal_eval(kw["name"]), ast.literal_eval(kw["tables"])
                    except ValueError:
                        continue
                    for table in [tables] if isinstance(tables, str) else tables:
                        found.setdefault(doc, []).append((label, table))
    return found


def shown_words(book_dir: Path | str | None = None, pages=None) -> dict[str, tuple[str, str]]:
    """{label: (page, words)}: the report's words each figure and table shows (its ``quotes=``), normalised.

    Read from the stored outputs of the notebooks, so it is exactly what a reader sees under the figure
    or in the table's 报告原文 column. ``pages``: :func:`book_pages`, when read already.
    """
    found = {}
    for doc, cells in pages if pages is not None else book_pages(book_dir):
        for cell in cells:
            for output in cell.get("outputs", []):
                text = "".join(output.get("data", {}).get("text/markdown", ""))
                label = re.search(r"^:name: (\S+)$", text, flags=re.M)
                words = re.findall(r'<details class="report-words">(.*?)</details>', text, flags=re.S)
                if label and words:
                    found[label.group(1)] = (doc, normalise(re.sub(r"\\(.)", r"\1", "".join(words))))
    return found


def row_page(quote: dict, data_dir: Path | str | None = None) -> str:
    """The page that shows a quoted row: by its topic, its table's topic, or its milestone's topic."""
    from .data import load_table

    row, table = quote["row"], quote["table"]
    if table == "sections":
        return SECTION_PAGES[row["id"]]
    if table == "topics":
        return TOPIC_PAGES[row["id"]]
    if "topic" in row and isinstance(row["topic"], str):
        return TOPIC_PAGES[row["topic"]]
    if table in TABLE_TOPICS:
        return TOPIC_PAGES[TABLE_TOPICS[table]]
    milestones = load_table("milestones", data_dir).set_index("id")["topic"]
    if table == "milestone_roles":
        return TOPIC_PAGES[milestones[row["milestone_id"]]]
    if table == "organisations":
        roles = load_table("milestone_roles", data_dir)
        first = roles.loc[roles["organisation_id"] == row["id"], "milestone_id"].iloc[0]
        return TOPIC_PAGES[milestones[first]]
    if table == "field_programmes":
        return TOPIC_PAGES[row["topic"]]
    raise ProvenanceError(f"{table}: no page known for its rows")


def paragraphs(data_dir: Path | str | None = None) -> list[tuple[str, int, int]]:
    """(section, start, end) of each paragraph of the chapter: runs of text between blank lines."""
    src = source(data_dir)
    out = []
    for name in ("2", "2.1", "2.2", "2.3"):
        start, end = src.sections[name]
        for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", src.text[start:end]):
            out.append((name, start + m.start(), start + m.end()))
    return out


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|{}$])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _tex(text: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in text)


def _label_name(label: str) -> str:
    return "图" if label.startswith("fig-") else "表"


def concordance(data_dir: Path | str | None = None, book_dir: Path | str | None = None) -> list[dict]:
    """The chapter paragraph by paragraph, each line cut into pieces: plain, quoted (with where shown) or omitted.

    Returns [{"section", "lines": [[{"text", "kind": plain|quoted|omitted, "targets": [(doc, label|None)],
    "reason"}]]}].
    """
    from .data import load_table

    src = source(data_dir)
    pages = book_pages(book_dir)
    shown = shown_items(pages=pages)
    words = shown_words(pages=pages)
    spans = []  # (start, end, targets)
    for q in all_quotes(data_dir):
        doc = row_page(q, data_dir)
        # where the quote itself is shown; else the figures and tables of its page drawn from its table
        labels = [(d, label) for label, (d, blob) in words.items() if normalise(q["quote"]) in blob]
        labels = labels or [(doc, label) for label, table in shown.get(doc, []) if table == q["table"]]
        targets = list(dict.fromkeys(labels)) or [(doc, None)]
        spans += [(a, b, targets) for a, b in q["spans"]]
    omitted = [
        (a, b, r["reason_zh"])
        for _, r in load_table(OMISSIONS, data_dir).iterrows()
        for a, b in locate(r["source_quote"], data_dir)
    ]
    out = []
    for section, p_start, p_end in paragraphs(data_dir):
        lines = []
        for m in re.finditer(r"[^\n]+", src.text[p_start:p_end]):
            l_start, l_end = p_start + m.start(), p_start + m.end()
            marks = [None] * (l_end - l_start)  # per character: ("q", targets) or ("o", reason)
            for a, b, reason in omitted:
                for i in range(max(a, l_start), min(b, l_end)):
                    marks[i - l_start] = ("o", reason)
            for a, b, targets in spans:
                for i in range(max(a, l_start), min(b, l_end)):
                    old = marks[i - l_start]
                    merged = (old[1] if old and old[0] == "q" else []) + targets
                    marks[i - l_start] = ("q", merged)
            pieces = []
            for i, ch in enumerate(src.text[l_start:l_end]):
                kind = "plain" if marks[i] is None else ("quoted" if marks[i][0] == "q" else "omitted")
                if pieces and pieces[-1]["kind"] == kind and (kind != "omitted" or pieces[-1]["reason"] == marks[i][1]):
                    pieces[-1]["text"] += ch
                    if kind == "quoted":
                        pieces[-1]["targets"] += marks[i][1]
                else:
                    pieces.append(
                        {
                            "text": ch,
                            "kind": kind,
                            "targets": list(marks[i][1]) if kind == "quoted" else [],
                            "reason": marks[i][1] if kind == "omitted" else None,
                        }
                    )
            for piece in pieces:
                piece["targets"] = list(dict.fromkeys(piece["targets"]))
            if "".join(p["text"] for p in pieces).strip():
                lines.append(pieces)
        if lines:
            out.append({"section": section, "lines": lines})
    return out


def concordance_markdown(paragraph: dict) -> str:
    """One paragraph for the web (MyST, links to figures and tables) and for the PDF (raw LaTeX, page numbers)."""
    html_lines, tex_lines = [], []
    for pieces in paragraph["lines"]:
        pieces = [dict(p) for p in pieces]
        bullet = pieces[0]["text"].lstrip().startswith("-")
        if bullet:  # the report's list items: a list on the web, a bullet in print
            pieces[0]["text"] = pieces[0]["text"].lstrip()[1:].lstrip()
        html, tex = "", ""
        quoted = [p for p in pieces if p["kind"] == "quoted"]
        # a run of quoted pieces that lead to the same places is followed by one reference, after its last piece
        last_of_run = {id(p) for p, q in zip(quoted, [*quoted[1:], None]) if q is None or q["targets"] != p["targets"]}
        for p in pieces:
            text = " ".join(p["text"].split()) if p["text"].strip() else p["text"]
            if p["kind"] == "plain":
                html += _md(text)
                tex += _tex(text)
            elif p["kind"] == "omitted":
                html += f"[{_md(text)}]{{.source-omitted}}（本书不收：{_md(p['reason'])}）"
                tex += f"\\textcolor{{gray}}{{{_tex(text)}}}（本书不收：{_tex(p['reason'])}）"
            else:
                html += f"**{_md(text)}**"
                tex += f"\\textbf{{{_tex(text)}}}"
                if id(p) in last_of_run:
                    refs = [f"{{numref}}`{label}`" if label else f"{{doc}}`/{doc}`" for doc, label in p["targets"]]
                    labelled = [(doc, label) for doc, label in p["targets"] if label]
                    html += f"〔{'、'.join(refs)}〕"
                    if labelled:  # the page of the first figure or table that shows it
                        doc, label = labelled[0]
                        tex += f"〔见第\\pageref{{\\detokenize{{{doc}:{label}}}}}页〕"
        html, tex = html.strip(), tex.strip()
        if bullet:
            html, tex = "- " + html, r"\textbullet\ " + tex
        html_lines.append(html)
        tex_lines.append(tex)
    html_md = "\n\n".join(html_lines)
    tex_md = "\n\n".join(tex_lines)
    return f"````{{only}} html\n{html_md}\n````\n\n````{{raw}} latex\n{tex_md}\n\n````\n"
