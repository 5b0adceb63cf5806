"""Checks on the notebooks as committed and on the built HTML book."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import notebook_text

from bookbuild.build import toc_notebooks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = toc_notebooks()


def cells(nb: Path, kind: str = "code"):
    return [c for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == kind]


def test_every_notebook_in_book_is_in_the_toc():
    assert sorted(NOTEBOOKS) == sorted((ROOT / "book").rglob("[!.]*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_executed_clean_and_hides_its_code(nb):
    code = cells(nb)
    assert code, "a page notebook computes something"
    for i, cell in enumerate(code, 1):
        assert cell["execution_count"] == i, "executed top to bottom, once"
        tags = cell.get("metadata", {}).get("tags", [])
        if i == 1:  # setup (imports, house style): not shown on the page at all
            assert tags == ["remove-cell"], "code cell 1 (setup) is not tagged remove-cell"
        else:  # analysis: folded, one click away
            assert "hide-input" in tags, f"code cell {i} is not tagged hide-input"
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"stored error in cell {i}"
            assert out.get("name") != "stderr", f"stderr stored in cell {i}: {''.join(out.get('text', ''))[:200]}"
    first = "".join(code[0]["source"])
    assert "style.setup()" in first and "load_table(" not in first, "first cell: imports and the house style only"
    assert not code[0]["outputs"], "the setup cell shows nothing (it is removed from the page)"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_types_no_number_that_the_data_holds(nb):
    """Markdown cells get their figures through glue, never typed by hand."""
    from techreport.data import load_table

    values = {f"{v:g}" for v in load_table("indicators")["value"] if v >= 10}
    for cell in cells(nb, "markdown"):
        text = re.sub(r"\{[a-z:]+\}`[^`]*`", "", "".join(cell["source"]))  # roles (glue, numref)
        text = re.sub(r"`[^`]*`", "", text)  # code: file names such as indicators.csv
        text = re.sub(r"\d+月(\d+日)?", "", text)  # dates quoted to explain a reading of the layout
        typed = set(re.findall(r"\d+(?:\.\d+)?", text)) & values
        typed -= {"2020"}  # the report's year
        assert not typed, f"{nb.name}: numbers typed by hand in prose: {sorted(typed)}"


def test_every_figure_and_table_is_named_once_cited_and_described():
    names = []
    for nb in NOTEBOOKS:
        text = notebook_text(nb)
        page = re.findall(r":name: ((?:fig|tbl)-[a-z0-9-]+)", text)
        names += page
        for name in page:
            assert f"{{numref}}`{name}`" in text, f"{nb.name}: {name} is never cited in its page"
        for alt in re.findall(r":alt: ([^\n]+)", text):
            assert re.search(r"[\u4e00-\u9fff]", alt), f"{nb.name}: alt text not in Chinese: {alt}"
    assert len(names) == len(set(names)), "a figure or table name is used twice"


def test_html_book_numbers_the_chapter_as_the_report(site):
    page = (site / "book" / "overview.html").read_text(encoding="utf-8")
    assert '<span class="section-number">2 </span>优化科技供给，打造高质量发展新动能' in page
    index = (site / "index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", index, re.S).group(1)
    assert "关于本书" in h1 and "section-number" not in h1, "front matter is unnumbered"


def unnumbered_part_documents() -> list[str]:
    """The pages of the parts of _toc.yml that are not numbered (the back matter)."""
    import yaml

    def files(entries):
        for entry in entries or []:
            yield entry["file"]
            yield from files(entry.get("sections"))

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [doc for part in toc.get("parts", []) if not part.get("numbered") for doc in files(part["chapters"])]


def test_figures_and_tables_are_numbered_and_glue_resolved(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "{glue" not in html and "{numref}" not in html, page
    overview = (site / "book" / "overview.html").read_text(encoding="utf-8")
    # numbered through the chapter as Chinese books number them (图 2-1), never like a section (2.1)
    assert re.search(r"图 2-\d+", overview) and re.search(r"表 2-\d+", overview)
    # back matter (an unnumbered part of _toc.yml, such as 原文对照) numbers its own: 图 1, 表 1
    back = {f"{doc}.html" for doc in unnumbered_part_documents()}
    for page in site.rglob("*.html"):
        numbers = re.findall(r"class=\"caption-number\">(?:图|表) ([^ <]+)", page.read_text(encoding="utf-8"))
        pattern = r"\d+" if page.relative_to(site).as_posix() in back else r"2-\d+"
        assert all(re.fullmatch(pattern, n) for n in numbers), (page, numbers)
    assert "超过2000名" in overview and "近100亿元" in overview and "20余家" in overview


@pytest.mark.parametrize("term", ["石墨烯", "集成电路", "北斗", "人工智能", "功能型平台"])
def test_chinese_terms_are_whole_words_in_the_search_index(site, term):
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert term in index["terms"]


def test_the_user_dictionary_comes_from_the_data(data_copy):
    """A keyword added to the data becomes a search term (the index test above shows terms are kept whole)."""
    from bookbuild.sphinx.search import search_terms

    assert "石墨烯薄膜" not in search_terms(data_copy)
    path = data_copy / "topics.csv"
    text = path.read_text(encoding="utf-8")
    assert "；石墨烯；" in text
    path.write_text(text.replace("；石墨烯；", "；石墨烯；石墨烯薄膜；", 1), encoding="utf-8")
    assert "石墨烯薄膜" in search_terms(data_copy)
