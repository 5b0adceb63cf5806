"""Links to the book's data files (``{download}`` of ``/data/<name>.csv``) without a page depending on them.

The notebooks link each CSV a figure or table reads with MyST's ``{download}`` role
(``techreport.present``). Left to Sphinx, each such link makes the page depend on the CSV
(``DownloadFileCollector``): a one-row edit of ``indicators.csv`` would mark every page that
links it changed, and Sphinx would read and write them all again, although most show nothing
of that row. Here

* a transform, run while a page is read and before Sphinx's collector sees the link, turns each
  ``download_reference`` to an existing ``data/<name>.csv`` into a :class:`data_download`
  node: no dependency is noted and Sphinx copies nothing;
* the HTML page links ``_downloads/data/<name>.csv`` (a ``download`` link, as Sphinx writes
  its own); other builders show the link's text, as they do for ``{download}``;
* at the end of every HTML build the linked CSVs are copied there, written only when their
  bytes changed, so the file a reader downloads is the current CSV, whichever pages were built.

What a page really shows of a CSV (the 数据表 under a figure) is tracked by the rows it
shows, in :mod:`.figures`; a page's own notebook re-runs when the rows it read change
(``bookbuild.keys``), and Sphinx then reads the page again.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

from .downloads import write_if_changed

#: ``{download}`` targets taken over: a CSV of data/ (the path as techreport.present writes it)
TARGET = re.compile(r"^/data/(?P<name>[A-Za-z0-9_.-]+\.csv)$")
#: Where the HTML site keeps the copies: ``_downloads/data/<name>.csv``
FOLDER = "data"
LINKS = "techreport_data_links"  # env attribute: {doc: [file names]}


class data_download(nodes.Inline, nodes.TextElement):
    """A link to ``data/<filename>`` that the build publishes itself (see the module's docstring)."""


class DataLinks(SphinxTransform):
    """``{download}`` of a CSV of data/ -> :class:`data_download` (no dependency, no Sphinx copy)."""

    default_priority = 400

    def apply(self, **kwargs) -> None:
        data = Path(self.env.srcdir) / "data"
        found = []
        for ref in list(self.document.findall(addnodes.download_reference)):
            match = TARGET.match(ref.get("reftarget", ""))
            if not match or not (data / match["name"]).is_file():
                continue  # not a data file, or a missing one: Sphinx's own handling (and its warning)
            node = data_download(ref.rawsource, "", *ref.children, filename=match["name"])
            node.source, node.line = ref.source, ref.line
            ref.replace_self(node)
            found.append(match["name"])
        if found:
            _store(self.env)[self.env.docname] = sorted(set(found))


def _store(env) -> dict[str, list[str]]:
    if not hasattr(env, LINKS):
        setattr(env, LINKS, {})
    return getattr(env, LINKS)


def href(builder, filename: str) -> str:
    """The link from the page being written to the published copy of ``data/<filename>``."""
    return posixpath.join(builder.dlpath, FOLDER, quote(filename))


def _visit_html(translator, node) -> None:
    atts = {"class": "reference download internal", "download": "", "href": href(translator.builder, node["filename"])}
    translator.body.append(translator.starttag(node, "a", "", **atts))


def _depart_html(translator, node) -> None:
    translator.body.append("</a>")


def _text_only(translator, node) -> None:
    """The link's text, as Sphinx's other writers render a ``{download}``."""


def _purge(app, env, docname) -> None:
    _store(env).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    for doc in docnames:
        if doc in _store(other):
            _store(env)[doc] = _store(other)[doc]


def linked(env) -> list[str]:
    """Every data file some page links."""
    return sorted({name for names in _store(env).values() for name in names})


def _publish(app, exception) -> None:
    """Copy every linked CSV to ``_downloads/data/`` (changed bytes only); remove ones no page links."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / "_downloads" / FOLDER
    wanted = linked(app.env)
    for name in wanted:
        write_if_changed(folder / name, (Path(app.srcdir) / "data" / name).read_bytes())
    for old in folder.glob("*") if folder.is_dir() else ():
        if old.name not in wanted:
            old.unlink()


def setup(app) -> None:
    app.add_node(
        data_download,
        html=(_visit_html, _depart_html),
        latex=(_text_only, _text_only),
        text=(_text_only, _text_only),
        man=(_text_only, _text_only),
        texinfo=(_text_only, _text_only),
    )
    app.add_transform(DataLinks)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _publish)
