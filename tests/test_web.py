"""The web edition (issue 7): every page of the built site, opened in headless Chromium.

The site is built once per session (``python -m bookbuild html``, a no-op when
nothing changed) and served on 127.0.0.1. Each page must make no request to another
host, log no console error or warning, stay within the page-weight budget, give every
image Chinese alt text, have a meta description and lang="zh-CN", and show no axe-core
violation of serious or critical impact. Search must find the book's terms, including
queries typed without spaces.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("playwright")
from measure import web  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"

# (query as a reader types it, page that must be among the results)
SEARCHES = [
    ("石墨烯", "book/overview.html"),
    ("石墨烯晶圆", "book/overview.html"),
    ("北斗卫星", "book/overview.html"),
    ("功能型平台", "book/overview.html"),
    ("人工智能", "book/overview.html"),
    ("关于本书", "index.html"),
]


@pytest.fixture(scope="session")
def pages(site) -> list[str]:
    found = web.html_pages(site)
    assert "index.html" in found and "search.html" in found
    return found


@pytest.fixture(scope="session")
def loaded(site, base, chrome, pages):
    """Every page loaded once (phone viewport, scrolled through): summary and DOM facts."""
    axe = (Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    out = {}
    for name in pages:
        page, record = web.open_page(chrome, base + name)
        facts = page.evaluate("""() => ({
            lang: document.documentElement.lang,
            description: (document.querySelector('meta[name="description"]') || {}).content || "",
            icon: !!document.querySelector('link[rel~="icon"]'),
            images: [...document.images].map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                                                   loading: i.getAttribute('loading'),
                                                   width: i.getAttribute('width'), ok: i.complete && i.naturalWidth > 0})),
            tablesWithoutHeaders: [...document.querySelectorAll('main table')].filter(t => !t.querySelector('th')).length,
            csvLinks: [...document.querySelectorAll('a[href$=".csv"]')].map(a => a.href),
        })""")
        summary = web.summarise(name, base, {k: list(v) for k, v in record.items()})  # before axe's own fetches
        page.evaluate(axe)
        violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
        page.context.close()
        out[name] = {"summary": summary, "facts": facts, "axe": violations}
    return out


def test_no_offsite_requests(loaded):
    bad = {p: v["summary"]["offsite_requests"] for p, v in loaded.items() if v["summary"]["offsite_requests"]}
    assert not bad, f"pages that reach another host: {bad}"


def test_no_console_errors_or_failed_requests(loaded):
    bad = {p: v["summary"]["console_errors"] + v["summary"]["http_errors"] for p, v in loaded.items()
           if v["summary"]["console_errors"] or v["summary"]["http_errors"]}
    assert not bad, f"console errors/warnings or failed requests: {bad}"


def test_page_weight_budget(loaded):
    over = {p: (v["summary"]["code_gzip_bytes"], web.budget(p)) for p, v in loaded.items()
            if v["summary"]["code_gzip_bytes"] > web.budget(p)}
    assert not over, f"HTML+CSS+JS gzipped over budget (bytes, budget): {over}"


def test_no_serious_accessibility_violations(loaded):
    bad = {p: v["axe"] for p, v in loaded.items() if v["axe"]}
    assert not bad, f"axe-core serious/critical violations: {bad}"


def test_every_image_has_chinese_alt_and_loads_lazily(loaded):
    problems = []
    for name, v in loaded.items():
        for img in v["facts"]["images"]:
            alt = (img["alt"] or "").strip()
            if not alt or re.fullmatch(r"[0-9a-f]{16,}(\.\w+)?", alt) or not re.search(r"[\u4e00-\u9fff]", alt):
                problems.append(f"{name}: {img['src']} alt={img['alt']!r}")
            if not img["ok"]:
                problems.append(f"{name}: {img['src']} did not load")
            if "_images/" in (img["src"] or "") and (img["loading"] != "lazy" or not img["width"]):
                problems.append(f"{name}: {img['src']} not lazy or without width/height")
    assert not problems, problems


def test_page_metadata(loaded):
    problems = []
    for name, v in loaded.items():
        facts = v["facts"]
        if facts["lang"] != "zh-CN":
            problems.append(f"{name}: lang={facts['lang']!r}")
        if len(facts["description"]) < 10:
            problems.append(f"{name}: meta description {facts['description']!r}")
        if not facts["icon"]:
            problems.append(f"{name}: no favicon link")
        if facts["tablesWithoutHeaders"]:
            problems.append(f"{name}: {facts['tablesWithoutHeaders']} table(s) without header cells")
    assert not problems, problems


def test_descriptions_are_distinct(loaded):
    seen = {}
    for name, v in loaded.items():
        seen.setdefault(v["facts"]["description"], []).append(name)
    assert all(len(names) == 1 for names in seen.values()), seen


def test_csv_links_download_the_data(loaded, site):
    links = {href for v in loaded.values() for href in v["facts"]["csvLinks"]}
    pages_with_figures = [p for p, v in loaded.items() if any("_images/" in (i["src"] or "") for i in v["facts"]["images"])]
    if pages_with_figures:
        assert links, f"figures without CSV links on {pages_with_figures}"
    for href in links:
        path = site / href.split("/", 3)[3]
        assert path.is_file(), f"CSV link {href} leads nowhere"
        header = path.read_text(encoding="utf-8").splitlines()[0]
        data = ROOT / "data" / path.name
        assert data.exists() and data.read_text(encoding="utf-8").splitlines()[0] == header, href


def test_no_assets_only_other_pages_need(site, pages):
    """Search scripts only on the search page; no fontawesome.js or thebe anywhere."""
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        assert "fontawesome.js" not in html and "THEBE_JS_URL" not in html, name
        assert ("searchindex.js" in html) == (name == "search.html"), name


@pytest.mark.parametrize("query,expected", SEARCHES)
def test_search_box_finds(base, chrome, query, expected):
    """Type the query into the theme's search box as a reader would, press Enter."""
    context = chrome.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(base + "index.html", wait_until="load")
        page.keyboard.press("Control+k")  # the theme's search dialog
        box = page.locator('input[name="q"]:visible').first
        box.fill(query)
        box.press("Enter")
        page.wait_for_url(re.compile(r"search\.html\?q="))
        page.wait_for_selector("#search-results ul.search li, #search-results p", timeout=15000)
        page.wait_for_function("() => !document.querySelector('#search-results h2') || "
                               "document.querySelector('#search-results p.search-summary')?.textContent.length > 0")
        hrefs = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    finally:
        context.close()
    found = [h.split("/", 3)[3].split("?")[0].split("#")[0] for h in hrefs]
    assert expected in found, f"{query!r}: results {found}"


def test_unsegmented_query_is_split_by_index_terms(base, chrome):
    """The splitter itself: longest match against the index (石墨烯晶圆 -> 石墨烯 + 晶圆)."""
    context = chrome.new_context()
    page = context.new_page()
    try:
        page.goto(base + "search.html?q=" + quote("石墨烯"), wait_until="load")
        page.wait_for_function("() => Search.hasIndex()")
        parts = page.evaluate("() => splitQuery('石墨烯晶圆 Omega')")
    finally:
        context.close()
    assert parts == ["石墨烯", "晶圆", "Omega"]


def test_icon_css_cuts_paths_from_fontawesome(tmp_path):
    from bookbuild.sphinx.web import icon_css

    js = tmp_path / "fa.js"
    js.write_text('var a={bars:[448,512,["navicon"],"f0c9","M0 96Z"],"arrow-up":[384,512,[],"f062","M1 2Z"]};')
    css = icon_css({"bars", "arrow-up", "nonexistent"}, js)
    assert "--web-icon-bars:" in css and "M0 96Z" in css and ".fa-arrow-up{" in css
    assert "nonexistent" not in css
