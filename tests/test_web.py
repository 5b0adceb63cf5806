"""The web edition (issues 7 and 12): every page of the built site, opened in headless Chromium.

The site is built once per session (``python -m bookbuild html``, a no-op when
nothing changed) and served on 127.0.0.1. Each page must make no request to another
host, log no console error or warning, stay within the page-weight budget, give every
image Chinese alt text, have a meta description and lang="zh-CN", and show no axe-core
violation of serious or critical impact. Search must find the book's terms, including
queries typed without spaces, and its summaries show no code.

And as a reader uses it, on a phone (390x844, touch, scale 2) and a desktop (1280x900):
the ☰ and 目录 buttons open the book's and the page's contents, no tooltip is left on
screen, table columns keep a few characters and a wide table says that it scrolls, long
tables are folded, and no English UI string is left anywhere on a page.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("playwright")
from measure import web

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


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
READERS = {"phone": PHONE, "desktop": DESKTOP}
# Latin words a Chinese page may show outside its content: file types, the licence, keys.
LATIN_ALLOWED = {"PDF", "MIT", "Ctrl", "ipynb", "md", "csv", "svg"}


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
            // data/ files; a table's own CSV (_downloads/tables/, tests/test_reader.py) is not one
            csvLinks: [...document.querySelectorAll('a[href$=".csv"]')].map(a => a.href)
                .filter(h => !h.includes('/_downloads/tables/')),
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
    bad = {
        p: v["summary"]["console_errors"] + v["summary"]["http_errors"]
        for p, v in loaded.items()
        if v["summary"]["console_errors"] or v["summary"]["http_errors"]
    }
    assert not bad, f"console errors/warnings or failed requests: {bad}"


def test_page_weight_budget(loaded):
    over = {
        p: (v["summary"]["code_gzip_bytes"], web.budget(p))
        for p, v in loaded.items()
        if v["summary"]["code_gzip_bytes"] > web.budget(p)
    }
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
    pages_with_figures = [
        p for p, v in loaded.items() if any("_images/" in (i["src"] or "") for i in v["facts"]["images"])
    ]
    if pages_with_figures:
        assert links, f"figures without CSV links on {pages_with_figures}"
    for href in links:
        path = site / href.split("/", 3)[3]
        assert path.is_file(), f"CSV link {href} leads nowhere"
        header = path.read_text(encoding="utf-8").splitlines()[0]
        data = ROOT / "data" / path.name
        assert data.exists() and data.read_text(encoding="utf-8").splitlines()[0] == header, href


def test_no_assets_only_other_pages_need(site, pages):
    """Search scripts only on the search page; no fontawesome.js, thebe or copybutton anywhere
    (the last two are not even loaded: the extensions list in _config.yml)."""
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        assert "fontawesome.js" not in html and "THEBE_JS_URL" not in html, name
        assert "thebe" not in html.lower() and "copybutton" not in html, name
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
        page.wait_for_function(
            "() => !document.querySelector('#search-results h2') || "
            "document.querySelector('#search-results p.search-summary')?.textContent.length > 0"
        )
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


def _open(chrome, base, page_name, reader):
    context = chrome.new_context(locale="zh-CN", **READERS[reader])
    page = context.new_page()
    page.goto(base + page_name, wait_until="load")  # a static site: at "load" every script has run
    return page


def _press(page, selector, reader):
    button = page.locator(f"{selector}:visible").first
    if reader == "phone":
        button.tap()
    else:
        button.click()
    page.wait_for_timeout(400)  # the drawer's transition


VISIBLE_LINKS = """sel => [...document.querySelectorAll(sel + ' a')].filter(a => {
    const r = a.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth;
}).map(a => a.textContent.trim())"""
VISIBLE_TOOLTIPS = """() => [...document.querySelectorAll('.tooltip')].filter(t =>
    getComputedStyle(t).display !== 'none' && t.getBoundingClientRect().width > 0).map(t => t.textContent)"""


def test_phone_menu_and_contents_open(base, chrome):
    """On a phone, ☰ opens the book's contents and 目录 the page's, each in a drawer."""
    page = _open(chrome, base, "book/2-1-three-fields/ai.html", "phone")
    try:
        assert page.locator(".primary-toggle:visible").count() == 1
        _press(page, ".primary-toggle", "phone")
        assert page.evaluate("() => document.querySelector('#pst-primary-sidebar-modal').open")
        book = page.evaluate(VISIBLE_LINKS, "#pst-primary-sidebar-modal")
        assert "关于本书" in book and any("2.3" in text for text in book), book
        assert page.evaluate(VISIBLE_TOOLTIPS) == []
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        _press(page, ".secondary-toggle", "phone")
        assert page.evaluate("() => document.querySelector('#pst-secondary-sidebar-modal').open")
        contents = page.evaluate(VISIBLE_LINKS, "#pst-secondary-sidebar-modal")
        assert "关于数据" in contents, contents
        assert page.evaluate(VISIBLE_TOOLTIPS) == []
    finally:
        page.context.close()


def test_desktop_menu_hides_and_shows_the_sidebar(base, chrome):
    """At 1280 px the sidebar and the page's contents are open; ☰ folds the sidebar away and back."""
    page = _open(chrome, base, "book/2-1-three-fields/ai.html", "desktop")
    try:
        assert "关于数据" in page.evaluate(VISIBLE_LINKS, "#pst-secondary-sidebar")
        assert "关于本书" in page.evaluate(VISIBLE_LINKS, "#pst-primary-sidebar")
        _press(page, ".primary-toggle", "desktop")
        assert page.evaluate(VISIBLE_LINKS, "#pst-primary-sidebar") == []
        _press(page, ".primary-toggle", "desktop")
        assert "关于本书" in page.evaluate(VISIBLE_LINKS, "#pst-primary-sidebar")
    finally:
        page.context.close()


def test_overview_has_page_contents(base, chrome):
    """The overview's sections are headings (so it has a 目录), not numbered like 2.1-2.3."""
    page = _open(chrome, base, "book/overview.html", "desktop")
    try:
        contents = page.evaluate(VISIBLE_LINKS, "#pst-secondary-sidebar")
        headings = page.evaluate("() => [...document.querySelectorAll('article h2')].map(h => h.textContent)")
    finally:
        page.context.close()
    assert len(contents) >= 3 and "关于数据" in contents, contents
    assert not any(re.match(r"\s*2\.\d", h) for h in headings), headings


@pytest.mark.parametrize("reader", READERS)
def test_one_search_entry_per_screen(base, chrome, reader):
    for name in ("book/2-1-three-fields/ai.html", "search.html"):
        page = _open(chrome, base, name, reader)
        try:
            entries = page.evaluate("""() => [...document.querySelectorAll(
                '.search-button__button, form.bd-search input')].filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && !e.closest('dialog:not([open])');
            }).length""")
        finally:
            page.context.close()
        assert entries == 1, f"{reader} {name}: {entries} search entries"


TABLE_FACTS = """() => [...document.querySelectorAll('main table')].filter(t => t.getBoundingClientRect().width > 0)
    .map(t => {
        const box = t.closest('.pst-scrollable-table-container');
        const em = parseFloat(getComputedStyle(t.querySelector('td, th')).fontSize);
        const caption = t.caption ? t.caption.getBoundingClientRect() : null;
        return {
            id: t.id,
            narrowest: Math.min(...[...t.rows[t.rows.length - 1].cells].map(c => c.getBoundingClientRect().width)) / em,
            wide: box.scrollWidth > box.clientWidth + 1,
            overflow: getComputedStyle(box).overflowX,
            cue: getComputedStyle(box, '::before').content,
            captionInView: !caption || caption.right <= box.getBoundingClientRect().right + 1,
        };
    })"""


@pytest.fixture(scope="session", params=list(READERS))
def read(request, base, chrome, pages):
    """Every page opened once per reader, as a reader uses it: (reader, {page: facts}).

    Facts: the tables once every folded one is opened, then, with the download menu
    opened, the Latin strings left in the interface (ENGLISH_UI).
    """
    reader, out = request.param, {}
    for name in pages:
        page = _open(chrome, base, name, reader)
        try:
            page.evaluate("() => document.querySelectorAll('details.web-long-table').forEach(d => d.open = true)")
            tables = page.evaluate(TABLE_FACTS)
            if page.locator(".dropdown-toggle:visible").count():
                _press(page, ".dropdown-toggle", reader)  # the download menu
            out[name] = {"tables": tables, "english": page.evaluate(ENGLISH_UI, sorted(LATIN_ALLOWED))}
        finally:
            page.context.close()
    return reader, out


def test_tables_keep_readable_columns_and_say_they_scroll(read):
    reader, pages = read
    problems, wide_tables = [], 0
    for name, facts in pages.items():
        for t in facts["tables"]:
            if t["narrowest"] < 3.5:
                problems.append(f"{name} {t['id']}: a column {t['narrowest']:.1f} characters wide")
            if t["wide"]:
                wide_tables += 1
                if t["overflow"] not in ("auto", "scroll") or "滑动" not in t["cue"]:
                    problems.append(f"{name} {t['id']}: wider than the screen, no scrolling or no cue")
                if not t["captionInView"]:
                    problems.append(f"{name} {t['id']}: its caption is cut off")
    assert not problems, problems
    if reader == "phone":
        assert wide_tables, "no table is wider than a phone: the scrolling check checked nothing"


def test_long_tables_are_folded_behind_their_caption(site, pages):
    from bookbuild.sphinx.web import LONG_TABLE_ROWS

    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        # a chart's 数据表 is folded behind its own 数据表 button (tests/test_reader.py)
        html = re.sub(r'<div class="fig-tools".*?</div></details></div>', "", html, flags=re.S)
        for table in re.findall(r"(?:<summary>.{0,400}?)?<table.*?</table>", html, re.S):
            rows = len(re.findall(r"<tr", table.split("<tbody", 1)[-1]))
            folded = 'class="web-long-table__caption"' in table[: table.index("<table")]
            assert folded == (rows > LONG_TABLE_ROWS), f"{name}: a table of {rows} rows, folded={folded}"
    assert "web-long-table" in (site / "book" / "overview.html").read_text(encoding="utf-8")


ENGLISH_UI = """allowed => {
    const found = new Set();
    const latin = text => (text.match(/[A-Za-z]{2,}/g) || []).filter(w => !allowed.includes(w));
    document.querySelectorAll('*').forEach(e => {
        for (const a of ['title', 'aria-label', 'placeholder', 'data-bs-title', 'data-bs-original-title']) {
            const v = e.getAttribute(a);
            if (v && latin(v).length) found.add(`${a}="${v}"`);
        }
    });
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n; (n = walk.nextNode());) {
        if (n.parentElement.closest("article, script, style, noscript")) continue;  // the book's own text may name things in English
        if (latin(n.textContent).length) found.add(n.textContent.trim());
    }
    return [...found];
}"""


def test_no_english_ui_strings(read):
    found = {name: facts["english"] for name, facts in read[1].items() if facts["english"]}
    assert not found, f"English UI strings ({read[0]}): {found}"


def test_print_means_print_and_the_pdf_edition_is_linked(site, pages):
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        assert "列印" not in html, name
        depth = name.count("/")
        assert f'href="{"../" * depth}book.pdf"' in html, f"{name}: no link to the PDF edition"
        assert "Copyright" not in html and "上海市科学技术委员会" in html, name


def test_search_summaries_show_no_code(base, chrome):
    """ "indicators" is both a CSV the prose names and a variable of the overview's code, which
    comes first on the page: the summary must quote the prose."""
    context = chrome.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    try:
        page.goto(base + "search.html?q=indicators", wait_until="load")
        page.wait_for_selector("#search-results ul.search li p.context", timeout=15000)
        page.wait_for_timeout(500)
        summaries = page.eval_on_selector_all("#search-results li p.context", "ps => ps.map(p => p.textContent)")
    finally:
        context.close()
    assert summaries
    for text in summaries:
        assert "显示代码" not in text and "load_table" not in text and "indicators =" not in text, text


def test_code_is_not_in_the_search_index(site):
    import json

    text = (site / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(text[text.index("(") + 1 : text.rindex(")")])["terms"]
    assert not {"load_table", "show_table", "matplotlib", "pyplot"} & set(terms)
    assert "石墨烯" in terms


@pytest.mark.parametrize("reader", READERS)
def test_skip_link_shows_on_tab_and_scrolls_away(base, chrome, reader):
    page = _open(chrome, base, "book/2-1-three-fields/ai.html", reader)
    try:
        page.keyboard.press("Tab")
        page.wait_for_timeout(400)  # its transition
        shown = page.evaluate("() => document.querySelector('#pst-skip-link').getBoundingClientRect().bottom")
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(400)
        after = page.evaluate("() => document.querySelector('#pst-skip-link').getBoundingClientRect().bottom")
    finally:
        page.context.close()
    assert shown > 0, "Tab does not show the skip link"
    assert after <= 0, "the skip link stays pinned over the page while scrolling"


def test_figure_captions_end_their_sentence_before_the_data_link(site, pages):
    """图 x　finding。数据：… (the PDF read "生产批件占18个数据：…")."""
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        for caption in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S):
            text = re.sub(r"<[^>]+>", "", caption)
            if "数据：" in text:
                assert re.search(r"[。！？]数据：", text), f"{name}: {text}"
