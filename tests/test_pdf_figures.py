"""The PDF edition's charts (issue 21): the notebooks store each chart as SVG only, and the PDF
draws it from that SVG at PDF time (bookbuild/sphinx/svgpdf.py). On the page that prints a
chart, every label of the chart is text (pdftotext finds it), in the house font (Noto Sans CJK SC,
embedded), and the chart is vector: no raster image on the page.

Builds the PDF once per session through the normal pipeline, in the tested copy (never in place);
skipped, saying so, where TeX or poppler is absent (tools/install-tex.sh installs them).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import build_book

from bookbuild.build import toc_notebooks
from bookbuild.pdf import PDF
from techreport.present import drawings

ROOT = Path(__file__).resolve().parent.parent
POPPLER = ("pdftotext", "pdfimages", "pdffonts")
pytestmark = pytest.mark.skipif(
    shutil.which("xelatex") is None or any(shutil.which(tool) is None for tool in POPPLER),
    reason="the PDF edition needs xelatex and poppler-utils: run tools/install-tex.sh",
)
#: The font the charts are drawn in (techreport.style.FONT), as a PDF names its embedded subset.
CHART_FONT = "NotoSansCJKsc-Regular"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def labels(svg: str) -> list[str]:
    """The text of a chart's SVG (text is text: ``svg.fonttype: none``), one entry a text element."""
    return [t for t in (squeeze(html.unescape(m)) for m in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)) if t]


def book_charts(root: Path = ROOT) -> dict[str, str]:
    """{figure name: its wide SVG}, the drawing the PDF prints, over every page."""
    found = {}
    for path in toc_notebooks():
        nb = json.loads((root / path.relative_to(ROOT)).read_text(encoding="utf-8"))
        found.update({name: pair["wide"] for name, pair in drawings(nb).items()})
    return found


def pages_text(pdf: Path) -> list[str]:
    """Each page's text, whitespace removed (pdftotext separates pages by form feeds)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [squeeze(page) for page in text.split("\f")]


def raster_pages(pdf: Path) -> set[int]:
    """Pages (from 1) that hold a raster image."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {int(line.split()[0]) for line in out.splitlines()[2:] if line.strip()}


def page_fonts(pdf: Path, page: int) -> list[str]:
    """'name type' of each font of a page, as pdffonts lists them."""
    out = subprocess.run(
        ["pdffonts", "-f", str(page), "-l", str(page), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines()[2:] if line.strip()]


def chart_problems(pdf: Path, charts: dict[str, str]) -> list[str]:
    """What is wrong with the charts as ``pdf`` prints them: a chart whose labels no page holds
    as text, or whose page holds a raster image or lacks the chart font."""
    pages, raster, problems = pages_text(pdf), raster_pages(pdf), []
    for name, svg in charts.items():
        words = labels(svg)
        found = [i + 1 for i, page in enumerate(pages) if all(w in page for w in words)]
        if not found:
            best = max(pages, key=lambda page: sum(w in page for w in words))
            missing = [w for w in words if w not in best]
            problems.append(f"{name}: no page holds all its {len(words)} labels as text; missing e.g. {missing[:5]}")
            continue
        for page in found:
            if page in raster:
                problems.append(f"{name}: page {page} holds a raster image")
            if not any(CHART_FONT in font.split()[0] and " yes " in f" {font} " for font in page_fonts(pdf, page)):
                problems.append(f"{name}: page {page} has no embedded {CHART_FONT}")
    return problems


@pytest.fixture(scope="session")
def book_pdf(built_repo) -> Path:
    build_book("pdf", built_repo)
    return built_repo / "_build" / "pdf" / PDF


def test_labels_split_an_svg_into_its_texts():
    svg = '<svg><text x="1">2020年 &amp; LNG</text><g><text style="a">3月</text></g><text> </text></svg>'
    assert labels(svg) == ["2020年&LNG", "3月"]


def test_every_chart_prints_its_labels_as_vector_text_in_the_house_font(book_pdf):
    charts = book_charts()
    assert len(charts) >= 10
    assert chart_problems(book_pdf, charts) == []
