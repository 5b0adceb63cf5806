"""Sphinx extension for the book: the report's numbering and Chinese search terms.

* The report is chapter 2 of a larger report, so its sections are 2.1-2.3. Sphinx numbers
  toctrees from 1; ``secnumber_offset`` (set to 1 in _config.yml) shifts the top level,
  and figure/table numbers follow (图 2.1.3).
* Chinese search: Sphinx segments the text with jieba. A user dictionary generated from
  the data (every field marked ``"searchTerm": true`` in datapackage.json) keeps the
  book's terms whole, so 石墨烯 or 北斗 are single index entries.
* The PDF edition (LaTeX builder only): no code cells (the web keeps its collapsible
  code), and the front page becomes an unnumbered "关于本书" chapter after the contents.
"""

from __future__ import annotations

import re
from pathlib import Path

from .data import load_table, package

def _shift(numbers: dict, by: int) -> None:
    for doc in numbers.values():
        for anchor, secnum in doc.items():
            if secnum:
                doc[anchor] = type(secnum)([secnum[0] + by, *secnum[1:]])


def _offset_numbering(assign):
    """Wrap a collector's ``assign_section_numbers``: its numbering, top level shifted."""

    def assign_section_numbers(self, env):
        offset = env.config.secnumber_offset
        _shift(env.toc_secnumbers, -offset)  # compare like with like against the last build
        rewrite = assign(self, env)
        _shift(env.toc_secnumbers, offset)
        for docname, numbers in env.toc_secnumbers.items():
            if numbers.get(""):
                env.titles[docname]["secnumber"] = list(numbers[""])
            for ref in env.tocs[docname].findall(lambda n: "secnumber" in getattr(n, "attributes", {})):
                anchor = ref.get("anchorname", "")
                if numbers.get(anchor):  # None: a page or heading below the numbered depth
                    ref["secnumber"] = list(numbers[anchor])
        return rewrite

    return assign_section_numbers


def search_terms(data_dir=None) -> list[str]:
    """Every term from the fields marked ``searchTerm``, split on 、；, sorted."""
    terms = set()
    for res in package(data_dir)["resources"]:
        fields = [f["name"] for f in res.get("schema", {}).get("fields", []) if f.get("searchTerm")]
        if not fields:
            continue
        frame = load_table(res["name"], data_dir)
        for field in fields:
            for value in frame[field].dropna():
                terms.update(t.strip() for t in re.split(r"[、；;]", value) if len(t.strip()) > 1)
    return sorted(terms)


def write_user_dict(path: Path, data_dir=None) -> Path:
    """jieba's user-dictionary format: one ``term frequency`` per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{t} 1000\n" for t in search_terms(data_dir) if " " not in t)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _config_inited(app, config):
    path = write_user_dict(Path(app.confdir) / "_build" / "search" / "userdict.txt")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def _latex_builder_inited(app):
    """LaTeX only: readers of the PDF see text, tables and figures, never code."""
    if app.builder.format == "latex":
        # Read by myst-nb's own builder-inited handler (priority 500), which runs after this.
        app.config.nb_remove_code_source = True


def _latex_front_matter(app, env):
    """LaTeX only: the root page's title as an unnumbered chapter opening the front matter.

    sphinx-jupyterbook-latex inlines the root page after the contents but drops its H1;
    this puts it back (in the contents and the running head too).
    """
    if app.builder.format != "latex" or env.config.root_doc not in env.titles:
        return
    from sphinx.util.texescape import escape

    title = escape(env.titles[env.config.root_doc].astext())
    toc = app.builder.context.get("tableofcontents", r"\sphinxtableofcontents")
    if r"\chapter*" not in toc:
        app.builder.context["tableofcontents"] = (
            f"{toc}\n\\chapter*{{{title}}}\\addcontentsline{{toc}}{{chapter}}{{{title}}}"
            f"\\markboth{{{title}}}{{{title}}}\n"
        )


def setup(app):
    app.add_config_value("secnumber_offset", 0, "env")
    # Jupyter Book registers sphinx-external-toc's collector, which renumbers after Sphinx.
    from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as collector

    if not getattr(collector.assign_section_numbers, "offset", False):
        collector.assign_section_numbers = _offset_numbering(collector.assign_section_numbers)
        collector.assign_section_numbers.offset = True
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _latex_builder_inited, priority=400)
    app.connect("env-updated", _latex_front_matter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
