"""Web edition (issues 7 and 12): light pages, no request to any other host, Chinese search
that finds unsegmented queries, a meta description per page, lazy figures with their size,
Chinese page furniture (buttons, footer), long tables folded behind their caption, phone
tables (cards for narrow ones of long text, English cells marked), page-only tab titles, and
a link to the PDF edition when the site holds it. Vendored files live in tools/web/ (static/web/ is copied to _static/web/,
templates/ overrides theme templates and components); nothing goes in a source _static/
folder, which Jupyter Book would add to every page. measure/web.py measures the result;
tests/test_web.py holds every page to it, at phone and desktop widths.

thebe, copybutton and comments are not loaded at all (the ``extensions`` list in
_config.yml), so nothing of theirs has to be stripped from the pages here.
"""

from __future__ import annotations

import re
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[2] / "tools" / "web"

# Assets needed only when a page uses them: (files, inline-script marker, what in the body needs them)
WEB_ON_DEMAND = [
    (
        {"togglebutton.js", "togglebutton.css"},
        ("toggleHint", "togglebuttonSelector", "toggleOpenOnPrint"),
        re.compile(r'class="[^"]*\b(toggle|dropdown)\b(?![-_])'),
    ),
    ({"design-tabs.js", "sphinx-design.min.css"}, (), re.compile(r'class="[^"]*\bsd-')),
]
# Search scripts: the search page only (the theme loads them on every page for a
# search-as-you-type box this book does not enable; the index grows with every page).
WEB_SEARCH_ONLY = {"searchtools.js", "language_data.js", "searchindex.js", "search-zh.js"}
WEB_DEFER = {
    "doctools.js",
    "sphinx_highlight.js",
    "translations.js",
    "sphinx-book-theme.js",
    "togglebutton.js",
    "design-tabs.js",
}
DESCRIPTION_CHARS = 110
# English UI strings Sphinx and myst-nb write into the page body (their zh_CN catalogues lack
# them), in Chinese. The theme's own strings are Chinese through tools/web/templates/.
BODY_UI_ZH = {
    'title="Link to this heading"': 'title="链接到此标题"',
    'title="Link to this image"': 'title="链接到此图"',
    'title="Link to this table"': 'title="链接到此表"',
    'title="Link to this code"': 'title="链接到此代码"',
    'title="Link to this definition"': 'title="链接到此定义"',
    'title="Link to this equation"': 'title="链接到此公式"',
    # myst-nb labels each code fold "Toggle hidden content" over its visible Chinese text;
    # the visible text is the better accessible name (WCAG 2.5.3).
    '<summary aria-label="Toggle hidden content">': "<summary>",
}
# The PDF edition (``make pdf`` -> _build/pdf/book.pdf) sits at the root of the site as
# book.pdf. A published site never links to something it does not contain: when the PDF
# has been built, the HTML build copies it in (_web_build_finished) and every page links it
# (the download menu and the footer); when it has not (``make book`` alone), no page
# mentions it. ``make pdf`` builds the PDF, then the site again, so the two are published
# together (README, "Editions").
PDF_EDITION = "book.pdf"


def pdf_built(app) -> Path | None:
    """The built PDF edition of the book in ``app``'s source tree, if there is one."""
    path = Path(app.confdir) / "_build" / "pdf" / PDF_EDITION
    return path if path.is_file() else None


# Tables longer than this are folded behind their caption (<details>): the 46-row list of the
# chapter's numbers filled ten phone screens. Printing opens them (layout.html); the PDF
# edition is typeset from the doctree and is not affected.
LONG_TABLE_ROWS = 15
# A narrow table of few rows and long cells (at most CARD_COLUMNS columns and CARD_ROWS rows,
# cells of CARD_CHARS characters or more on average) reads as a stack of cards on a phone
# (web.css, under 600 px): one card per row, each cell beside its column's name, so a
# paragraph is not set in a column a few characters wide (表 2-2, three rows of long text,
# was 1,854 px tall). Other tables keep their rows and scroll sideways with the first column
# pinned: as cards, tables of short cells (表 2-13, 2-15) or of seven columns (表 2-11) ran
# to twice their height as tables, one line per cell.
CARD_ROWS = 8
CARD_COLUMNS = 4
CARD_CHARS = 20


def _asset_name(asset) -> str:
    return Path(str(getattr(asset, "filename", asset) or "").split("?")[0]).name


def _asset_body(asset) -> str:
    return str(getattr(asset, "attributes", {}).get("body", ""))


def _keep_asset(asset, body: str, pagename: str) -> bool:
    name, inline = _asset_name(asset), _asset_body(asset)
    if (
        inline.startswith("DOCUMENTATION_OPTIONS.pagename")
        and inline != f"DOCUMENTATION_OPTIONS.pagename = '{pagename}';"
    ):
        return False  # the theme appends one per page to a shared list: keep this page's own
    if name in WEB_SEARCH_ONLY and pagename != "search":
        return False
    for files, markers, used in WEB_ON_DEMAND:
        if name in files or (inline and any(m in inline for m in markers)):
            return bool(used.search(body))
    return True


def page_description(doctree, fallback: str) -> str:
    """The page's lead: its first paragraph of prose (not a caption, table, or code)."""
    from docutils import nodes

    if doctree is not None:
        skip = (
            nodes.figure,
            nodes.table,
            nodes.admonition,
            nodes.caption,
            nodes.literal_block,
            nodes.container,
            nodes.sidebar,
            nodes.topic,
        )
        for para in doctree.findall(nodes.paragraph):
            parent, inside = para.parent, False
            while parent is not None:
                if isinstance(parent, skip):
                    inside = True
                    break
                parent = parent.parent
            text = re.sub(r"\s+", " ", para.astext()).strip()
            text = re.sub(
                r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])", "", text
            )  # line breaks in Chinese
            if not inside and len(text) >= 20:
                return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"
    return fallback


def _lazy_images(app, doctree, body: str) -> str:
    """Every <img>: loading="lazy", decoding="async" and its width/height (no layout shift)."""
    from docutils import nodes
    from sphinx.util.images import get_image_size  # SVG in CSS px (pt converted), rasters in pixels

    sizes = {}
    if doctree is not None:
        for img in doctree.findall(nodes.image):
            # By now Sphinx has pointed "uri" at _images/; the source is the candidate.
            source = Path(app.srcdir) / img.get("candidates", {}).get("*", img["uri"])
            size = get_image_size(str(source)) if source.is_file() else None
            if size:
                # rasters are saved at savefig.dpi = 2 x figure.dpi (techreport/style.py): 2x screens
                sizes[Path(img["uri"]).name] = size if source.suffix == ".svg" else (size[0] // 2, size[1] // 2)

    def tag(match):
        html = match.group(0)
        src = re.search(r'src="([^"]+)"', html)
        extra = ""
        if "loading=" not in html:
            extra += ' loading="lazy" decoding="async"'
        size = sizes.get(Path(src.group(1)).name) if src else None
        if size and "width=" not in html:
            extra += f' width="{size[0]}" height="{size[1]}"'
        return html[:4] + extra + html[4:]

    return re.sub(r"<img\b[^>]*>", tag, body)


def _header_buttons(buttons: list[dict], pathto, pdf: bool) -> None:
    """sphinx-book-theme's download menu: 打印 (mainland usage, not 列印成 PDF) and, when it was
    built, the PDF edition."""
    for group in buttons:
        if group.get("label") != "download-buttons":
            continue
        for button in group["buttons"]:
            if button.get("label") == "download-pdf-button":
                button.update(text="打印", tooltip="打印本页", icon="fas fa-print")
        if not pdf:
            continue
        group["buttons"].append(
            {
                "type": "link",
                "url": pathto(PDF_EDITION, 1),
                "text": "全书 PDF",
                "tooltip": "下载全书 PDF 版",
                "icon": "fas fa-file-pdf",
                "label": "book-pdf-button",
            }
        )


def card_tables(body: str) -> str:
    """Mark the cells in English ``lang="en"``; mark the narrow tables of few rows and long cells
    (CARD_COLUMNS, CARD_ROWS, CARD_CHARS) ``web-cards`` and give each body cell its column's name (``data-label``, which
    web.css shows on a phone). Tables with merged cells or more than one header row stay
    tables. The ARIA roles keep them tables for assistive technology when the phone's
    stylesheet sets their parts ``display: block``."""
    from html import escape

    def english(cell: re.Match) -> str:
        text = re.sub(r"<[^>]+>", "", cell.group(0))
        if re.search(r"[A-Za-z]{3}", text) and not re.search(r"[\u3400-\u9fff]", text):
            return cell.group(0).replace("<td", '<td lang="en"', 1)
        return cell.group(0)

    def one(match: re.Match) -> str:
        # A cell in English (the data's English names) says so: read in English by a screen
        # reader, and given more width on a phone (web.css), where it wrapped into ten lines.
        html = re.sub(r"<td\b.*?</td>", english, match.group(0), flags=re.S)
        head = re.search(r"<thead>(.*?)</thead>", html, re.S)
        if re.search(r"\b(?:colspan|rowspan)=", html) or not head or head.group(1).count("<tr") != 1:
            return html
        rows = re.findall(r"<tr\b", html[head.end() :])
        labels = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(1), re.S)
        ]
        if not rows or len(rows) > CARD_ROWS or len(labels) > CARD_COLUMNS:
            return html
        cells = [  # the text of each body cell, without the folded 报告原文
            re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", re.sub(r"<details\b.*?</details>", "", cell, flags=re.S)))
            for cell in re.findall(r"<td\b.*?</td>", html[head.end() :], re.S)
        ]
        if sum(map(len, cells)) < CARD_CHARS * max(len(cells), 1):
            return html

        def row(tr: re.Match) -> str:
            names = iter(labels)
            return re.sub(
                r"<(td|th)\b",
                lambda c: f'<{c.group(1)} role="cell" data-label="{escape(next(names, ""))}"',
                tr.group(0).replace("<tr", '<tr role="row"', 1),
            )

        top = html[: head.end()]
        top = top.replace('<table class="table', '<table role="table" class="table web-cards', 1)
        top = top.replace("<thead>", '<thead role="rowgroup">').replace("<tr", '<tr role="row"')
        top = top.replace("<th ", '<th role="columnheader" ')
        rest = re.sub(r"<tr\b.*?</tr>", row, html[head.end() :], flags=re.S)
        return top + rest.replace("<tbody>", '<tbody role="rowgroup">', 1)

    return re.sub(r'<table class="table\b.*?</table>', one, body, flags=re.S)


def _fold_long_tables(app, doctree, docname):
    """A table of more than LONG_TABLE_ROWS rows goes into a <details> whose summary is its
    number and caption, so the text around it stays in reach; one tap opens it."""
    if app.builder.format != "html":
        return
    from docutils import nodes

    numbers = app.env.toc_fignumbers.get(docname, {}).get("table", {})
    for table in list(doctree.findall(nodes.table)):
        rows = sum(len(body.children) for body in table.findall(nodes.tbody))
        if rows <= LONG_TABLE_ROWS or not table["ids"]:
            continue
        title = next(iter(table.findall(nodes.title)), None)
        caption = title.astext() if title is not None else ""
        number = ".".join(map(str, numbers.get(table["ids"][0], ())))
        label = f"表 {number}　{caption}" if number else caption
        from html import escape

        opening = (
            f'<details class="web-long-table"><summary><span class="web-long-table__caption">{escape(label)}</span>'
            f'<span class="web-long-table__open">共 {rows} 行，点击展开</span></summary>'
        )
        parent = table.parent
        index = parent.index(table)
        parent.insert(index + 1, nodes.raw("", "</details>", format="html"))
        parent.insert(index, nodes.raw("", opening, format="html"))


def _web_page_context(app, pagename, templatename, context, doctree):
    """Trim each page's assets to what it uses; add its description; lazy figures."""
    if app.builder.format != "html":
        return
    pdf = pdf_built(app) is not None
    context["web_pdf_edition"] = PDF_EDITION if pdf else ""  # the footer (web-credit.html)
    _header_buttons(context.get("header_buttons", []), context["pathto"], pdf)
    body = context.get("body", "")
    for key in ("script_files", "css_files"):
        if key in context:
            # Extensions that call app.add_js_file() per page append to the builder's shared
            # list, so an inline script can repeat (THEBE_JS_URL was declared twice): dedupe.
            seen, kept = set(), []
            for asset in context[key]:
                ident = (_asset_name(asset), _asset_body(asset))
                if ident not in seen and _keep_asset(asset, body, pagename):
                    seen.add(ident)
                    kept.append(asset)
            context[key] = kept
    if pagename != "search":
        # Off the search page nothing runs these before the page is parsed: defer them so
        # they stop blocking the first paint (order is kept; documentation_options.js
        # stays synchronous because inline scripts assign to DOCUMENTATION_OPTIONS). The
        # search page's searchtools.js calls doctools' _ready() at once, so it keeps them.
        from sphinx.builders.html._assets import _JavaScript

        context["script_files"] = [
            _JavaScript(a.filename, priority=a.priority, **{**a.attributes, "defer": "defer"})
            if _asset_name(a) in WEB_DEFER and isinstance(a, _JavaScript)
            else a  # copies: shared objects
            for a in context.get("script_files", [])
        ]
    if pagename == "search":
        # Before searchtools.js (which keeps a splitQuery already defined): the query splitter.
        from sphinx.builders.html._assets import _JavaScript

        context["script_files"].append(_JavaScript("_static/web/search-zh.js"))
    title = re.sub(r"<[^>]+>", "", context.get("title", "")).strip()
    book = app.config.html_title or app.config.project
    fallback = {"search": f"在《{book}》中搜索", "genindex": f"《{book}》索引"}.get(pagename, f"{title}：{book}")
    description = page_description(doctree, fallback)
    from html import escape

    context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{escape(description)}" />'
    if body:
        for english, chinese in BODY_UI_ZH.items():
            body = body.replace(english, chinese)
        context["body"] = card_tables(_lazy_images(app, doctree, body))
    # The tab's title (layout.html): the page's own, not followed by the book's, which every
    # tab repeated (a row of tabs showed the book's title cut short); the front page adds it.
    context["web_tab_title"] = f"{title} – {book}" if pagename == app.config.root_doc else title


# Icons the theme's CSS draws in pseudo-elements with the icon font (web.css masks them).
PSEUDO_ICONS = {"download", "circle-info", "arrow-up-right-from-square", "angle-right", "angle-down"}


def icon_css(names: set[str], fontawesome_js: Path) -> str:
    """CSS masks for the Font Awesome icons the pages use, cut from the theme's own copy.

    pydata-sphinx-theme draws its icons with a 1.5 MB fontawesome.js on every page (or a
    156 kB icon font); the pages use about fifteen icons. Each becomes a variable
    ``--web-icon-NAME`` holding its SVG path (Font Awesome Free icons, CC BY 4.0) and a
    rule ``.fa-NAME`` that web.css paints as a mask in ``currentColor``.
    """
    source = fontawesome_js.read_text(encoding="utf-8")
    variables, rules = [], []
    for name in sorted(names):
        pattern = rf'(?:"{re.escape(name)}"|[{{,]{re.escape(name)}):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","([^"]+)"\]'
        match = re.search(pattern, source)
        if not match:
            continue
        width, height, path = match.groups()
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        variables.append(f'--web-icon-{name}:url("data:image/svg+xml,{svg.replace("#", "%23")}");')
        rules.append(
            f".fa-{name}{{--web-icon:var(--web-icon-{name});--web-icon-width:{int(width) / int(height):.4g}em}}"
        )
    return ":root{" + "".join(variables) + "}\n" + "\n".join(rules) + "\n"


def _page_icons(text: str, page: str) -> set[str]:
    if re.search(r"https?://[^\"'\s]*mathjax", text, re.I):
        # Sphinx adds MathJax from a CDN to pages with math; readers in mainland China
        # would wait for it. Vendor MathJax 3 into tools/web/static/web/mathjax and set
        # mathjax_path to it (see _web_config_inited) before a page uses math.
        raise RuntimeError(f"{page} loads MathJax from another host")
    names = set()
    for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', text):
        names.update(c[3:] for c in classes.split() if c.startswith("fa-"))
    return names


def _web_build_finished(app, exception):
    """Write _static/web/web.css: the hand-written rules plus the icons the pages use.

    Only pages written since the last build are read (a record of each page's icons is
    kept beside the doctrees), so a one-page rebuild does not re-read the whole book.
    """
    if exception is not None or app.builder.format != "html":
        return
    import hashlib
    import json

    out = Path(app.outdir)
    record_file = Path(app.doctreedir) / "techreport-web-icons.json"
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        record = {}
    pages, seen = record.get("pages", {}), set()
    for page in out.rglob("*.html"):
        rel = page.relative_to(out)
        if "_static" in rel.parts:
            continue
        stat = page.stat()
        stamp, key = f"{stat.st_mtime_ns}:{stat.st_size}", rel.as_posix()
        seen.add(key)
        if pages.get(key, {}).get("stamp") != stamp:
            pages[key] = {"stamp": stamp, "icons": sorted(_page_icons(page.read_text(encoding="utf-8"), key))}
    pages = {k: v for k, v in pages.items() if k in seen}
    names = set().union(*(v["icons"] for v in pages.values()))
    names = (names - {"solid", "regular", "brands", "lg", "fw", "xs", "sm", "xl", "2x"}) | PSEUDO_ICONS
    hand = (WEB_DIR / "web.css").read_text(encoding="utf-8")
    version = hashlib.sha256((hand + "\n".join(sorted(names))).encode()).hexdigest()
    target = out / "_static" / "web" / "web.css"
    if record.get("css") != version or not target.exists():
        import pydata_sphinx_theme

        fontawesome = (
            Path(pydata_sphinx_theme.__file__).parent
            / "theme"
            / "pydata_sphinx_theme"
            / "static"
            / "scripts"
            / "fontawesome.js"
        )
        css = hand + icon_css(names, fontawesome)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != css:
            target.write_text(css, encoding="utf-8")
    record_file.write_text(json.dumps({"css": version, "pages": pages}), encoding="utf-8")
    built = pdf_built(app)
    if built is not None:
        import shutil

        shutil.copyfile(built, out / PDF_EDITION)
    else:
        (out / PDF_EDITION).unlink(missing_ok=True)  # a staging folder may keep an earlier copy


#: The theme's stylesheet as pages link it (tools/web/templates/static/webpack-macros.html): the
#: theme's own file less Font Awesome's glyph rules, beside it so its relative URLs still hold.
THEME_CSS = "styles/pydata-sphinx-theme.web.css"
#: Font Awesome's rules that put an icon's code point in ::before/::after (1,881 of them, 20 kB of
#: the stylesheet's 65 kB gzipped) and its @font-face rules. Icons are CSS masks here (web.css sets
#: their content to "" and their font to inherit), so the icon font is never loaded and these rules
#: never apply.
_ICON_GLYPHS = re.compile(r'(?<=[}\n])(?:\.fa-[\w-]+::?(?:before|after),?)+\{content:"[^"]*"\}')
_ICON_FONTS = re.compile(r"@font-face\{[^}]*font-family:\s*\"?Font Awesome[^}]*\}")
#: The source map names the theme's own file, which no longer matches line for line.
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/\s*$")


def theme_css(css: str) -> str:
    """pydata-sphinx-theme's stylesheet without the icon font's glyph and @font-face rules."""
    return _SOURCE_MAP.sub("", _ICON_FONTS.sub("", _ICON_GLYPHS.sub("", css)))


def _web_builder_inited(app) -> None:
    """Write THEME_CSS from the installed theme's stylesheet (before any page links it)."""
    if app.builder.format != "html":
        return
    import pydata_sphinx_theme

    from .downloads import write_if_changed

    source = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
    css = theme_css((source / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8"))
    write_if_changed(Path(app.outdir) / "_static" / THEME_CSS, css.encode("utf-8"))


def _web_config_inited(app, config):
    """Theme templates without the CDN-era extras; our static files; no empty index page."""
    config.templates_path = [str(WEB_DIR / "templates"), *config.templates_path]
    config.html_static_path = [*config.html_static_path, str(WEB_DIR / "static")]
    config.html_theme_options = {
        **config.html_theme_options,
        "search_bar_text": "搜索本书…",  # Jupyter Book's default is "Search this book..."
        "footer_content_items": ["web-credit.html"],  # the report, its publisher, the licence, the PDF
    }
    if (WEB_DIR / "static" / "web" / "mathjax" / "tex-chtml.js").exists():
        config.mathjax_path = "web/mathjax/tex-chtml.js"  # relative to _static


def _web_fingerprint(app) -> str:
    import hashlib

    files = [Path(__file__), *sorted(p for p in WEB_DIR.rglob("*") if p.is_file())]
    pdf = b"pdf" if pdf_built(app) is not None else b""  # every page links the PDF, or none does
    return hashlib.sha256(b"".join(p.read_bytes() for p in files) + pdf).hexdigest()


def _web_outdated(app, env, added, changed, removed):
    """Rewrite every page when this extension or tools/web/ changed, or the PDF edition came
    or went (Sphinx would not)."""
    fingerprint = _web_fingerprint(app)
    if getattr(env, "techreport_web", None) != fingerprint:
        env.techreport_web = fingerprint
        return sorted(env.found_docs - set(added) - set(changed))
    return []


def setup(app) -> None:
    app.connect("config-inited", _web_config_inited)
    app.connect("builder-inited", _web_builder_inited)
    app.connect("env-get-outdated", _web_outdated)
    app.connect("doctree-resolved", _fold_long_tables)
    app.connect("html-page-context", _web_page_context, priority=900)  # after the theme's own
    app.connect("build-finished", _web_build_finished)
    app.add_css_file("web/web.css", priority=900)
