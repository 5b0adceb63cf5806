"""The PDF edition (`make pdf`): it builds, and it holds what the HTML book holds.

Builds once per session through the normal pipeline (``python -m bookbuild pdf``,
published to _build/pdf/). Needs TeX (tools/install-tex.sh); skipped, saying so, where
xelatex is absent. Everything is read from the book as it is (the TOC, the pages, the data),
so new pages, tables and figures are checked without editing this file.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pdfplumber
import pytest
import yaml
from helpers import build_book

from bookbuild import build
from bookbuild.pdf import LOG, OVERFULL_LIMIT_PT, PDF, forget_layout_fixes, problems, read_log
from bookbuild.sphinx import latex
from techreport.data import load_table
from techreport.present import fmt_row

ROOT = build.ROOT
pytestmark = pytest.mark.skipif(
    shutil.which("xelatex") is None or shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="the PDF edition needs xelatex, latexmk and pdftotext: run tools/install-tex.sh "
    "(apt-get install --no-install-recommends texlive-xetex texlive-lang-chinese "
    "texlive-fonts-recommended latexmk fonts-noto-cjk poppler-utils)",
)


def squeeze(text: str) -> str:
    """Text without whitespace: CJK lines wrap anywhere, pdftotext adds spaces."""
    return re.sub(r"\s+", "", text)


def fold(text: str) -> str:
    """Text to compare across editions: no whitespace, no hyphens (a Latin word in a narrow
    column may be hyphenated where it wraps)."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


@pytest.fixture(scope="session")
def book(built_repo):
    """The PDF built by the project's own build in the tested copy (never in place), with the
    HTML edition it is compared with."""
    build_book("pdf", built_repo)
    out = built_repo / "_build" / "pdf"
    pdf = out / PDF
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # -raw keeps the order in which LaTeX set the text: a table cell by cell, row by row
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    stage = built_repo / build.TARGETS["pdf"]["stage"].relative_to(ROOT) / build.TARGETS["pdf"]["built"]
    return {
        "pdf": pdf,
        "log": read_log(out / LOG),
        "text": text,
        "flat": squeeze(text),
        "raw": fold(raw),
        "tex": (stage / "book.tex").read_text("utf-8"),
        "site": built_repo / "_build" / "html",
    }


def toc_pages() -> list[tuple[str, str | None]]:
    """(docname, number as the report prints it or None) for every page, in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    offset = config["sphinx"]["config"].get("secnumber_offset", 0)
    pages = [(toc["root"], None)]

    def walk(entries, prefix, depth, numbered):
        for i, entry in enumerate(entries or [], start=1):
            number = f"{prefix}{i}" if numbered and depth <= numbered else None
            pages.append((entry["file"], number))
            walk(entry.get("sections"), f"{number}." if number else "", depth + 1, numbered)

    for part in toc.get("parts", []):
        numbered = part.get("numbered", 0)
        numbered = 999 if numbered is True else int(numbered or 0)
        for i, chapter in enumerate(part.get("chapters", []), start=1):
            number = str(i + offset) if numbered else None
            pages.append((chapter["file"], number))
            walk(chapter.get("sections"), f"{number}.", 2, numbered)
    return pages


def page_markdown(docname: str) -> str:
    """A page's markdown: a notebook's markdown cells, or the .md file."""
    path = ROOT / f"{docname}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    return text


def headings(docname: str) -> list[str]:
    """H1 and H2 titles (and rubrics) of a page's markdown."""
    text = page_markdown(docname)
    found = re.findall(r"^#{1,2}\s+(.+?)\s*$", text, re.M) + re.findall(r"^```\{rubric\}\s+(.+?)\s*$", text, re.M)
    return [re.sub(r"[*_`]", "", h) for h in found]


class _Tables(HTMLParser):
    """The tables of an HTML page: caption text and rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._in: str | None = None  # "caption" or "cell"
        self._open = False  # inside a <table>
        self._details: list[bool] = []  # open <details>: a reader's tool or not

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "details":  # a chart's 数据表 and the other reader's tools are web-only
            self._details.append("fig-tool" in classes)
        if any(self._details):
            return
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
            self._open = True
        elif not self._open:
            return
        elif tag == "span" and "caption-text" in classes:
            self._in = "caption"
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.tables[-1]["rows"][-1].append("")
            self._in = "cell"

    def handle_endtag(self, tag):
        if tag == "details" and self._details:
            self._details.pop()
        if any(self._details):
            return
        if tag == "table":
            self._open = False
        if (tag == "span" and self._in == "caption") or (tag in ("td", "th") and self._in == "cell"):
            self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.tables[-1]["caption"] += data
        elif self._in == "cell":
            self.tables[-1]["rows"][-1][-1] += data


def html_pages(site) -> list:
    """The HTML edition's pages, in book order."""
    return [site / f"{docname}.html" for docname, _ in toc_pages()]


def html_tables(site) -> list[dict]:
    tables = []
    for page in html_pages(site):
        parser = _Tables()
        parser.feed(page.read_text(encoding="utf-8"))
        tables += [dict(t, page=page.stem) for t in parser.tables]
    return tables


def html_captions(kind: str, site) -> list[tuple[str, str]]:
    """(number, text) of every figure ("图") or table ("表") caption in the HTML book, in order."""
    found = []
    for page in html_pages(site):
        html = page.read_text(encoding="utf-8")
        for number, text in re.findall(
            rf'class="caption-number">{kind}\s*([\d.\-]+)\s*</span>'
            r'<span class="caption-text">(.*?)</span>',
            html,
            re.S,
        ):
            found.append((number, re.sub(r"<[^>]+>", "", text)))
    return found


def test_pdf_is_an_a4_book(book):
    info = subprocess.run(["pdfinfo", str(book["pdf"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 3
    assert "目录" in book["flat"]  # Chinese contents


def test_a_build_forgets_the_long_table_fixes_of_the_last(tmp_path):
    """A fix techreport.sty made for the last build's text is not kept for this build's (it is keyed by place)."""
    aux = tmp_path / "book.aux"
    aux.write_text(
        "\\relax\n\\techreport@ltpage{17}{last}{42}\n\\techreport@ltfix{17}{end}\n\\newlabel{x}{{1}{2}}\n",
        encoding="utf-8",
    )
    assert forget_layout_fixes(aux) == 1
    assert aux.read_text(encoding="utf-8") == "\\relax\n\\techreport@ltpage{17}{last}{42}\n\\newlabel{x}{{1}{2}}\n"
    assert forget_layout_fixes(tmp_path / "none.aux") == 0


def test_log_checks_refuse_lost_content():
    """What makes bookbuild.pdf.finish refuse a PDF (the log lines as TeX writes them)."""
    lost = "Overfull \\vbox (244.78267pt too high) has occurred while \\output is active []"
    assert problems(lost) and "content cut off" in problems(lost)[0]
    assert problems(f"Overfull \\hbox ({OVERFULL_LIMIT_PT + 0.5}pt too wide) in paragraph at lines 1--2")
    assert problems("Missing character: There is no \u4e00 in font FreeSerif!")
    assert problems(f"Overfull \\hbox ({OVERFULL_LIMIT_PT - 0.5}pt too wide) in paragraph at lines 1--2") == []


def test_log_has_no_lost_content_and_no_letter_spaced_line(book):
    assert not re.search(r"^Overfull \\vbox", book["log"], re.M), "content runs off a page"
    # a line TeX could not fill but by spreading its characters apart ("资 料 来 源：…")
    spread = re.findall(r"^Underfull \\hbox \(badness \d+\) in paragraph at lines (\d+--\d+)", book["log"], re.M)
    assert not spread, f"letter-spaced lines (book.tex lines {spread})"


@pytest.mark.parametrize("docname,number", toc_pages())
def test_every_section_title_with_its_number(book, docname, number):
    titles = headings(docname)
    assert titles, f"{docname} has no heading"
    for title in titles:
        assert squeeze(title) in book["flat"], f"{docname}: heading {title!r} is not in the PDF"
    if number and "." in number:
        assert squeeze(f"{number}{titles[0]}") in book["flat"], f"{docname} is not numbered {number} in the PDF"
    elif number:
        assert f"第{number}章{squeeze(titles[0])}" in book["flat"], f"{docname} is not 第{number}章 in the PDF"


def test_every_indicator_with_its_qualifier(book):
    indicators = load_table("indicators")
    missing = [
        f"{row['id']}: {fmt_row(row)}" for _, row in indicators.iterrows() if squeeze(fmt_row(row)) not in book["flat"]
    ]
    assert not missing, "figures of indicators.csv missing from the PDF:\n" + "\n".join(missing)


def test_same_figures_and_tables_as_the_html(book):
    """Every caption of the web edition in the PDF, in the same order and with the same number:
    the chapter's numbered through the chapter ("图 2-1　finding": the number, a quad, the text;
    no colon), so that no number reads like a section number; those of the back matter (原文对照,
    an unnumbered page) on their own, 图 1, 表 1, in both editions."""
    for kind in ("图", "表"):
        html = html_captions(kind, book["site"])
        assert html, f"no {kind} in the HTML edition"
        chapter = [number for number, _ in html if "-" in number]
        assert chapter == [f"2-{i}" for i in range(1, len(chapter) + 1)], f"{kind} of the HTML: {chapter}"
        assert all(re.fullmatch(r"\d+", number) for number, _ in html[len(chapter) :]), "back matter amid the chapter"
        for number, text in html:
            assert re.search(rf"{kind}{number}(?![\d\-])", book["flat"]), f"no {kind} {number} in the PDF"
            assert fold(f"{kind}{number}{text}") in book["raw"], f"{kind} {number} is not {text!r} in the PDF"
        assert f"{kind}2-{len(chapter) + 1}" not in book["flat"], f"the PDF has more {kind} than the HTML"
        assert not re.search(rf"{kind}\s*2-\d+\s*[:：]", book["text"]), f"a {kind} caption with a colon"
    assert len(html_captions("图", book["site"])) == book["tex"].count(r"\begin{figure}")


def test_references_read_like_the_captions(book):
    """{numref} references read "图 2-3" / "表 2-3", never "图 2.1.3", and never break apart."""
    assert not re.search(r"[图表]\s*\d+\.\d", book["flat"]), "a figure or table number reads like a section number"
    refs = re.findall(r"\\hyperref\[[^]]+\]\{([图表])(.)\\ref\{", book["tex"])
    assert refs, "no {numref} reference in book.tex"
    # the name and the number joined by a no-break space (xeCJK may break a line between 图 and 2)
    assert all(tie in ("~", "\u00a0") for _, tie in refs), refs
    cited = re.findall(r"（([图表])\s*(\d+-\d+)）", book["flat"])
    assert cited, "no reference like （图 2-3） in the PDF text"


def test_every_table_cell_of_the_web_edition(book):
    """Each table of the web edition, cell by cell and row by row, in the PDF: nothing is cut off
    (the rows of a table too long for its page go on the next page, under its repeated header)."""
    tables = html_tables(book["site"])
    assert tables, "no table in the HTML edition"
    missing = []
    for table in tables:
        at = book["raw"].find(fold(table["caption"]))
        if at < 0:
            missing.append(f"{table['page']}: caption {table['caption']!r}")
            continue
        for row in table["rows"]:
            for cell in row:
                found = book["raw"].find(fold(cell), at)
                if found < 0:
                    missing.append(f"{table['page']}: {table['caption'][:20]}…: cell {cell!r} of row {row}")
                    break
                at = found + len(fold(cell))
    assert not missing, "table cells of the web edition missing from the PDF:\n" + "\n".join(missing)


def test_contents_lists_every_page_and_the_lists_of_figures_and_tables(book):
    flat = book["flat"]
    assert "目录" in flat and "图目录" in flat and "表目录" in flat
    contents = flat[flat.index("目录") : flat.index("图目录")]
    for docname, number in toc_pages():
        title = squeeze(headings(docname)[0])
        assert title in contents, f"{docname}: {title!r} is not in the 目录"
        if number is None and docname != toc_pages()[0][0]:  # unnumbered: the topic pages, the back matter
            line = re.search(rf"^(.*){re.escape(headings(docname)[0])}", book["text"], re.M)
            assert line and not re.search(r"\d", line[1]), f"{docname} is numbered in the 目录: {line and line[0]!r}"
    text = book["text"]  # as laid out: an entry is a line starting with its number
    lists = text[text.index("图目录") : text.index(headings(toc_pages()[0][0])[0], text.index("表目录"))]
    for kind, listed in (("图", lists[: lists.index("表目录")]), ("表", lists[lists.index("表目录") :])):
        for number, _ in html_captions(kind, book["site"]):
            assert re.search(rf"^\s*{number}\s", listed, re.M), f"{kind} {number} is not in the {kind}目录"
    assert "数据：" not in lists, "the lists of figures and tables give findings, not data files"


def test_charts_are_vector_with_searchable_text(book):
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{?([^}]+)\}?([^}]*)\}", book["tex"])
    assert all(ext.endswith(".pdf") or name.endswith(".pdf") for name, ext in graphics), graphics
    # every chart carries its source line inside the image (style.add_source): as text, not paths
    assert book["flat"].count("资料来源：《2020上海科技进步报告》第2章；数据：") >= len(
        html_captions("图", book["site"])
    )


def test_no_code_in_the_pdf(book):
    assert r"\begin{sphinxVerbatimInput}" not in book["tex"]
    for code in ("style.setup()", "load_table(", "import "):
        assert code not in book["text"]


# -- Layout read from the PDF as a reader sees it: each line of text with its font size and place.
# The text area starts below the running head (A4, vmargin 2.6 cm = 73.7 pt from the top).
TEXT_TOP_PT = 70
# Sphinx's default colour of a table's header row (TableRowColorHeader, {gray}{0.86}); body rows
# are filled in lighter greys (colorrows), so a table's rows are bands of grey rectangles.
HEADER_GREY = 0.86
# One heading level must be visibly larger than the next: by this factor at least.
LEVEL_STEP = 1.15


def pdf_lines(path) -> list[dict]:
    """Every line of the PDF: page (1-based), top (pt), font size (pt), text without whitespace, bold."""
    lines = []
    for number, top, size, chars in pdf_rows(path):
        text = squeeze("".join(c["text"] for c in chars))
        bold = any("Bold" in c["fontname"] for c in chars)
        lines.append({"page": number, "top": top, "size": size, "text": text, "bold": bold})
    return lines


def pdf_rows(path):
    """(page, top, size, characters left to right) for every line of the PDF, page by page."""
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            rows: dict[tuple, list] = {}
            for char in page.chars:
                rows.setdefault((round(char["top"]), round(char["size"], 1)), []).append(char)
            for (top, size), chars in sorted(rows.items()):
                yield number, top, size, sorted(chars, key=lambda c: c["x0"])


def toc_levels() -> list[tuple[str, int]]:
    """(docname, level of its title) for every page: 0 a chapter (and the front page, 关于本书),
    1 a section (2.1-2.3), 2 a topic page."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [(toc["root"], 0)]

    def walk(entries, level):
        for entry in entries or []:
            pages.append((entry["file"], level))
            walk(entry.get("sections"), level + 1)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), 0)
    return pages


def page_subheads(docname: str) -> list[str]:
    """A page's own headings (its H2s), below its title."""
    text = page_markdown(docname)
    return [re.sub(r"[*_`]", "", h) for h in re.findall(r"^##\s+(.+?)\s*$", text, re.M)]


HEADING_LEVELS = ("chapter", "section", "topic", "subhead")


def body_text_size(lines: list[dict]) -> float:
    """The size most of the text is set in."""
    return max({x["size"] for x in lines}, key=lambda size: sum(len(x["text"]) for x in lines if x["size"] == size))


def heading_problems(lines: list[dict]) -> tuple[dict[str, set[float]], list[str]]:
    """The font sizes of the book's headings by level, and what breaks the hierarchy: a heading
    not set as a bold line of its own, two sizes within one level, a level not visibly larger
    (LEVEL_STEP) than the next, subheads no larger than the text."""
    wanted: dict[str, set[str]] = {level: set() for level in HEADING_LEVELS}
    for docname, level in toc_levels():
        wanted[HEADING_LEVELS[level]].add(squeeze(headings(docname)[0]))
        wanted["subhead"].update(squeeze(h) for h in page_subheads(docname))
    # the book's body: after the contents and the lists of figures and tables
    first = min(line["page"] for line in lines if line["text"] == squeeze(headings(toc_levels()[0][0])[0]))
    body = [line for line in lines if line["page"] >= first and line["top"] >= TEXT_TOP_PT]
    text_size = body_text_size(body)
    sizes: dict[str, set[float]] = {level: set() for level in HEADING_LEVELS}
    problems = []
    for level, texts in wanted.items():
        for text in sorted(texts):
            found = [
                line["size"]
                for line in body
                if line["bold"]
                and line["size"] > text_size
                and re.fullmatch(rf"(?:\d+(?:\.\d+)*)?{re.escape(text)}", line["text"])
            ]
            if not found:
                problems.append(
                    f"{level} {text!r} is not a bold line of its own, larger than the text ({text_size} pt)"
                )
            sizes[level].update(found)
    for level, found in sizes.items():
        if found and max(found) - min(found) > 0.3:
            problems.append(f"{level}s are set in {sorted(found)} pt")
    for upper, lower in itertools.pairwise(HEADING_LEVELS):
        if sizes[upper] and sizes[lower] and min(sizes[upper]) < LEVEL_STEP * max(sizes[lower]):
            problems.append(
                f"{upper}s ({sorted(sizes[upper])} pt) are not visibly larger than {lower}s ({sorted(sizes[lower])} pt)"
            )
    if sizes["subhead"] and min(sizes["subhead"]) <= text_size:
        problems.append(f"subheads ({sorted(sizes['subhead'])} pt) are no larger than the text ({text_size} pt)")
    return sizes, problems


@pytest.fixture(scope="session")
def layout(book):
    return pdf_lines(book["pdf"])


def test_heading_sizes_are_strictly_ordered_by_level(layout):
    """Chapter > section (2.1) > topic page > a page's own subheads, whatever LaTeX level Sphinx
    gives each (the overview's heads are \\section, 2.1's \\subsection): each level in one size,
    each visibly larger than the next, the smallest larger than the text."""
    sizes, problems = heading_problems(layout)
    assert not problems, "the heading hierarchy:\n" + "\n".join(problems)
    assert all(sizes.values()), sizes


def running_head_problems(lines: list[dict]) -> list[str]:
    """Pages whose running head does not name the section in force at the top of the page: the
    last section (2.1-2.3) begun on an earlier page, or one that opens this page; none before the
    first section or after a chapter (原文对照) begins."""
    sections = {squeeze(headings(d)[0]) for d, level in toc_levels() if level == 1}
    chapters = {squeeze(headings(d)[0]) for d, level in toc_levels() if level == 0}
    starts = []  # (page, top, title or None for a chapter), in book order
    text_size = body_text_size(lines)
    for line in lines:
        if line["top"] < TEXT_TOP_PT or not line["bold"] or line["size"] < LEVEL_STEP * text_size:
            continue  # not a heading (原文对照 quotes the sections' titles in bold text)
        numbered = re.fullmatch(r"(\d+\.\d+)(.+)", line["text"])
        if numbered and numbered[2] in sections:
            starts.append((line["page"], line["top"], line["text"]))
        elif line["text"] in chapters and line["size"] > 20:
            starts.append((line["page"], line["top"], None))
    problems = []
    pages = sorted({line["page"] for line in lines})
    for page in pages:
        head = "".join(x["text"] for x in lines if x["page"] == page and x["top"] < TEXT_TOP_PT)
        first_top = min((x["top"] for x in lines if x["page"] == page and x["top"] >= TEXT_TOP_PT), default=None)
        in_force = [title for p, top, title in starts if p < page or (p == page and top == first_top)]
        expected = in_force[-1] if in_force else None
        if not head:
            continue  # a page without running head (a chapter's first page)
        named = [title for _, _, title in starts if title and head.endswith(title)]
        if expected and not head.endswith(expected):
            problems.append(f"p. {page}: headed {head!r}, but {expected!r} is in force at its top")
        elif not expected and named:
            problems.append(f"p. {page}: headed {head!r}, but no section is in force at its top")
    return problems


def test_running_heads_name_the_section_at_the_top_of_the_page(layout):
    problems = running_head_problems(layout)
    assert not problems, "running heads:\n" + "\n".join(problems)


def _grey(rect) -> float | None:
    colour = rect.get("non_stroking_color")
    if isinstance(colour, (list, tuple)) and len(colour) == 1:
        colour = colour[0]
    return colour if isinstance(colour, (int, float)) else None


def table_blocks(page) -> list[dict]:
    """The tables on a PDF page, from their rows' grey bands: top, bottom, header rows, body rows."""
    bands: dict[tuple, list] = {}
    for rect in page.rects:
        if rect.get("fill") and _grey(rect) is not None:
            bands.setdefault((round(rect["top"]), round(rect["bottom"])), []).append(rect)
    blocks: list[list[dict]] = []
    for (top, bottom), rects in sorted(bands.items()):
        if max(r["x1"] for r in rects) - min(r["x0"] for r in rects) < 0.35 * page.width:
            continue  # not a table row (a chart's bar, a legend's swatch)
        row = {"top": top, "bottom": bottom, "header": any(abs(_grey(r) - HEADER_GREY) < 0.01 for r in rects)}
        if blocks and row["top"] - blocks[-1][-1]["bottom"] <= 8:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return [
        {
            "top": rows[0]["top"],
            "bottom": rows[-1]["bottom"],
            "header": sum(r["header"] for r in rows),
            "body": sum(not r["header"] for r in rows),
        }
        for rows in blocks
        if rows[0]["header"]  # a table opens with its header row, here or repeated on a new page
    ]


def split_table_problems(path, lines: list[dict]) -> list[str]:
    """Tables that start at a page foot with fewer than two body rows, or carry fewer than two
    over; notes and source lines of tables (注：…, 资料来源：…) that open a page, away from the table."""
    problems = []
    with pdfplumber.open(path) as pdf:
        blocks = [table_blocks(page) for page in pdf.pages]
    for index, found in enumerate(blocks):
        page = index + 1
        for block in found:
            below = [x for x in lines if x["page"] == page and block["bottom"] <= x["top"] <= block["bottom"] + 30]
            if not any("续下页" in x["text"] for x in below):
                continue
            if block["body"] < 2:
                problems.append(f"p. {page}: a table starts with {block['body']} row(s) at the page foot")
            following = blocks[index + 1] if index + 1 < len(blocks) else []
            if following and following[0]["body"] < 2:
                problems.append(f"p. {page + 1}: a table carries over {following[0]['body']} row(s)")
    for page in sorted({x["page"] for x in lines}):
        body = [x for x in lines if x["page"] == page and x["top"] >= TEXT_TOP_PT]
        first = min(body, key=lambda x: x["top"]) if body else None
        if first and re.match(r"(注：|资料来源：)", first["text"]):
            problems.append(f"p. {page}: {first['text'][:30]!r} opens the page, away from its table")
    return problems


def test_no_table_starts_or_ends_with_one_row_at_a_page_break(book, layout):
    problems = split_table_problems(book["pdf"], layout)
    assert not problems, "tables split at a page break:\n" + "\n".join(problems)


def test_title_page_date_and_imprint(book):
    """The title page dates the book as Chinese books do (2026年12月3日); 关于本书 carries the
    imprint: the source report and its publisher, the licences, the version and the build date."""
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(book["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    date = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", first)
    assert date, f"no date on the title page: {first!r}"
    assert date[0] == f"{int(date[1])}年{int(date[2])}月{int(date[3])}日", f"the title page dates it {date[0]!r}"
    flat = book["flat"]
    imprint = flat[flat.index("版本说明") :]
    for words in ("《2020上海科技进步报告》", "上海市科学技术委员会", "CCBY4.0", "MIT", "LICENSE"):
        assert words in imprint, f"the imprint does not name {words}"
    assert re.search(r"版本：[0-9a-zA-Z.\-]+|版本：未知", imprint), "the imprint gives no version"
    assert re.search(r"生成日期：\d{4}年\d{1,2}月\d{1,2}日", imprint), "the imprint gives no build date"
    assert "{{" not in flat, "an unfilled mark in the PDF"


def test_web_only_words_stay_off_paper(book):
    assert "下载菜单" not in book["flat"], "the PDF speaks of the web edition's download menu"


def test_every_link_to_another_page_gives_its_page_number(book):
    """On paper a link cannot be followed: each cross-reference to a page or a place in the book
    says on which page it is (numbered references, 图 2-3 and 表 2-3, carry their own number)."""
    refs = re.findall(r"\\sphinxcrossref\{.*?\}\}+(.{0,12})", book["tex"])
    assert refs, "no cross-reference in book.tex"
    assert all(after.startswith("（第\\pageref") for after in refs), refs
    assert re.search(r"（第\d+页）", book["flat"]), "no page number given for a cross-reference"


def test_no_latin_name_or_file_name_broken_across_lines(layout):
    """Running text never hyphenates a Latin word or name, nor breaks a file name, across lines
    ("OFF-/SHORE", "or-/ganisations.csv", "platform_result_/figures.csv"). (A table's narrow cell
    may hyphenate a word wider than the cell.)"""
    text_size = body_text_size(layout)
    text = [x for x in layout if abs(x["size"] - text_size) < 0.3 and x["top"] >= TEXT_TOP_PT]
    broken = [x["text"][-20:] for x in text if re.search(r"[A-Za-z0-9][\-\u2010\u2011_]$", x["text"])]
    assert not broken, f"lines ending inside a Latin name: {broken}"


def pdf_chunks(path) -> list[dict]:
    """Every run of text on a line of the PDF that no wide gap interrupts: a table row's line falls
    into one chunk per cell. Page, top, left (pt), size, text without whitespace."""
    chunks = []
    for number, top, size, chars in pdf_rows(path):
        run: list = []
        for char in chars:
            if run and char["x0"] - run[-1]["x1"] > CELL_GAP_PT:
                chunks.append(_chunk(number, top, size, run))
                run = []
            run.append(char)
        chunks.append(_chunk(number, top, size, run))
    return [c for c in chunks if c["text"]]


# A gap wider than this between two characters of a line separates two table cells (two tabcolseps
# are 8 pt); a space between Latin words is about 2.5 pt.
CELL_GAP_PT = 5.0


def _chunk(page: int, top: int, size: float, chars: list) -> dict:
    text = squeeze("".join(c["text"] for c in chars))
    # the line ends inside a word: a hyphen set tight against a letter or digit ("OFF-"), not one
    # standing between words ("Yangshan Port - Donghai Bridge" may break after " -")
    tail = [c for c in chars if c["text"].strip()][-2:]
    inside = (
        len(tail) == 2
        and re.fullmatch(r"[A-Za-z0-9][\-\u2010\u2011\u00ad]", tail[0]["text"] + tail[1]["text"]) is not None
        and tail[1]["x0"] - tail[0]["x1"] < 1.0
    )
    return {"page": page, "top": top, "x0": chars[0]["x0"], "size": size, "text": text, "word_broken": inside}


@pytest.fixture(scope="session")
def chunks(book):
    return pdf_chunks(book["pdf"])


def in_tables(path, chunks: list[dict]) -> list[dict]:
    """The chunks that lie inside a table's rows (its grey bands)."""
    with pdfplumber.open(path) as pdf:
        blocks = {number: table_blocks(page) for number, page in enumerate(pdf.pages, start=1)}
    return [c for c in chunks if any(b["top"] - 2 <= c["top"] <= b["bottom"] for b in blocks[c["page"]])]


def hyphenated_in_tables(path, chunks: list[dict]) -> list[str]:
    """Table cells whose line ends inside a Latin word or name ("OFF-" over "SHORE", "GV-" over "971")."""
    return [f"p. {c['page']}: {c['text'][-20:]!r}" for c in in_tables(path, chunks) if c["word_broken"]]


def test_no_latin_word_hyphenated_in_a_table_cell(book, chunks):
    """A table cell, like the running text, never breaks a Latin word or name across lines
    ("荷兰SBM OFF-/SHORE公司"): the PDF gives the column the width of its longest word."""
    broken = hyphenated_in_tables(book["pdf"], chunks)
    assert not broken, "table cells with a Latin word broken across lines:\n" + "\n".join(broken)


# A last line of one character: a Chinese character alone, or with the punctuation that closes it.
LONE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff][。，、；：！？”’）》」』】…—]*")


def lone_last_lines(chunks: list[dict], text_size: float) -> list[str]:
    """Lines holding one Chinese character (and its closing punctuation) that end a paragraph of
    the text or of a table cell (a cell's line directly under another line of the same cell: a
    cell of one character, such as "等", is not a last line)."""
    found = []
    for c in chunks:
        if not LONE.fullmatch(c["text"]) or c["top"] < TEXT_TOP_PT:
            continue
        if abs(c["size"] - text_size) < 0.3:
            found.append(f"p. {c['page']}: {c['text']!r}")
            continue
        above = [
            o
            for o in chunks
            if o["page"] == c["page"]
            and o["size"] == c["size"]
            and abs(o["x0"] - c["x0"]) < 2
            and 0 < c["top"] - o["top"] <= 1.6 * c["size"]
        ]
        if above:
            found.append(f"p. {c['page']}: {above[-1]['text'][-12:]!r} / {c['text']!r}")
    return found


def test_no_paragraph_ends_with_a_lone_character(layout, chunks):
    """No paragraph of the text, nor any table cell, ends with a line of one Chinese character and
    its punctuation ("面。" alone): latex.py ties a paragraph's last character to the one before."""
    lone = lone_last_lines(chunks, body_text_size(layout))
    assert not lone, "paragraphs ending in a line of one character:\n" + "\n".join(lone)


def tables_with_sources(site) -> list[str]:
    """Numbers of the web edition's tables printed with a source line (资料来源：…) under them."""
    numbers = []
    for page in html_pages(site):
        html = page.read_text(encoding="utf-8")
        parts = re.split(r'class="caption-number">表\s*([\d\-]+)\s*</span>', html)
        for number, after in zip(parts[1::2], parts[2::2], strict=True):
            if 'class="source-line"' in after.split("</table>", 1)[-1].split("<table", 1)[0]:
                numbers.append(number)
    return numbers


def dashes(text: str) -> str:
    """The PDF's text with its non-breaking hyphens (the fonts' one glyph for both) read as "-"."""
    return re.sub(r"[\u2010\u2011]", "-", text)


def notes_away_from_tables(path, lines: list[dict], numbers: list[str], captions: dict[str, str]) -> list[str]:
    """Tables whose note (注：…) or source line (资料来源：…) is not the first thing under the table's
    last row, on the same page (the table followed down its pages by its repeated header)."""
    with pdfplumber.open(path) as pdf:
        blocks = {number: table_blocks(page) for number, page in enumerate(pdf.pages, start=1)}
    problems = []
    for number in numbers:
        # the caption's first line (the number and the caption's text run together once squeezed)
        whole = dashes(squeeze(f"表{number}{captions[number]}"))
        caption = next(
            (x for x in lines if len(x["text"]) > len(number) + 2 and whole.startswith(dashes(x["text"]))), None
        )
        if caption is None:
            problems.append(f"表 {number}: no caption in the PDF")
            continue
        page, top = caption["page"], caption["top"]
        while True:
            block = next((b for b in blocks.get(page, []) if b["top"] >= top), None)
            if block is None:
                problems.append(f"表 {number}: no table rows under its caption on p. {page}")
                break
            below = sorted(
                (x for x in lines if x["page"] == page and x["top"] >= block["bottom"]), key=lambda x: x["top"]
            )
            if below and "续下页" in below[0]["text"]:
                page, top = page + 1, 0  # the table goes on under its repeated header
                continue
            if not below or not re.match(r"(注：|资料来源：)", below[0]["text"]):
                after = below[0]["text"][:20] if below else "the page's end"
                problems.append(
                    f"表 {number}: its last row (p. {page}) is followed by {after!r}, not its note or source"
                )
            break
    return problems


def test_notes_and_sources_stay_with_their_tables(book, layout):
    """A table's note and source line are printed right under its last row, on the same page."""
    numbers = tables_with_sources(book["site"])
    assert numbers, "no table with a source line in the web edition"
    problems = notes_away_from_tables(book["pdf"], layout, numbers, dict(html_captions("表", book["site"])))
    assert not problems, "notes and sources away from their tables:\n" + "\n".join(problems)


@pytest.mark.parametrize("length, inside", [(40, True), (latex.FLOAT_WORDS + 1, False)])
def test_a_figures_report_words_never_start_before_it(length, inside):
    """A figure's 报告原文 block goes into the figure's float when it fits a page with it; a longer
    one follows it, with the figure placed first (\\FloatBarrier), so the block never starts before
    the floated figure and resumes after it (图 2-6's did)."""
    from docutils import nodes

    section = nodes.section()
    figure = nodes.figure("", nodes.caption("", "图 2-6"))
    words = nodes.paragraph("", "报" * length, classes=[latex.REPORT_WORDS])
    section += [figure, words]
    latex._into_figure(words)
    if inside:
        assert words.parent.parent is figure
    else:
        barrier = section.children[section.index(words) - 1]
        assert isinstance(barrier, nodes.raw) and "FloatBarrier" in barrier.astext()
        assert barrier.get("format") == "latex"
