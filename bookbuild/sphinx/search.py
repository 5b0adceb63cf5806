"""Chinese search: Sphinx segments the text with jieba, and a user dictionary generated
from the data (every field marked ``"searchTerm": true`` in datapackage.json) keeps the
book's terms whole, so 石墨烯 or 北斗 are single index entries.

Code is not indexed: readers search the book's words, not the notebooks' variable names.
``IndexBuilder.feed`` is wrapped to index each page without its code blocks (the page itself
keeps them); the result summaries leave code out too (tools/web/static/web/search-zh.js).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from techreport.data import DATA_DIR, package


def search_terms(data_dir=None) -> list[str]:
    """Every term from the fields marked ``searchTerm``, split on 、；, sorted.

    The cells are read as text, without the loader's checks: the build has validated every
    table before Sphinx runs, and a large book re-reads them all at each build.
    """
    terms = set()
    data_dir = Path(data_dir or DATA_DIR)
    for res in package(data_dir)["resources"]:
        fields = [f["name"] for f in res.get("schema", {}).get("fields", []) if f.get("searchTerm")]
        if not fields:
            continue
        with (data_dir / res["path"]).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for value in (row.get(field) or "" for field in fields):
                    terms.update(t.strip() for t in re.split(r"[、；;]", value) if len(t.strip()) > 1)
    return sorted(terms)


def write_user_dict(path: Path, data_dir=None) -> Path:
    """jieba's user-dictionary format: one ``term frequency`` per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{t} 1000\n" for t in search_terms(data_dir) if " " not in t)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _without_code(feed):
    """Wrap ``IndexBuilder.feed``: index a copy of the page without its code blocks."""
    from docutils import nodes

    def feed_without_code(self, docname, filename, title, doctree):
        doctree = doctree.deepcopy()
        for block in list(doctree.findall(nodes.literal_block)):
            block.parent.remove(block)
        return feed(self, docname, filename, title, doctree)

    return feed_without_code


def _user_dict_path(app) -> Path:
    return Path(app.confdir) / "_build" / "search" / "userdict.txt"


def _config_inited(app, config):
    path = write_user_dict(_user_dict_path(app))
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


def _refresh_user_dict(app, env, docnames):
    """Each build of a long-lived application (the preview) sees the data as it is now."""
    write_user_dict(_user_dict_path(app))


class _LatinTerms(set):
    """A set that takes ``extend`` (what SearchChinese calls on its list)."""

    def extend(self, terms) -> None:
        self.update(terms)


def _chinese_search():
    """Sphinx's Chinese search language with its Latin-word record kept per index, as a set.

    ``SearchChinese.latin_terms`` is one list for the whole process that only grows, and
    ``stem`` looks every word up in it: a build's cost grew with the square of the words
    indexed (most of a clean build of a 192-page book), and a long-lived preview slowed
    with every build. The words looked up, and so the index, are the same within a build.
    """
    from sphinx.search.zh import SearchChinese

    class SearchChineseIndexed(SearchChinese):
        def init(self, options) -> None:
            super().init(options)
            self.latin_terms = _LatinTerms()

    return SearchChineseIndexed


def setup(app) -> None:
    from sphinx.search import IndexBuilder

    if not getattr(IndexBuilder.feed, "without_code", False):
        IndexBuilder.feed = _without_code(IndexBuilder.feed)
        IndexBuilder.feed.without_code = True
    app.add_search_language(_chinese_search())
    app.connect("config-inited", _config_inited)
    app.connect("env-before-read-docs", _refresh_user_dict)
