"""Charts a phone can read, a viewer on a tap, and under every chart and table its numbers,
its files and its citation (what Our World in Data readers get).

Every figure is drawn twice by the notebook (``techreport.present.show_figure``): the wide
SVG (desktop web and PDF) and a narrow one, drawn for a 336 px screen with fonts of at least
11 CSS px there, glued together under their own MIME types (``image/svg+xml`` and
``techreport.present.PHONE_SVG``). :class:`PhoneDrawing`, a MyST-NB MIME renderer plugin, renders
the pair where ``glue:figure`` places it, and the HTML page gets::

    <a class="figure-full" href="WIDE.svg"><picture>
      <source media="(max-width: 40em)" srcset="NARROW.svg" width=.. height=..>
      <img src="WIDE.svg" ...></picture></a>

so a phone loads only the narrow chart and any screen loads only one of the two. A tap or
click opens the viewer of tools/web/static/web/reader.js (the figure full screen with its
caption, the phone drawing on a phone, pinch and button zoom, Esc, the close button and the
back button all return to the same place); without scripts the link opens the wide SVG.

Under each figure and table (``fig-*``, ``tbl-*``) a row of three controls, each a
``<details>`` (one tap, no script needed to open it):

* 数据表 (figures): the rows of the CSV files the figure was drawn from. Rows whose report
  quote is one the figure shows (its 报告原文 block) are the rows it draws; a table none of
  whose rows is quoted there is shown whole and labelled so.
* 下载: PNG (drawn from the wide SVG at 2x, see :mod:`.downloads`), SVG and the CSV files;
  for a table, the table itself as CSV and the CSV files it was built from.
* 引用: GB/T 7714 and BibTeX with the permalink (page + ``#label``), each with a copy button.
"""

from __future__ import annotations

import csv
import hashlib
import json
import posixpath
import re
from html import escape
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from myst_nb.core.render import MimeData
from myst_nb.ext.glue.utils import retrieve_glue_data
from sphinx.util.images import get_image_size

from techreport.present import PHONE_SVG
from techreport.shown import current_resolver, data_state

from . import cite, datafiles, downloads, web
from .concordance import SHOWN

#: Screens up to this width get the narrow figure (a phone held upright, about 360-480 px).
NARROW_MEDIA = "(max-width: 40em)"
#: Columns left out of the on-page 数据表 (the CSV download keeps them): English names, the
#: report's words and their contexts (shown in the 报告原文 block under the figure), layout hints,
#: the book's notes (a page's statements about the report are glued from checked data, not typed
#: in cells) and the data's internal codes (row ids, keys, topic codes: no internal name on a page).
DATA_TABLE_SKIP = re.compile(r"(_en|_quote|_context|^decimals|^label_[xy]|^order|^note|^id|^code|^topic|_id)$")
#: Code columns still shown (the report's section numbers): after the names and numbers, which a
#: phone then shows first.
DATA_TABLE_CODES = re.compile(r"^section$")
#: The class of a figure's phone image node (inside its :class:`phone_picture`).
PHONE_CLASS = "phone-drawing"
READER_JS = "web/reader.js"
READER_CSS = "web/reader.css"


# ---- the phone drawing and the viewer link -------------------------------------------------


class phone_picture(nodes.General, nodes.Element):
    """A figure's two drawings: the wide image node, then the phone one. HTML writes a
    ``<picture>`` in a link to the wide SVG (the viewer's); other builders never get one."""


def _image_uri(translator, image) -> str:
    """Where the HTML page finds ``image`` (as Sphinx's own visit_image puts it in _images/)."""
    uri = image["uri"]
    if uri in translator.builder.images:
        return posixpath.join(translator.builder.imgpath, quote(translator.builder.images[uri]))
    return uri


def _visit_phone_picture(translator, node) -> None:
    wide, phone = node.children
    source = Path(translator.builder.srcdir) / phone.get("candidates", {}).get("*", phone["uri"])
    size = get_image_size(str(source)) if source.is_file() else None  # CSS px, as web.py sizes the wide <img>
    dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
    translator.body.append(
        f'<a class="figure-full" href="{_image_uri(translator, wide)}" title="全屏查看" aria-haspopup="dialog">'
        f'<picture><source media="{NARROW_MEDIA}" srcset="{_image_uri(translator, phone)}"{dims} />'
    )
    wide.walkabout(translator)
    translator.body.append("</picture></a>")
    raise nodes.SkipNode


def _skip(translator, node) -> None:
    raise nodes.SkipNode


class PhoneDrawing:
    """MyST-NB MIME renderer plugin (entry point ``myst_nb.mime_renderers`` in pyproject.toml) for
    a figure's phone drawing, :data:`techreport.present.PHONE_SVG`.

    A figure's glued output holds the wide SVG (``image/svg+xml``) and the phone SVG. Where the
    ``glue:figure`` directive places it, an HTML builder gets a :class:`phone_picture` of both
    (the phone file named ``<figure>-phone-<hash>.svg``); other builders take the wide SVG (the
    LaTeX builder converts it to PDF). Where the cell ran, the output is shown in Jupyter only:
    the book leaves that place empty (the directive places the figure, numbered).
    """

    #: The phone type first, so that it is what the book renders of a figure's output, everywhere.
    mime_priority_overrides = (("*", PHONE_SVG, 1),)

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if data.mime_type != PHONE_SVG:
            return None
        if data.cell_index is not None:  # the cell's own output: the glue:figure places the figure
            return [nodes.comment("", "")]
        env = renderer.renderer.sphinx_env
        if env is None or env.app.builder.format != "html" or __package__ not in env.app.extensions:
            # no phone drawing: the bundle's wide SVG is rendered instead (in the PDF, and in a stock
            # Jupyter Book build of these pages, measure/, which has no writer for a phone_picture)
            return []
        name = data.output_metadata["scrapbook"]["name"]
        wide = retrieve_glue_data(renderer.renderer.document, name).data["image/svg+xml"]
        (image,) = renderer.render_image(
            MimeData("image/svg+xml", wide, cell_metadata=data.cell_metadata, line=data.line)
        )
        svg = data.string.encode("utf-8")
        uri = renderer.write_file(
            [f"{name}-phone-{hashlib.sha256(svg).hexdigest()[:12]}.svg"], svg, overwrite=False, exists_ok=True
        )
        return [phone_picture("", image, nodes.image(uri=uri, classes=[PHONE_CLASS]))]


# ---- what a figure or table was drawn from -------------------------------------------------


def _package(srcdir: Path) -> dict:
    return json.loads((srcdir / "data" / "datapackage.json").read_text(encoding="utf-8"))


def _fields(package: dict, table: str) -> list[dict]:
    for resource in package["resources"]:
        if resource["name"] == table:
            return resource.get("schema", {}).get("fields", [])
    return []


def _norm(text: str) -> str:
    return " ".join(str(text).split())


def _quotes(node) -> set[str]:
    """The report's words shown with a figure: its 报告原文 paragraph, “…” by “…”."""
    parent = node.parent
    for sibling in parent.children[parent.index(node) + 1 : parent.index(node) + 4]:
        if isinstance(sibling, nodes.paragraph) and "report-words-text" in sibling.get("classes", []):
            return {_norm(q) for q in re.findall(r"“(.*?)”(?=；|$)", sibling.astext().strip(), re.S)}
    return set()


def _csv_links(node, depth: str) -> list[tuple[str, str]]:
    """(table name, href) of each data file the caption or source line links (:mod:`.datafiles`)."""
    links = []
    for ref in node.findall(datafiles.data_download):
        links.append((Path(ref["filename"]).stem, f"{depth}_downloads/{datafiles.FOLDER}/{ref['filename']}"))
    return list(dict.fromkeys(links))


def _keys(row: dict, fields) -> tuple:
    return tuple(row.get(f, "") for f in ([fields] if isinstance(fields, str) else fields))


def _with_related(shown: dict, records: dict, links: list) -> None:
    """Add to each shown table the rows a foreign key ties to shown rows of another (a group's items,
    then their parents): twice, both ways."""
    for _ in range(2):
        for down in (True, False):
            for child, fields, parent, keys in links:
                have, want, have_f, want_f = (parent, child, keys, fields) if down else (child, parent, fields, keys)
                if have in shown and want in shown:
                    values = {_keys(records[have][i], have_f) for i in shown[have]}
                    more = [i for i, r in enumerate(records[want]) if _keys(r, want_f) in values]
                    shown[want] = sorted(set(shown[want]) | set(more))


def shown_rows(
    srcdir: Path, tables: list[str], quotes: set[str], drawn: dict[str, set[int]] | None = None
) -> dict[str, tuple[list[str], list[list[str]], str]]:
    """``{table: (header, rows, how)}``: the rows of a figure's tables that it draws.

    ``how`` is "quoted" (the row's report quote is among the figure's ``quotes``, or the row is
    one of ``drawn``, ``{table: row indices}``: the rows the figure's record shows, with the rows
    a foreign key ties to them in the figure's other tables), "linked" (a
    foreign key ties it to such a row, e.g. the milestone of a quoted ship), or "all" (no row
    of the table is tied to a quoted one: a map draws every district). Columns go by their
    Chinese titles (English names, quotes and layout hints left to the CSV), codes by their
    ``enumTitles``.
    """
    package = _package(srcdir)
    records, shown, how = {}, {}, {}
    for table in tables:
        with (srcdir / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            records[table] = list(csv.DictReader(fh))
        quoted = [n for n in (records[table][0] if records[table] else {}) if n.endswith("quote")]
        hits = [
            i
            for i, r in enumerate(records[table])
            if any(_norm(r.get(q) or "") in quotes for q in quoted) or i in (drawn or {}).get(table, ())
        ]
        if hits:
            shown[table], how[table] = hits, "quoted"
    links = [
        (r["name"], fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
        for r in package["resources"]
        if r["name"] in records
        for fk in r.get("schema", {}).get("foreignKeys", [])
        if fk["reference"].get("resource") in records and fk["reference"]["resource"] != r["name"]
    ]
    _with_related(shown, records, links)  # what a drawn row brings with it
    changed = True
    while changed:
        changed = False
        for child, fields, parent, keys in links:
            for have, want, have_f, want_f in ((child, parent, fields, keys), (parent, child, keys, fields)):
                if have in shown and want not in shown:
                    values = {_keys(records[have][i], have_f) for i in shown[have]}
                    hits = [i for i, r in enumerate(records[want]) if _keys(r, want_f) in values]
                    if hits:
                        shown[want], how[want], changed = hits, "linked", True
    _with_related(shown, records, links)
    out = {}
    for table in tables:
        resource = next((r for r in package["resources"] if r["name"] == table), {})
        fields = resource.get("schema", {}).get("fields", [])
        names = _referenced_names(srcdir, package, resource)  # {column: {id: name}}: a row's organisation, event...
        kept = [f for f in fields if not DATA_TABLE_SKIP.search(f["name"]) or f["name"] in names] or fields
        titles = [f.get("title") or f["name"] for f in kept]
        kept = [
            f for k, f in enumerate(kept) if (f.get("title") or f["name"]) not in titles[:k]
        ]  # a code and its name: once
        kept.sort(key=lambda f: bool(DATA_TABLE_CODES.search(f["name"])))  # names and numbers first, codes last
        header = [
            (f.get("title") or f["name"]).removesuffix("编号") if f["name"] in names else f.get("title") or f["name"]
            for f in kept
        ]
        chosen = [records[table][i] for i in shown[table]] if table in shown else records[table]
        rows = [
            [
                str(names.get(f["name"], {}).get(r.get(f["name"], "")) or "")
                if f["name"] in names
                else str(f.get("enumTitles", {}).get(r.get(f["name"], ""), r.get(f["name"], "")) or "")
                for f in kept
            ]
            for r in chosen
        ]
        out[table] = (header, rows, how.get(table, "all"))
    return out


# {state of data/: {(page, label, passages): the rows drawn}}, for the current state only
_DRAWN: dict[tuple, dict[tuple, dict[str, set[int]]]] = {}


def _drawn(app, docname: str, label: str) -> dict[str, set[int]]:
    """``{table: row indices}``: the data rows whose quotes stand inside what figure ``label`` records it shows."""
    passages = getattr(app.env, SHOWN, {}).get(docname, {}).get(label, [])
    if not passages:
        return {}
    data = Path(app.srcdir) / "data"
    state = data_state(data)
    if state not in _DRAWN:
        _DRAWN.clear()
    drawn = _DRAWN.setdefault(state, {})
    key = (docname, label, tuple(passages))
    if key not in drawn:  # asked when the page is read, checked and written
        out: dict[str, set[int]] = {}
        resolver = current_resolver(data)
        for passage in passages:
            for row in resolver.shows(passage):
                out.setdefault(row.table, set()).add(row.line - 2)  # the row's index in its CSV
        drawn[key] = out
    return drawn[key]


def _referenced_names(srcdir: Path, package: dict, resource: dict) -> dict[str, dict[str, str]]:
    """``{column: {key: name}}`` for each one-column foreign key of ``resource`` to a table with a Chinese
    name or label: the 数据表 shows the name the key stands for, not the key."""
    out = {}
    for fk in resource.get("schema", {}).get("foreignKeys", []):
        fields, ref = fk["fields"], fk["reference"]
        parent = ref.get("resource") or resource.get("name")
        if (isinstance(fields, list) and len(fields) != 1) or not (srcdir / "data" / f"{parent}.csv").is_file():
            continue
        column = fields[0] if isinstance(fields, list) else fields
        key = ref["fields"][0] if isinstance(ref["fields"], list) else ref["fields"]
        with (srcdir / "data" / f"{parent}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        label = next((c for c in ("name_zh", "label_zh", "short_zh") if rows and c in rows[0]), None)
        if label:
            out[column] = {r[key]: r[label] for r in rows}
    return out


def _html_table(ident: str, caption: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="fig-data" role="region" tabindex="0" aria-labelledby="{ident}">'
        f'<table><caption id="{ident}">{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _shown_table(table) -> tuple[list[str], list[list[str]]]:
    """A docutils table's header and rows as text (the 报告原文 column without its 原文 button)."""
    from techreport.present import QUOTE_COLUMN

    def cells(row):
        return [_norm(entry.astext()) for entry in row.findall(nodes.entry)]

    head = [cells(r) for t in table.findall(nodes.thead) for r in t.findall(nodes.row)]
    body = [cells(r) for t in table.findall(nodes.tbody) for r in t.findall(nodes.row)]
    header = head[0] if head else []
    if QUOTE_COLUMN in header:
        i = header.index(QUOTE_COLUMN)
        for row in body:
            if i < len(row) and row[i].startswith("原文"):
                row[i] = row[i][2:].strip()
    return header, body


# ---- which pages a data edit changes ---------------------------------------------------------
#
# A figure's 数据表 is drawn from CSV files at write time. A page depends on the rows it shows,
# not on whole files: when it is read, the rows each figure's 数据表 shows are recorded (as a
# digest, with what they were chosen by: the figure's tables and quotes); when data/ has
# changed, each page's 数据表 is worked out again from the current files, and only a page whose
# rows differ is read and written again. A one-row edit of indicators.csv then rewrites the
# pages that show that row, not every page that links the file (.datafiles).

DATA_TABLES = "techreport_data_tables"  # env attribute: {doc: {"figures": [(label, tables, quotes)], "digest": str}}
DATA_CHECKED = "techreport_data_checked"  # env attribute: the state of data/ at the last check
DATA_PENDING = "techreport_data_pending"  # env attribute: pages found changed, until they are read again


def _data_table(app, docname: str, label: str, tables: list[str], quotes) -> dict:
    """``{table: (header, rows, how)}``: the 数据表 of figure ``label`` (see :func:`shown_rows`)."""
    return shown_rows(Path(app.srcdir), tables, set(quotes), _drawn(app, docname, label))


def _data_digest(app, docname: str, figures: list) -> str:
    """A digest of every 数据表 of a page, from the current data (any failure gives a value of its own)."""
    try:
        shown = [(label, _data_table(app, docname, label, tables, quotes)) for label, tables, quotes in figures]
    except Exception as exc:  # the page is read again, and the error shows where it always does
        return f"failed: {type(exc).__name__}: {exc}"
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode("utf-8")).hexdigest()


def _env_record(env, attr: str):
    if not hasattr(env, attr):
        setattr(env, attr, set() if attr == DATA_PENDING else {})
    return getattr(env, attr)


def _record_data_tables(app, doctree) -> None:
    """When a page is read: what its figures' 数据表 show (the inputs and a digest of the rows)."""
    env, doc = app.env, app.env.docname
    figures = []
    for figure in doctree.findall(nodes.figure):
        if figure["ids"] and figure["ids"][0].startswith("fig-"):
            tables = [t for t, _ in _csv_links(figure, "")]
            if tables:
                figures.append((figure["ids"][0], tables, sorted(_quotes(figure))))
    _env_record(env, DATA_PENDING).discard(doc)
    if figures:
        _env_record(env, DATA_TABLES)[doc] = {"figures": figures, "digest": _data_digest(app, doc, figures)}
    else:
        _env_record(env, DATA_TABLES).pop(doc, None)


def _data_outdated(app, env, added, changed, removed) -> list[str]:
    """The pages whose 数据表 rows differ from the data/ of now (checked once per change of data/).

    Not in a build of some pages only (``app.techreport_only``, the preview's open pages, set by
    bookbuild.sphinx_app): every other page is left to the next build, which checks."""
    state = data_state(Path(app.srcdir) / "data")
    pending = _env_record(env, DATA_PENDING)
    if getattr(env, DATA_CHECKED, None) != state and not getattr(app, "techreport_only", None):
        for doc, record in _env_record(env, DATA_TABLES).items():
            if doc in added or doc in changed or doc in removed or doc in pending:
                continue
            if _data_digest(app, doc, record["figures"]) != record["digest"]:
                pending.add(doc)
        setattr(env, DATA_CHECKED, state)
    return sorted((pending & env.found_docs) - set(removed))


def _forget_data_tables(app, env, docname) -> None:
    _env_record(env, DATA_TABLES).pop(docname, None)


def _merge_data_tables(app, env, docnames, other) -> None:
    for doc in docnames:
        if doc in _env_record(other, DATA_TABLES):
            _env_record(env, DATA_TABLES)[doc] = _env_record(other, DATA_TABLES)[doc]


# ---- the control row ------------------------------------------------------------------------


def _citation_panel(record: dict, label: str, title: str, page_url: str) -> str:
    url = cite.permalink(record, page_url, label)
    dynamic = not cite.base_url(record)  # the page's own address, written in full by reader.js
    date = str(record["date-released"])

    def link(text: str) -> str:
        return f'<span data-permalink="#{label}">{escape(text)}</span>' if dynamic else escape(text)

    gb = escape(cite.gbt7714(record, title, "\0", "\1"))
    gb = gb.replace("\0", link(url)).replace("\1", f"<span data-today>{date}</span>")
    bib = escape(cite.bibtex(record, label, title, "\0", "\1"))
    bib = bib.replace("\0", link(url)).replace("\1", f"<span data-today>{date}</span>")
    ident = f"cite-{label}"
    return (
        f'<p class="fig-cite__label">GB/T 7714</p><p class="fig-cite__text" id="{ident}-gb">{gb}</p>'
        f'<button type="button" class="fig-tool__button" data-copy="{ident}-gb">复制</button>'
        f'<p class="fig-cite__label">BibTeX</p><pre class="fig-cite__bib" id="{ident}-bib">{bib}</pre>'
        f'<button type="button" class="fig-tool__button" data-copy="{ident}-bib">复制</button>'
        f'<p class="fig-cite__label">链接</p><p class="fig-cite__text" id="{ident}-url"><a href="#{label}">{link(url)}</a></p>'
        f'<button type="button" class="fig-tool__button" data-copy="{ident}-url">复制</button>'
    )


def _details(group: str, summary: str, panel: str, kind: str) -> str:
    return (
        f'<details class="fig-tool fig-tool--{kind}" name="{group}"><summary>{summary}</summary>'
        f'<div class="fig-tool__panel">{panel}</div></details>'
    )


def _files_list(items: list[tuple[str, str, str, str]]) -> str:
    """<ul> of (href, download name, link text, note)."""
    lis = "".join(
        f'<li><a href="{escape(href)}" download="{escape(name)}">{escape(text)}</a>'
        + (f'<span class="fig-tool__note">{escape(note)}</span>' if note else "")
        + "</li>"
        for href, name, text, note in items
    )
    return f'<ul class="fig-tool__files">{lis}</ul>'


def _row(label: str, number: str, parts: list[str]) -> str:
    what = number or label
    return f'<div class="fig-tools" role="group" aria-label="{escape(what)}：数据、下载与引用">{"".join(parts)}</div>'


def _figure_controls(app, docname: str, figure, number: str, record: dict) -> tuple[str, dict | None]:
    label = figure["ids"][0]
    depth = "../" * docname.count("/")
    caption = next(iter(figure.findall(nodes.caption)), None)
    title = cite.item_title(f"图 {number}" if number else "", caption.astext() if caption is not None else "")
    srcdir = Path(app.srcdir)
    svg = None
    for image in figure.findall(nodes.image):
        if PHONE_CLASS in image["classes"]:
            continue
        candidate = srcdir / image.get("candidates", {}).get("*", image["uri"])
        if candidate.suffix == ".svg" and candidate.is_file():
            svg = candidate
    tables = _csv_links(figure, depth)
    parts, og = [], None
    if tables:
        panels = []
        for i, (table, (header, rows, how)) in enumerate(
            _data_table(app, docname, label, [t for t, _ in tables], _quotes(figure)).items()
        ):
            what = {"quoted": "本图所画的", "linked": "与之关联的", "all": "全部"}[how]
            panels.append(_html_table(f"data-{label}-{i}", f"{table}.csv：{what}{len(rows)}行", header, rows))
        parts.append(_details(f"tools-{label}", "数据表", "".join(panels), "data"))
    files = []
    if svg is not None:
        name, size = downloads.png(svg, Path(app.outdir) / "_images")
        files.append((f"{depth}_images/{name}", f"{label}.png", "PNG图片", f"{size[0]}×{size[1]}像素"))
        files.append((f"{depth}_images/{svg.name}", f"{label}.svg", "SVG矢量图", "可无损缩放"))
        og = {"url": f"_images/{name}", "size": size, "alt": figure.get("alt") or _first_image_alt(figure)}
    files += [(href, f"{table}.csv", f"{table}.csv", "数据（CSV）") for table, href in tables]
    parts.append(_details(f"tools-{label}", "下载", _files_list(files), "files"))
    page_url = app.builder.get_target_uri(docname)
    parts.append(_details(f"tools-{label}", "引用", _citation_panel(record, label, title, page_url), "cite"))
    return _row(label, f"图 {number}" if number else "", parts), og


def _first_image_alt(figure) -> str:
    return next((i.get("alt", "") for i in figure.findall(nodes.image) if i.get("alt")), "")


def _table_controls(app, docname: str, table, number: str, record: dict, after) -> str:
    label = table["ids"][0]
    depth = "../" * docname.count("/")
    title_node = next(iter(table.findall(nodes.title)), None)
    title = cite.item_title(f"表 {number}" if number else "", title_node.astext() if title_node is not None else "")
    header, rows = _shown_table(table)
    file = Path(app.outdir) / "_downloads" / "tables" / f"{label}.csv"
    downloads.write_if_changed(file, downloads.table_csv(header, rows))
    files = [(f"{depth}_downloads/tables/{label}.csv", f"{label}.csv", "本表CSV", f"{len(rows)}行，如上所示")]
    for node in after:
        files += [(href, f"{t}.csv", f"{t}.csv", "数据（CSV）") for t, href in _csv_links(node, depth)]
    page_url = app.builder.get_target_uri(docname)
    parts = [
        _details(f"tools-{label}", "下载", _files_list(files), "files"),
        _details(f"tools-{label}", "引用", _citation_panel(record, label, title, page_url), "cite"),
    ]
    return _row(label, f"表 {number}" if number else "", parts)


def _number(app, docname: str, kind: str, ident: str) -> str:
    return ".".join(map(str, app.env.toc_fignumbers.get(docname, {}).get(kind, {}).get(ident, ())))


def _add_controls(app, doctree, docname: str) -> None:
    """A control row under each numbered figure and table of an HTML page."""
    if app.builder.format != "html":
        return
    record = cite.book()
    og = None
    for figure in list(doctree.findall(nodes.figure)):
        if not figure["ids"] or not figure["ids"][0].startswith("fig-"):
            continue
        row, image = _figure_controls(app, docname, figure, _number(app, docname, "figure", figure["ids"][0]), record)
        og = og or image
        figure.parent.insert(figure.parent.index(figure) + 1, nodes.raw("", row, format="html"))
    for table in list(doctree.findall(nodes.table)):
        if not table["ids"] or not table["ids"][0].startswith("tbl-"):
            continue
        parent, index = table.parent, table.parent.index(table)
        after = []
        for sibling in parent.children[index + 1 :]:
            if isinstance(sibling, nodes.raw) and "</details>" in sibling.astext():
                index = parent.index(sibling)  # web.py's fold of a long table: the row goes after it
                continue
            if isinstance(sibling, nodes.paragraph) and {"table-note", "source-line"} & set(sibling["classes"]):
                after.append(sibling)
                index = parent.index(sibling)
                continue
            break
        row = _table_controls(app, docname, table, _number(app, docname, "table", table["ids"][0]), record, after)
        parent.insert(index + 1, nodes.raw("", row, format="html"))
    if og:
        doctree["techreport_og_image"] = og


# ---- the page: viewer link, scripts, meta tags, download menu --------------------------------


def _assets(context, needed: bool) -> None:
    if not needed:
        return
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    context["css_files"] = [*context.get("css_files", []), _CascadingStyleSheet(f"_static/{READER_CSS}", priority=900)]
    context["script_files"] = [*context.get("script_files", []), _JavaScript(f"_static/{READER_JS}", defer="defer")]


def _pdf_published(app) -> bool:
    """The site will hold the PDF edition (web.py copies it in when it is built): only then does a
    page name it in ``citation_pdf_url``. One answer with the menu's and the footer's link."""
    return web.pdf_built(app) is not None


def _meta(app, pagename: str, context, doctree) -> None:
    from .web import page_description

    record = cite.book()
    book_title = app.config.html_title or app.config.project
    title = re.sub(r"<[^>]+>", "", context.get("title", "")).strip() or book_title
    description = page_description(doctree, f"{title}：{book_title}")
    og = doctree.get("techreport_og_image") if doctree is not None else None
    image = (og["url"], tuple(og["size"]), og["alt"]) if og else (CARD, CARD_SIZE, book_title)
    context["metatags"] = context.get("metatags", "") + cite.meta_tags(
        record,
        title=title,
        description=description,
        page_url=app.builder.get_target_uri(pagename),
        image=image,
        pdf_url=web.PDF_EDITION if _pdf_published(app) else None,
        book_title=book_title,
        is_root=pagename == app.config.root_doc,
    )


def _runnable_button(app, pagename: str, context) -> None:
    source = Path(app.env.doc2path(pagename)) if pagename in app.env.all_docs else None
    if source is None or source.suffix != ".ipynb":
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        group["buttons"].insert(
            1,
            {
                "type": "link",
                "url": context["pathto"](runnable_zip(pagename), 1),
                "text": "可运行的笔记本",
                "tooltip": "下载可运行的笔记本（含数据、辅助包与说明）",
                "icon": "fas fa-file-zipper",
                "label": "runnable-notebook-button",
            },
        )


def runnable_zip(pagename: str) -> str:
    """The site path of a page's runnable notebook zip: beside the page, ``ai.html`` -> ``ai.zip``."""
    return f"{pagename}.zip"


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    _meta(app, pagename, context, doctree)
    _runnable_button(app, pagename, context)
    body = context.get("body") or ""
    _assets(context, 'class="fig-tools"' in body or 'class="figure-full"' in body)


# ---- build-wide files: the book card, the data package, the runnable notebooks -------------

CARD = "_images/book-card.png"
CARD_SIZE = (1200, 630)


def _card_svg(title: str, subtitle: str) -> str:
    w, h = CARD_SIZE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
        f'<rect width="{w}" height="{h}" fill="#ffffff"/><rect width="24" height="{h}" fill="#228833"/>'
        f'<g font-family="Noto Sans CJK SC" fill="#222222">'
        f'<text x="96" y="250" font-size="56">{escape(title)}</text>'
        f'<text x="96" y="340" font-size="34" fill="#555555">{escape(subtitle)}</text>'
        f'<text x="96" y="540" font-size="28" fill="#666666">数据、图表与报告原文对照</text></g></svg>'
    )


def _builder_inited(app) -> None:
    if app.builder.format != "html":
        return
    import tempfile

    book_title = app.config.html_title or app.config.project
    svg = _card_svg(book_title, "《2020上海科技进步报告》第2章 数据版")
    target = Path(app.outdir) / CARD
    stamp = Path(app.doctreedir) / "techreport-book-card.txt"
    digest = hashlib.sha256(svg.encode()).hexdigest()
    if target.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "card.svg"
        path.write_text(svg, encoding="utf-8")
        data = downloads.render_png(path, scale=1)
    downloads.write_if_changed(target, data)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)


def _build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out, src = Path(app.outdir), Path(app.srcdir)
    downloads.write_if_changed(out / downloads.DATA_ZIP, downloads.data_package(src))
    reads = downloads.recorded_reads(src)
    book_title = app.config.html_title or app.config.project
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        title = app.env.titles[docname].astext() if docname in app.env.titles else docname
        rel = source.relative_to(src).as_posix()
        data = downloads.runnable_notebook(source, title, book_title, reads.get(rel), root=src)
        downloads.write_if_changed(out / runnable_zip(docname), data)


def _fingerprint(app) -> str:
    here = Path(__file__).parent
    parts = [p.read_bytes() for p in (here / "figures.py", here / "cite.py", here / "downloads.py")]
    parts.append(cite.CITATION.read_bytes() if cite.CITATION.is_file() else b"")
    parts.append(b"pdf" if _pdf_published(app) else b"")
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _outdated(app, env, added, changed, removed):
    """Rewrite every page when this module, the citation record or the PDF's presence changed."""
    fingerprint = _fingerprint(app)
    if getattr(env, "techreport_reader", None) != fingerprint:
        env.techreport_reader = fingerprint
        return sorted(env.found_docs - set(added) - set(changed))
    return []


def setup(app) -> None:
    app.add_node(
        phone_picture,
        html=(_visit_phone_picture, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.connect("builder-inited", _builder_inited)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-get-outdated", _data_outdated)
    app.connect("doctree-read", _record_data_tables)
    app.connect("env-purge-doc", _forget_data_tables)
    app.connect("env-merge-info", _merge_data_tables)
    app.connect("doctree-resolved", _add_controls, priority=600)  # after web.py folds long tables
    app.connect("html-page-context", _page_context, priority=950)  # after web.py's lazy images (900)
    app.connect("build-finished", _build_finished)
