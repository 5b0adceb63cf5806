"""What Our World in Data readers get (issue 20): under every chart and table its numbers, its
files and its citation; a chart viewer; citation and card meta tags on every page; the data
package and a runnable notebook per page (bookbuild/sphinx/figures.py, cite.py, downloads.py,
tools/web/static/web/reader.js).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        key = attrs.get("name") or attrs.get("property")
        if tag == "meta" and key and "content" in attrs:
            self.meta.setdefault(key, []).append(attrs["content"])


def _pages(site: Path) -> list[str]:
    from measure import web

    return web.html_pages(site)


def _local(site: Path, page: str, href: str) -> Path:
    """The file a relative link of ``page`` points to."""
    return site / urlsplit(urljoin(page, href)).path.lstrip("/")


def _png_size(path: Path) -> tuple[int, int]:
    from bookbuild.sphinx.downloads import png_size

    return png_size(path.read_bytes()[:24])


# ---- pure functions --------------------------------------------------------------------------


def test_citation_cff_is_the_books_version_and_complete():
    import tomllib

    from bookbuild.sphinx import cite

    record = cite.book()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert str(record["version"]) == version, "CITATION.cff and pyproject.toml disagree on the version"
    assert cite.authors(record) and record["cff-version"] == "1.2.0"


def test_citation_formats():
    from bookbuild.sphinx import cite

    record = {
        "title": "书名",
        "authors": [{"family-names": "张", "given-names": "三"}, {"name": "某机构"}],
        "version": "2.0",
        "date-released": "2026-01-02",
    }
    gb = cite.gbt7714(record, "图 2-1 标题", "https://example.org/a.html#fig-a", "2026-03-04")
    assert (
        gb
        == "张三, 某机构. 书名: 图 2-1 标题[EB/OL]. 2.0版. (2026-01-02)[2026-03-04]. https://example.org/a.html#fig-a."
    )
    bib = cite.bibtex(record, "fig-a_b", "50% {x}", "u", "2026-03-04")
    assert bib.startswith("@misc{techreport2020ch2-fig-a-b,") and r"{50\% \{x\}}" in bib
    assert "author = {{张三} and {某机构}}" in bib and "urldate = {2026-03-04}" in bib
    assert cite.item_title("图 2-1", "全年177个。数据：indicators.csv。") == "图 2-1 全年177个"


def test_meta_tags_name_the_pdf_only_when_given_and_go_absolute_with_a_url():
    from bookbuild.sphinx import cite

    record = {"title": "书", "authors": [{"name": "某"}], "version": "1", "date-released": "2026-01-02"}
    kw = dict(title="页", description="说明", page_url="book/a/b.html", book_title="书", is_root=False)
    image = ("_images/x.png", (10, 20), "图")
    tags = cite.meta_tags(record, image=image, pdf_url=None, **kw)
    assert "citation_pdf_url" not in tags and 'content="../../_images/x.png"' in tags
    assert 'name="citation_publication_date" content="2026/01/02"' in tags
    tags = cite.meta_tags({**record, "url": "https://b.example/"}, image=image, pdf_url="book.pdf", **kw)
    assert 'name="citation_pdf_url" content="https://b.example/book.pdf"' in tags
    assert 'property="og:url" content="https://b.example/book/a/b.html"' in tags


def test_data_table_rows_are_the_rows_the_figure_draws(tmp_path):
    """Quoted rows, rows tied to them by a foreign key, else the whole table; Chinese titles."""
    from bookbuild.sphinx.figures import shown_rows

    (tmp_path / "data").mkdir()
    things = [
        {"name": "id", "title": "编号"},
        {"name": "name_en", "title": "英文名"},
        {"name": "kind", "title": "类别", "enumTitles": {"a": "甲类"}},
        {"name": "source_quote", "title": "报告原文"},
    ]
    parts = [{"name": "thing_id", "title": "所属"}, {"name": "part", "title": "部件"}]  # a key, then a name
    package = {
        "resources": [
            {"name": "t", "path": "t.csv", "schema": {"fields": things}},
            {
                "name": "p",
                "path": "p.csv",
                "schema": {
                    "fields": parts,
                    "foreignKeys": [{"fields": ["thing_id"], "reference": {"resource": "t", "fields": ["id"]}}],
                },
            },
            {"name": "d", "path": "d.csv", "schema": {"fields": [{"name": "id", "title": "区"}]}},
        ]
    }
    (tmp_path / "data" / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    (tmp_path / "data" / "t.csv").write_text("id,name_en,kind,source_quote\n1,x,a,甲 乙\n2,y,b,丙\n", encoding="utf-8")
    (tmp_path / "data" / "p.csv").write_text("thing_id,part\n1,轮\n2,翼\n1,舱\n", encoding="utf-8")
    (tmp_path / "data" / "d.csv").write_text("id\n浦东\n徐汇\n", encoding="utf-8")
    shown = shown_rows(tmp_path, ["t", "p", "d"], {"甲 乙"})
    assert shown["t"] == (["类别"], [["甲类"]], "quoted")  # row ids and keys left out
    assert shown["p"] == (["部件"], [["轮"], ["舱"]], "linked")
    assert shown["d"] == (["区"], [["浦东"], ["徐汇"]], "all")
    assert shown_rows(tmp_path, ["t"], {"丁"})["t"][1:] == ([["甲类"], ["b"]], "all")


def test_the_phone_drawing_is_rendered_by_a_myst_nb_mime_renderer_plugin():
    """The entry point is installed (pyproject.toml), its type comes before the wide SVG's for the
    web and the PDF, it renders nothing where the cell ran (glue:figure places the figure), and
    leaves every other type to MyST-NB."""
    from docutils import nodes
    from myst_nb.core.render import MimeData, get_mime_priority, load_mime_renders

    from bookbuild.sphinx.figures import PhoneDrawing
    from techreport.present import PHONE_SVG

    assert PhoneDrawing in load_mime_renders()
    for builder in ("html", "latex"):
        order = get_mime_priority(builder, [["latex", "image/svg+xml", 8]])
        assert order.index(PHONE_SVG) < order.index("image/svg+xml"), builder
    assert PhoneDrawing.handle_mime(None, MimeData("image/svg+xml", "<svg/>"), False) is None
    in_place = PhoneDrawing.handle_mime(None, MimeData(PHONE_SVG, "<svg/>", cell_index=3, output_index=0), False)
    assert [type(node) for node in in_place] == [nodes.comment] and not in_place[0].astext()


def test_runnable_zip_holds_what_the_notebook_needs(tmp_path):
    from bookbuild.sphinx.downloads import runnable_notebook

    notebook = ROOT / "book" / "2-1-three-fields" / "ic.ipynb"
    data = runnable_notebook(notebook, "集成电路", "书", ["ic_focus.csv", "../book/overview.ipynb"])
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {"ic.ipynb", "README.md", "requirements.txt", "techreport/data.py", "data/datapackage.json"} <= names
    assert {"data/ic_focus.csv", "book/overview.ipynb", "data/source/chapter-2.txt"} <= names
    assert "data/indicators.csv" not in names  # only what it read
    lock = zipfile.ZipFile(io.BytesIO(data)).read("requirements.txt").decode()
    assert "-e ." not in lock.splitlines() and "pandas==" in lock
    assert runnable_notebook(notebook, "集成电路", "书", ["ic_focus.csv"]) == runnable_notebook(
        notebook, "集成电路", "书", ["ic_focus.csv"]
    ), "the zip is not byte-stable"


# ---- the built site --------------------------------------------------------------------------


def test_citation_meta_on_every_page(site):
    from bookbuild.sphinx import cite

    record = cite.book()
    pdf = (site / "book.pdf").is_file()
    problems = []
    for page in _pages(site):
        parser = _Meta()
        parser.feed((site / page).read_text(encoding="utf-8"))
        meta = parser.meta
        for key in ("citation_title", "citation_author", "citation_language", "og:title", "og:description", "og:image"):
            if not meta.get(key) or not meta[key][0].strip():
                problems.append(f"{page}: no {key}")
        if meta.get("citation_publication_date") != [str(record["date-released"]).replace("-", "/")]:
            problems.append(f"{page}: citation_publication_date {meta.get('citation_publication_date')}")
        if meta.get("citation_author") != cite.authors(record):
            problems.append(f"{page}: citation_author {meta.get('citation_author')}")
        if ("citation_pdf_url" in meta) != pdf:
            problems.append(f"{page}: citation_pdf_url {meta.get('citation_pdf_url')} but book.pdf published: {pdf}")
        for image in meta.get("og:image", []):
            path = _local(site, page, image)
            if not path.is_file():
                problems.append(f"{page}: og:image {image} is not in the site")
            elif [str(n) for n in _png_size(path)] != meta.get("og:image:width", []) + meta.get("og:image:height", []):
                problems.append(
                    f"{page}: og:image size is not {meta.get('og:image:width')}x{meta.get('og:image:height')}"
                )
    assert not problems, problems


ROW = re.compile(r'<div class="fig-tools" role="group" aria-label="([^"]*)">(.*?)</div></details></div>', re.S)


def _rows(html: str) -> dict[str, str]:
    """{label of the row (图 2-5 / 表 2-3): its HTML}."""
    return {m.group(1).split("：")[0]: m.group(2) for m in ROW.finditer(html)}


def test_control_row_under_every_figure_and_table_with_working_downloads(site):
    from sphinx.util.images import get_image_size

    problems, figures, tables = [], 0, 0
    for page in _pages(site):
        html = (site / page).read_text(encoding="utf-8")
        rows = _rows(html)
        numbers = re.findall(r'<span class="caption-number">((?:图|表) [\d-]+)\s*</span>', html)
        for number in numbers:
            if number not in rows:
                problems.append(f"{page}: {number} has no control row")
        for label, row in rows.items():
            summaries = re.findall(r"<summary>(.*?)</summary>", row)
            wanted = ["数据表", "下载", "引用"] if label.startswith("图") else ["下载", "引用"]
            if summaries != wanted:
                problems.append(f"{page} {label}: controls {summaries}")
            links = re.findall(r'<a href="([^"#]+)" download="([^"]+)"', row)
            kinds = {Path(name).suffix for _, name in links}
            if kinds != ({".png", ".svg", ".csv"} if label.startswith("图") else {".csv"}):
                problems.append(f"{page} {label}: downloads {sorted(kinds)}")
            svg = next((_local(site, page, h) for h, n in links if n.endswith(".svg")), None)
            for href, name in links:
                path = _local(site, page, href)
                if not path.is_file():
                    problems.append(f"{page} {label}: {href} is not in the site")
                elif name.endswith(".png"):
                    want = tuple(2 * round(v) for v in get_image_size(str(svg)))
                    if abs(_png_size(path)[0] - want[0]) > 2 or abs(_png_size(path)[1] - want[1]) > 2:
                        problems.append(f"{page} {label}: PNG {_png_size(path)}, SVG at 2x is {want}")
                elif name.endswith(".csv"):
                    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
                    if len(table) < 2 or len({len(r) for r in table}) != 1:
                        problems.append(f"{page} {label}: {name} is not a table ({len(table)} rows)")
            if "GB/T 7714" not in row or "@misc{" not in row or row.count("data-copy=") != 3:
                problems.append(f"{page} {label}: citation incomplete")
            figures += label.startswith("图")
            tables += label.startswith("表")
    assert not problems, problems
    assert figures >= 10 and tables >= 10, (figures, tables)


def test_a_tables_csv_is_the_table_as_shown(site):
    """The 本表 CSV has the shown table's header and as many rows as its <tbody>."""
    page = "book/2-1-three-fields/biomed.html"
    html = (site / page).read_text(encoding="utf-8")
    checked = 0
    for ident in re.findall(r'<table[^>]*\bid="(tbl-[^"]+)"', html):
        table = html[html.index(f'id="{ident}"') :]
        table = table[: table.index("</table>")]
        body_rows = len(re.findall(r"<tr", table.split("<tbody", 1)[1]))
        head = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table.split("<tbody")[0])]
        rows = list(csv.reader(io.StringIO((site / "_downloads" / "tables" / f"{ident}.csv").read_text("utf-8-sig"))))
        assert rows[0] == head and len(rows) - 1 == body_rows, ident
        checked += 1
    assert checked


def test_data_package_zip(site):
    archive = zipfile.ZipFile(site / "data.zip")
    package = json.loads(archive.read("data/datapackage.json"))
    names = set(archive.namelist())
    for resource in package["resources"]:
        assert f"data/{resource['path']}" in names, resource["path"]
        if resource["path"].endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(archive.read(f"data/{resource['path']}").decode("utf-8"))))
            fields = [f["name"] for f in resource["schema"]["fields"]]
            assert rows and list(rows[0]) == fields, resource["path"]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="data.zip"' in index, "关于本书 does not link the data package"


def test_download_menu_offers_the_runnable_notebook(site):
    for page in _pages(site):
        html = (site / page).read_text(encoding="utf-8")
        notebook = (ROOT / page).with_suffix(".ipynb").is_file()
        zipped = Path(page).with_suffix(".zip").name
        assert (f'href="{zipped}"' in html) == notebook, page
        if notebook:
            assert zipfile.ZipFile(_local(site, page, zipped)).testzip() is None


# ---- in a browser ----------------------------------------------------------------------------

VIEWER_PAGE = "book/2-1-three-fields/biomed.html"


def _open(chrome, base, reader):
    context = chrome.new_context(locale="zh-CN", **(PHONE if reader == "phone" else DESKTOP))
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + VIEWER_PAGE, wait_until="load")
    return page, requests


def _tap(page, locator, reader):
    (locator.tap() if reader == "phone" else locator.click())
    page.wait_for_timeout(400)


@pytest.mark.parametrize("reader", ["phone", "desktop"])
@pytest.mark.parametrize("how", ["close", "escape", "back"])
def test_viewer_opens_and_returns_to_the_same_place(base, chrome, reader, how):
    page, requests = _open(chrome, base, reader)
    try:
        figure = page.locator("figure[id^=fig-]").last  # well down the page: a scroll position worth keeping
        figure.scroll_into_view_if_needed()
        page.evaluate("() => scrollBy(0, -40)")
        page.wait_for_timeout(300)
        y, url = page.evaluate("scrollY"), page.url
        assert y > 200
        _tap(page, figure.locator("a.figure-full"), reader)
        assert page.url == url, "the viewer navigated away"
        shown = page.evaluate("""() => {
            const d = document.querySelector('dialog.fig-viewer');
            const img = d && d.querySelector('img');
            const r = img && img.getBoundingClientRect();
            return d && {open: d.open, caption: d.querySelector('.fig-viewer__caption').textContent,
                         src: img.currentSrc, width: r.width, focus: document.activeElement.className};
        }""")
        assert shown and shown["open"], "no viewer opened"
        assert shown["caption"].startswith("图 2-"), shown["caption"]
        assert ("-phone-" in shown["src"]) == (reader == "phone"), shown["src"]
        assert shown["width"] > (300 if reader == "phone" else 900), shown
        assert "fig-viewer__close" in shown["focus"], "focus is not in the viewer"
        if how == "close":
            _tap(page, page.locator(".fig-viewer__close"), reader)
        elif how == "escape":
            page.keyboard.press("Escape")
            page.wait_for_timeout(400)
        else:
            page.go_back()
            page.wait_for_timeout(400)
        after = page.evaluate("""() => ({open: document.querySelector('dialog.fig-viewer').open, y: scrollY,
            focus: document.activeElement.className})""")
        assert not after["open"], f"{how} did not close the viewer"
        assert abs(after["y"] - y) <= 1, f"{how}: scroll {y} -> {after['y']}"
        assert page.url == url, f"{how}: left the page ({page.url})"
        if how != "back":
            assert after["focus"] == "figure-full", "focus did not return to the chart"
    finally:
        page.context.close()
    assert all(r.startswith(base) for r in requests), [r for r in requests if not r.startswith(base)]


def test_viewer_zooms(base, chrome):
    page, _ = _open(chrome, base, "desktop")
    try:
        page.locator("figure[id^=fig-] a.figure-full").nth(0).click()
        page.wait_for_timeout(400)
        width = page.evaluate("() => document.querySelector('.fig-viewer img').getBoundingClientRect().width")
        page.locator('.fig-viewer [data-zoom="1"]').click()
        page.wait_for_timeout(200)
        zoomed = page.evaluate("() => document.querySelector('.fig-viewer img').getBoundingClientRect().width")
    finally:
        page.context.close()
    assert zoomed > width * 1.4, (width, zoomed)


def test_copy_puts_the_citation_with_its_permalink_on_the_clipboard(base, chrome):
    context = chrome.new_context(locale="zh-CN", **DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
    page = context.new_page()
    try:
        page.goto(base + VIEWER_PAGE, wait_until="load")
        row = page.locator("figure[id^=fig-] + .fig-tools").nth(0)
        label = page.evaluate("() => document.querySelector('figure[id^=fig-]').id")
        row.locator("summary", has_text="引用").click()
        button = row.locator("button[data-copy$=-gb]")
        button.click()
        page.wait_for_timeout(300)
        copied = page.evaluate("() => navigator.clipboard.readText()")
        said = button.text_content()
    finally:
        context.close()
    assert said == "已复制"
    assert copied.startswith("《") and "[EB/OL]" in copied, copied
    assert copied.endswith(f"{base}{VIEWER_PAGE}#{label}."), copied


def test_data_table_opens_under_the_chart(base, chrome):
    page, _ = _open(chrome, base, "phone")
    try:
        row = page.locator("figure[id^=fig-] + .fig-tools").nth(0)
        _tap(page, row.locator("summary", has_text="数据表"), "phone")
        facts = page.evaluate("""() => {
            const row = document.querySelector('figure[id^=fig-] + .fig-tools');
            const table = row.querySelector('.fig-data table');
            const r = table.getBoundingClientRect(), s = row.querySelector('summary').getBoundingClientRect();
            return {rows: table.tBodies[0].rows.length, visible: r.height > 0, below: r.top > s.bottom,
                    summaryHeight: s.height, boxWidth: row.querySelector('.fig-data').getBoundingClientRect().width};
        }""")
    finally:
        page.context.close()
    assert facts["visible"] and facts["rows"] > 0 and facts["below"], facts
    assert facts["summaryHeight"] >= 44 and facts["boxWidth"] <= 390, facts


# ---- the runnable notebook -------------------------------------------------------------------


def _glued(notebook: dict) -> dict[str, str]:
    found = {}
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = out.get("data", {})
                text = next((v for k, v in data.items() if k.endswith("text/plain")), "")
                found[name] = "".join(text) if isinstance(text, list) else text
    return found


@pytest.mark.slow
def test_runnable_notebook_runs_in_a_fresh_folder_and_venv(site, tmp_path_factory):
    """Unzip a page's runnable notebook outside the repository, install the lock into a new
    venv (uv, from its shared cache), execute the notebook, find the page's glued values."""
    page = "book/2-1-three-fields/ic"
    work = tmp_path_factory.mktemp("runnable")
    assert not work.resolve().is_relative_to(ROOT)
    zipfile.ZipFile(site / f"{page}.zip").extractall(work)
    assert (work / "README.md").read_text(encoding="utf-8").count("pip install -r requirements.txt")
    uv = ROOT / ".venv" / "bin" / "uv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(work / ".venv")], check=True, env=env)
    subprocess.run(
        [str(uv), "pip", "install", "-q", "--python", str(work / ".venv" / "bin" / "python"), "-r", "requirements.txt"],
        cwd=work,
        check=True,
        env={**env, "UV_LINK_MODE": "copy"},
        timeout=1500,
    )
    result = subprocess.run(
        [
            str(work / ".venv" / "bin" / "jupyter"),
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--output",
            "ran.ipynb",
            "ic.ipynb",
        ],
        cwd=work,
        env={**env, "HOME": str(work)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    expected = _glued(json.loads((ROOT / f"{page}.ipynb").read_text(encoding="utf-8")))
    ran = _glued(json.loads((work / "ran.ipynb").read_text(encoding="utf-8")))
    assert expected, "the page glues nothing: nothing to compare"
    assert ran == expected
    shutil.rmtree(work / ".venv")
