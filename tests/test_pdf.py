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

import pytest
from helpers import build_book
import yaml

from bookbuild import build
from techreport.data import load_table
from bookbuild.pdf import LOG, PDF, problems, read_log
from techreport.present import fmt_row

ROOT = build.ROOT
pytestmark = pytest.mark.skipif(
    shutil.which("xelatex") is None or shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
    reason="the PDF edition needs xelatex, latexmk and pdftotext: run tools/install-tex.sh "
           "(apt-get install --no-install-recommends texlive-xetex texlive-lang-chinese "
           "texlive-fonts-recommended latexmk fonts-noto-cjk fonts-freefont-otf poppler-utils)",
)


def squeeze(text: str) -> str:
    """Text without whitespace: CJK lines wrap anywhere, pdftotext adds spaces."""
    return re.sub(r"\s+", "", text)


def _build(target: str) -> None:
    if target == "pdf":  # prove it builds: forget that the sources were published already
        state = build.read_state()
        state.pop("published-pdf", None)
        build.write_state(state)
    build_book(target)


@pytest.fixture(scope="session")
def book():
    _build("html")
    _build("pdf")
    out = build.TARGETS["pdf"]["publish"]
    pdf = out / PDF
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return {"pdf": pdf, "log": read_log(out / LOG), "text": text, "flat": squeeze(text),
            "tex": (build.TARGETS["pdf"]["stage"] / build.TARGETS["pdf"]["built"] / "book.tex").read_text("utf-8")}


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


def html_captions(kind: str) -> list[str]:
    """Numbers of every figure ("图") or table ("表") caption in the HTML book."""
    numbers = []
    for page in sorted((build.TARGETS["html"]["publish"]).rglob("*.html")):
        numbers += re.findall(rf'class="caption-number">{kind}\s*([\d.]+)', page.read_text(encoding="utf-8"))
    return numbers


def pdf_captions(text: str, kind: str) -> list[str]:
    return re.findall(rf"^\s*{kind}\s*(\d+(?:\.\d+)*)\s*[:：]", text, re.M)


def test_pdf_is_an_a4_book(book):
    info = subprocess.run(["pdfinfo", str(book["pdf"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 3
    assert "目录" in book["flat"]  # Chinese contents


def test_log_has_no_missing_character_or_overfull_text(book):
    assert "Missing character" not in book["log"]
    assert problems(book["log"]) == []


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
    missing = [f"{row['id']}: {fmt_row(row)}" for _, row in indicators.iterrows()
               if squeeze(fmt_row(row)) not in book["flat"]]
    assert not missing, "figures of indicators.csv missing from the PDF:\n" + "\n".join(missing)


def test_same_figures_and_tables_as_the_html(book):
    for kind in ("图", "表"):
        html = html_captions(kind)
        assert sorted(pdf_captions(book["text"], kind)) == sorted(html), f"{kind}: PDF and HTML differ"
    assert len(html_captions("图")) == book["tex"].count(r"\begin{figure}")


def test_charts_are_vector_with_searchable_text(book):
    graphics = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{?([^}]+)\}?([^}]*)\}", book["tex"])
    assert all(ext.endswith(".pdf") or name.endswith(".pdf") for name, ext in graphics), graphics
    # every chart carries its source line inside the image (style.add_source): as text, not paths
    assert book["flat"].count("资料来源：《2020上海科技进步报告》第2章；数据：") >= len(html_captions("图"))


def test_no_code_in_the_pdf(book):
    assert r"\begin{sphinxVerbatimInput}" not in book["tex"]
    for code in ("style.setup()", "load_table(", "import "):
        assert code not in book["text"]
