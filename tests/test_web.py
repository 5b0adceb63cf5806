"""The web edition (issues 7 and 12): every page of the built site, opened in headless Chromium.

The site is built once per session (``python -m bookbuild html``, a no-op when
nothing changed) and served on 127.0.0.1. Each page must make no request to another
host, log no console error or warning, stay within the page-weight budget, give every
image Chinese alt text, have a meta description and lang="zh-CN", and show no axe-core
violation of serious or critical impact, and no link may lead nowhere. Search must find the
book's terms and their parts, including queries typed without spaces, put the page about the
word first, and cut its summaries from the article, without code.

And as a reader uses it, on a phone (390x844, touch, scale 2) and a desktop (1280x900):
the ☰ and 目录 buttons open the book's and the page's contents, no tooltip is left on
screen, table columns keep a few characters, no table is cut or much taller than its text, a
wide table says that it scrolls and keeps its first column in view, long tables are folded,
controls are large enough to tap, and no English UI string is left anywhere on a page.
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


# (query, the page that must come first): parts of longer names a reader types (张江 is indexed
# only inside 浦东张江 and 张江人工智能赋能中心, 集成电路 inside 集成电路平台), and words whose page is
# the one that holds them most or in its title (芯片 put the IC page 6th of 6, 石墨烯 materials 5th of 5).
SEARCH_TOP = [
    ("张江", "book/2-1-three-fields/ai.html"),
    ("集成电路", "book/2-1-three-fields/ic.html"),
    ("芯片", "book/2-1-three-fields/ic.html"),
    ("石墨烯", "book/2-2-key-fields/materials.html"),
    ("北斗", "book/2-2-key-fields/aerospace.html"),
    ("卫星", "book/2-2-key-fields/aerospace.html"),
    ("人工智能", "book/2-1-three-fields/ai.html"),
    ("功能型平台", "book/2-3-platforms/index.html"),
]
# (query, a page that must be among its results although the word is only part of a longer name)
SEARCH_SUB_WORDS = [("集成电路", "book/2-3-platforms/index.html"), ("张江", "book/concordance.html")]


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1}
READERS = {"phone": PHONE, "desktop": DESKTOP}
# Latin words a Chinese page may show outside its content: file types, the licence, keys.
LATIN_ALLOWED = {"PDF", "MIT", "CC", "BY", "Ctrl", "ipynb", "md", "csv", "svg"}  # licences are named as they are


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


def _search(base, chrome, query) -> dict:
    """Type the query into the theme's search box as a reader would, press Enter: the result
    pages in order, their summaries and the status line."""
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
        count = page.eval_on_selector_all("#search-results ul.search li", "ls => ls.length")
        page.wait_for_function(  # the summaries load one by one
            f"() => document.querySelectorAll('#search-results li p.context').length >= {count}", timeout=15000
        )
        hrefs = page.eval_on_selector_all("#search-results ul.search li > a", "as => as.map(a => a.href)")
        summaries = page.eval_on_selector_all("#search-results li p.context", "ps => ps.map(p => p.textContent)")
        # Each summary against its page's article text (the page's buttons, menus and footer
        # left out, and the code and fold labels the summaries leave out): what is not in it.
        outside = page.evaluate("""async () => Promise.all([...document.querySelectorAll('#search-results li')]
            .filter(li => li.querySelector('p.context')).map(async li => {
                const doc = new DOMParser().parseFromString(await (await fetch(li.querySelector('a').href)).text(), 'text/html');
                doc.querySelectorAll('.cell_input, details.hide > summary, .web-long-table > summary, .headerlink')
                    .forEach(e => e.remove());
                const article = doc.querySelector('article.bd-article').textContent.replace(/\\s+/g, '');
                const summary = li.querySelector('p.context').textContent.replace(/\\s+/g, '');
                return summary.split('…').filter(part => part && !article.includes(part));
            }))""")
        status = page.text_content("#search-results p.search-summary")
    finally:
        context.close()
    found = [h.split("/", 3)[3].split("?")[0].split("#")[0] for h in hrefs]
    return {"pages": list(dict.fromkeys(found)), "summaries": summaries, "status": status, "outside": outside}


@pytest.mark.parametrize("query,expected", SEARCHES + SEARCH_SUB_WORDS)
def test_search_box_finds(base, chrome, query, expected):
    found = _search(base, chrome, query)["pages"]
    assert expected in found, f"{query!r}: results {found}"


@pytest.mark.parametrize("query,expected", SEARCH_TOP)
def test_search_ranks_the_page_about_it_first(base, chrome, query, expected):
    """The first result is the page whose title or headings hold the word, or else the page that
    holds it most; every summary is article text that shows the word, not the page's buttons."""
    result = _search(base, chrome, query)
    assert result["pages"] and result["pages"][0] == expected, f"{query!r}: results {result['pages']}"
    for text in result["summaries"]:
        assert query in text, f"{query!r}: a summary without it: {text[:80]}"
    assert not [part for parts in result["outside"] for part in parts], (
        f"summaries not from the article: {result['outside']}"
    )


def test_search_without_result_says_so_in_chinese(base, chrome):
    status = _search(base, chrome, "恐龙化石")["status"]
    assert "没有找到" in status and "分类" not in status and not re.search(r"[A-Za-z]{3}", status), status


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


def _links(html: str) -> tuple[list[str], set[str]]:
    """Every href, src and srcset URL of a page, and its element ids."""
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.urls, self.ids = [], set()

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            self.ids.update(v for k, v in attrs.items() if k in ("id", "name") and tag != "meta" and v)
            self.urls += [attrs[k] for k in ("href", "src") if attrs.get(k)]
            self.urls += [c.split()[0] for c in (attrs.get("srcset") or "").split(",") if c.strip()]

    parser = Links()
    parser.feed(html)
    return parser.urls, parser.ids


def test_no_dead_links(site, pages):
    """After `make book` alone (the fixture builds HTML only, in a copy without _build/pdf/),
    every href, src and srcset of every page leads to a file of the site, and every #anchor
    to an element of its page: a site never links to something it does not contain (the PDF
    edition is linked only when it was built, bookbuild/sphinx/web.py)."""
    from urllib.parse import unquote, urlsplit

    assert not (site / "book.pdf").exists(), "the fixture's site should be `make book` alone"
    ids, dead, checked = {}, [], 0
    for name in pages:
        urls, ids[name] = _links((site / name).read_text(encoding="utf-8"))
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue  # another host: test_no_offsite_requests keeps pages from loading any
            checked += 1
            target = (site / name).parent / unquote(parts.path) if parts.path else site / name
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site.resolve() not in target.parents:
                dead.append(f"{name}: {url}")
            elif parts.fragment and target.suffix == ".html":
                dead.append((target, unquote(parts.fragment), f"{name}: {url}"))
    for item in [d for d in dead if isinstance(d, tuple)]:
        dead.remove(item)
        target, fragment, where = item
        page = target.relative_to(site.resolve()).as_posix()
        known = ids[page] if page in ids else _links(target.read_text(encoding="utf-8"))[1]
        if fragment not in known:
            dead.append(f"{where} (no #{fragment} there)")
    assert checked > 100, f"only {checked} links checked"
    assert not dead, f"{len(dead)} dead links: {dead[:10]}"


def test_icon_css_cuts_paths_from_fontawesome(tmp_path):
    from bookbuild.sphinx.web import icon_css

    js = tmp_path / "fa.js"
    js.write_text('var a={bars:[448,512,["navicon"],"f0c9","M0 96Z"],"arrow-up":[384,512,[],"f062","M1 2Z"]};')
    css = icon_css({"bars", "arrow-up", "nonexistent"}, js)
    assert "--web-icon-bars:" in css and "M0 96Z" in css and ".fa-arrow-up{" in css
    assert "nonexistent" not in css


def test_theme_css_drops_only_the_icon_fonts_glyph_rules():
    from bookbuild.sphinx.web import theme_css

    css = (
        '.a{color:red}.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-k:before{content:"K"}'
        "@font-face{font-display:block;font-family:Font Awesome\\ 6 Free;src:url(x.woff2)}"
        ".fa-solid,.fas{font-weight:900}.fa-spin{animation-name:fa-spin}"
        '.bd-search li a:before{content:"#"}@font-face{font-family:Other;src:url(o.woff2)}\n'
        "/*# sourceMappingURL=pydata-sphinx-theme.css.map*/"
    )
    assert theme_css(css) == (
        ".a{color:red}.fa-solid,.fas{font-weight:900}.fa-spin{animation-name:fa-spin}"
        '.bd-search li a:before{content:"#"}@font-face{font-family:Other;src:url(o.woff2)}\n'
    )


def test_pages_link_the_trimmed_theme_stylesheet(site):
    """Every page links the theme's stylesheet as web.py writes it (no Font Awesome glyph rule)."""
    from bookbuild.sphinx.web import THEME_CSS

    css = (site / "_static" / THEME_CSS).read_text(encoding="utf-8")
    assert not re.search(r"@font-face\{[^}]*Font Awesome", css), "the icon font is declared"
    assert not re.search(r'[}\n]\.fa-[\w-]+::?(?:before|after)\{content:"', css), "an icon's glyph rule is left"
    for page in web.html_pages(site):
        links = re.findall(r'<link href="([^"]*pydata-sphinx-theme[^"]*)"', (site / page).read_text(encoding="utf-8"))
        assert [Path(link.split("?")[0]).name for link in links] == [Path(THEME_CSS).name], page


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
        const cards = getComputedStyle(t).display === 'block';
        const body = [...t.tBodies].flatMap(b => [...b.rows]);
        const cells = body.flatMap(r => [...r.cells]);
        const right = box.getBoundingClientRect().right;
        // The text of the table as a reader sees it (a card shows each column's name too).
        const text = cells.map(c => c.innerText + (cards ? (c.dataset.label || '') : '')).join('')
            + [...t.tHead ? t.tHead.rows : []].map(r => r.innerText).join('') + (t.caption ? t.caption.innerText : '');
        return {
            id: t.id,
            cards,
            narrowest: cards ? Math.min(...cells.map(c => c.lastElementChild ? c.lastElementChild.getBoundingClientRect().width : c.getBoundingClientRect().width)) / em
                             : Math.min(...[...t.rows[t.rows.length - 1].cells].map(c => c.getBoundingClientRect().width)) / em,
            wide: box.scrollWidth > box.clientWidth + 1,
            overflow: getComputedStyle(box).overflowX,
            cue: getComputedStyle(box, '::before').content,
            captionInView: !caption || caption.right <= right + 1,
            cut: !(box.scrollWidth > box.clientWidth + 1) && cells.some(c => c.getBoundingClientRect().right > right + 1),
            height: t.getBoundingClientRect().height,
            // the height the table's text needs, set in lines as wide as the screen's column
            needs: text.replace(/\\s+/g, '').length * em * em * 1.5 / box.clientWidth,
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
    """At 390 px a table of a few rows is a stack of cards and a longer one scrolls sideways:
    either way no column under 3.5 characters, none cut at the screen's edge without scrolling,
    and no table more than 3.5 times the height its text needs at the screen's width (表 2-2,
    3 rows, was 1,854 px: 4.9 times; 表 2-5 5,653 px)."""
    reader, pages = read
    problems, wide_tables, cards = [], 0, 0
    for name, facts in pages.items():
        for t in facts["tables"]:
            cards += t["cards"]
            if t["narrowest"] < 3.5:
                problems.append(f"{name} {t['id']}: a column {t['narrowest']:.1f} characters wide")
            if t["cut"]:
                problems.append(f"{name} {t['id']}: a column is cut at the edge and the table does not scroll")
            if reader == "phone" and t["height"] > 3.5 * t["needs"]:
                problems.append(f"{name} {t['id']}: {t['height']:.0f} px tall for {t['needs']:.0f} px of text")
            if t["wide"]:
                wide_tables += 1
                if t["overflow"] not in ("auto", "scroll") or "滑动" not in t["cue"]:
                    problems.append(f"{name} {t['id']}: wider than the screen, no scrolling or no cue")
                if not t["captionInView"]:
                    problems.append(f"{name} {t['id']}: its caption is cut off")
    assert not problems, problems
    if reader == "phone":
        assert wide_tables, "no table is wider than a phone: the scrolling check checked nothing"
        assert cards, "no table is shown as cards on a phone"
    else:
        assert not cards, "cards on a desktop"


def test_first_column_stays_in_view_while_a_table_scrolls(base, chrome):
    """On a phone, scrolled to the last column (备注, 原文), each row's first cell is still at the
    left edge, over the cells that scroll under it."""
    page = _open(chrome, base, "book/2-1-three-fields/ai.html", "phone")
    try:
        page.evaluate("() => document.querySelectorAll('details.web-long-table').forEach(d => d.open = true)")
        facts = page.evaluate("""() => [...document.querySelectorAll('.pst-scrollable-table-container')]
            .filter(b => b.scrollWidth > b.clientWidth + 1).map(b => {
                const rows = [...b.querySelectorAll('tbody tr')];
                const before = rows.map(r => r.cells[0].getBoundingClientRect().left);
                const second = rows[0].cells[1].getBoundingClientRect().left;
                b.scrollLeft = b.scrollWidth;
                return {scrolled: b.scrollLeft, secondMoved: second - rows[0].cells[1].getBoundingClientRect().left,
                        offsets: rows.map((r, i) => Math.abs(r.cells[0].getBoundingClientRect().left - before[i]))};
            })""")
    finally:
        page.context.close()
    assert facts, "no table scrolls on the AI page at 390 px"
    for table in facts:
        assert table["scrolled"] > 0 and table["secondMoved"] > 50, table  # it did scroll
        assert max(table["offsets"]) <= 1, f"the first column scrolled away: {table}"


TARGETS = """() => [...document.querySelectorAll(
        'button, summary, input, select, .bd-header-article a, a.reference.download, .dropdown-menu a, .skip-link a')]
    .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.closest('dialog:not([open]), .dropdown-menu:not(.show)'); })
    .map(e => { const r = e.getBoundingClientRect();
                return {what: (e.getAttribute('aria-label') || e.textContent).trim().slice(0, 12) || e.className,
                        primary: e.matches('.bd-header-article .btn, .sidebar-toggle, details.report-words > summary, details.web-long-table > summary'),
                        width: r.width, height: r.height}; })"""


@pytest.mark.parametrize("reader", READERS)
def test_touch_targets(base, chrome, reader):
    """WCAG 2.2 (2.5.8): every control at least 24x24 px, the page's buttons and the 报告原文 and
    long-table toggles at least 44x44 (☰ was 34x30, the toggles 26 px tall, the data downloads 19)."""
    small, primary = [], 0
    for name in ("book/2-1-three-fields/ai.html", "book/overview.html", "book/2-2-key-fields/marine.html"):
        page = _open(chrome, base, name, reader)
        try:
            if page.locator(".dropdown-toggle:visible").count():
                _press(page, ".dropdown-toggle", reader)  # the download menu's items too
            for t in page.evaluate(TARGETS):
                least = 44 if t["primary"] else 24
                primary += t["primary"]
                if min(t["width"], t["height"]) < least - 0.5:
                    small.append(f"{name} {t['what']!r}: {t['width']:.0f}x{t['height']:.0f} (at least {least})")
        finally:
            page.context.close()
    assert primary >= 10, f"only {primary} primary controls measured"
    assert not small, small


def test_page_furniture(base, chrome, site):
    """Tab titles without the book's title (but on the front page); 原文对照's omitted passages
    grey, as the page says; the hidden "#" after a heading adds no line; caption numbers bold
    and captions smaller than the text."""
    page = _open(chrome, base, "book/2-2-key-fields/aerospace.html", "phone")
    try:
        title = page.title()
        facts = page.evaluate("""() => ({
            headings: [...document.querySelectorAll('article :is(h1, h2, h3)')].map(h => {
                const before = h.getBoundingClientRect().height;
                const link = h.querySelector('a.headerlink');
                if (link) link.style.display = 'none';
                const after = h.getBoundingClientRect().height;
                if (link) link.style.display = '';
                return [h.textContent.trim().slice(0, 20), before, after];
            }),
            numbers: [...document.querySelectorAll('article .caption-number')].map(n => +getComputedStyle(n).fontWeight),
            captions: [...document.querySelectorAll('article figcaption, article table caption')].map(c => parseFloat(getComputedStyle(c).fontSize)),
            text: parseFloat(getComputedStyle(document.querySelector('article p')).fontSize),
        })""")
        page.goto(base + "book/concordance.html", wait_until="load")
        colours = page.evaluate("""() => [getComputedStyle(document.querySelector('.source-omitted')).color,
                                         getComputedStyle(document.querySelector('.source-omitted').closest('p, li, td')).color]""")
        page.goto(base + "index.html", wait_until="load")
        front = page.title()
    finally:
        page.context.close()
    book = re.search(r"^title:\s*(.+)$", (ROOT / "_config.yml").read_text(encoding="utf-8"), re.M).group(1).strip()
    assert title == "助力中国空天事业加速发展", title
    assert book in front and front.startswith("关于本书"), front
    assert colours[0] != colours[1], f"omitted passages in the text's colour {colours}"
    taller = [h for h in facts["headings"] if h[1] > h[2] + 1]
    assert facts["headings"] and not taller, f"headings a line taller for their hidden # link: {taller}"
    assert facts["numbers"] and min(facts["numbers"]) >= 600, facts["numbers"]
    assert facts["captions"] and max(facts["captions"]) < facts["text"], (facts["captions"], facts["text"])


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


def test_print_means_print_and_the_pdf_edition_is_linked_when_built(site, pages):
    """The PDF edition is linked from every page (menu and footer) when the site holds it, and
    mentioned nowhere when it does not (the fixture: `make book` alone)."""
    built = (site / "book.pdf").is_file()
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        assert "列印" not in html, name
        depth = name.count("/")
        assert (f'href="{"../" * depth}book.pdf"' in html) == built, f"{name}: PDF built {built}"
        assert ("下载全书 PDF 版" in html) == built, name
        assert "Copyright" not in html and "上海市科学技术委员会" in html, name


def test_pdf_edition_is_published_with_the_site_that_links_it(repo):
    """`make pdf` leaves _build/pdf/book.pdf and builds the site again: the HTML build, which
    had nothing else to do, copies the PDF in and links it from every page; without it again,
    the file and the links go."""
    from helpers import build_book

    site = repo / "_build" / "html"
    assert not (site / "book.pdf").exists()
    pdf = repo / "_build" / "pdf" / "book.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.5\n% a stand-in for the built edition\n%%EOF\n")
    build_book("html", repo)
    assert (site / "book.pdf").read_bytes() == pdf.read_bytes()
    for name in ("index.html", "book/2-1-three-fields/ai.html"):
        html = (site / name).read_text(encoding="utf-8")
        # menu, footer and the citation_pdf_url meta tag (bookbuild/sphinx/cite.py)
        assert html.count('book.pdf"') == 3 and "下载全书 PDF 版" in html and 'name="citation_pdf_url"' in html, name
    pdf.unlink()
    build_book("html", repo)
    assert not (site / "book.pdf").exists()
    assert "book.pdf" not in (site / "index.html").read_text(encoding="utf-8")


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
