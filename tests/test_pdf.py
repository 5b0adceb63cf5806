"""The PDF edition (`make pdf`): it builds, and it holds what the HTML book holds.

Builds once per session through the normal pipeline (``python -m bookbuild pdf``,
published to _build/pdf/). Needs TeX (tools/install-tex.sh); skipped, saying so, where
xelatex is absent. Everything is read from the book as it is (the TOC, the pages, the data),
so new pages, tables and figures are checked without editing this file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
import yaml
from helpers import build_book

from bookbuild import build
from bookbuild.pdf import LOG, OVERFULL_LIMIT_PT, PDF, problems, read_log
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


def headings(docname: str) -> list[str]:
    """H1 and H2 titles (and rubrics) of a page's markdown."""
    path = ROOT / f"{docname}.ipynb"
    if path.exists():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = (ROOT / f"{docname}.md").read_text(encoding="utf-8")
    found = re.findall(r"^#{1,2}\s+(.+?)\s*$", text, re.M) + re.findall(r"^```\{rubric\}\s+(.+?)\s*$", text, re.M)
    return [re.sub(r"[*_`]", "", h) for h in found]


class _Tables(HTMLParser):
    """The tables of an HTML page: caption text and rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._in: str | None = None  # "caption" or "cell"
        self._open = False  # inside a <table>

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
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
