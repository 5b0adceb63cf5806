"""Chinese search: Sphinx segments the text with jieba, and a user dictionary generated
from the data (every field marked ``"searchTerm": true`` in datapackage.json) keeps the
book's terms whole, so 石墨烯 or 北斗 are single index entries.

Readers type parts of names too: 张江 for 浦东张江 or 张江人工智能赋能中心, 集成电路 for
集成电路平台. jieba's search mode (``cut_for_search``, what Sphinx uses) adds only the 2- and
3-character pieces of a word that are in its dictionary, so 张江 (not in it) and 集成电路 (four
characters) were never indexed. Each word of three characters or more is also cut as if it
were not a word (:func:`sub_words`), recursively, and its pieces are indexed with it.

Ranking: Sphinx stores, for each term, the pages that hold it, and scores every page alike
(芯片 put the IC page 6th of 6). The pages of each term are stored in the order of the term's
share of each page's words (``get_terms``), which costs no byte of the index; tools/web/static/web/search-zh.js ranks a
page whose title or headings hold the term first, then by that order.

Code is not indexed: readers search the book's words, not the notebooks' variable names.
``IndexBuilder.feed`` is wrapped to index each page without its code blocks (the page itself
keeps them); the result summaries leave code out too (tools/web/static/web/search-zh.js).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from techreport.data import DATA_DIR, package

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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


def sub_words(word: str, tokenizer=None) -> list[str]:
    """The pieces of ``word`` (two characters or more) as jieba cuts it when ``word`` itself is
    not in the dictionary, and the pieces of those pieces: 张江人工智能赋能中心 -> 张江, 人工智能,
    赋能, 中心, 人工, 智能. Words of fewer than three characters, or with no Chinese, have none."""
    import jieba

    tokenizer = tokenizer or jieba.dt
    if len(word) < 3 or not CJK.search(word):
        return []
    tokenizer.check_initialized()
    saved = tokenizer.FREQ.get(word)
    tokenizer.FREQ[word] = 0  # get_DAG skips a word of frequency 0: the word is cut as if unknown
    try:
        pieces = [p for p in tokenizer.cut(word, HMM=True) if len(p) > 1 and p != word]
    finally:
        if saved is None:
            del tokenizer.FREQ[word]
        else:
            tokenizer.FREQ[word] = saved
    found = []
    for piece in pieces:
        found.append(piece)
        found.extend(sub_words(piece, tokenizer))
    return found


def _counts_file(env) -> Path:
    return Path(env.doctreedir) / "techreport-search-counts.json"


def _counts(env) -> dict[str, dict[str, int]]:
    """{page: {term: occurrences}}. Sphinx writes the environment before it indexes the pages
    and reads its index back from searchindex.js, so the counts are kept in a file of their own
    beside the doctrees (written with the index, see _by_frequency)."""
    if not hasattr(env, "techreport_search_counts"):
        import json

        try:
            env.techreport_search_counts = json.loads(_counts_file(env).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            env.techreport_search_counts = {}
    return env.techreport_search_counts


def _without_code(feed):
    """Wrap ``IndexBuilder.feed``: index a copy of the page without its code blocks, and keep
    how often each term occurs on the page (``env.techreport_search_counts``)."""
    from collections import Counter

    from docutils import nodes

    def feed_without_code(self, docname, filename, title, doctree):
        doctree = doctree.deepcopy()
        for block in list(doctree.findall(nodes.literal_block)):
            block.parent.remove(block)
        counter = getattr(self.lang, "counter", None)
        if counter is not None:
            counter.clear()
        result = feed(self, docname, filename, title, doctree)
        if counter is not None:
            counts = Counter()
            for word, n in counter.items():
                counts[self.lang.stem(word).lower()] += n
            _counts(self.env)[docname] = dict(counts)
        return result

    return feed_without_code


def _by_frequency(get_terms):
    """Wrap ``IndexBuilder.get_terms``: each term's pages, the page where the term is the largest
    share of the words first (then by page)."""

    def get_terms_by_frequency(self, fn2index):
        import json

        counts = _counts(self.env)
        for gone in set(counts) - set(fn2index):
            del counts[gone]
        _counts_file(self.env).write_text(json.dumps(counts, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        index2fn = {i: fn for fn, i in fn2index.items()}
        words = {fn: sum(page.values()) or 1 for fn, page in counts.items()}

        def share(term, i):  # of the page's words, how many are the term: the long 原文对照 page,
            fn = index2fn[i]  # which quotes the whole chapter, does not come first for every word
            return counts.get(fn, {}).get(term, 0) / words.get(fn, 1)

        rvs = get_terms(self, fn2index)
        for rv in rvs:
            for term, files in rv.items():
                if isinstance(files, list):
                    files.sort(key=lambda i: (-share(term, i), i))
        return rvs

    return get_terms_by_frequency


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
    from collections import Counter
    from functools import lru_cache

    from sphinx.search.zh import SearchChinese

    class SearchChineseIndexed(SearchChinese):
        def init(self, options) -> None:
            super().init(options)
            self.latin_terms = _LatinTerms()
            self.counter = Counter()  # the words of the page being indexed (see _without_code)
            self.pieces = lru_cache(maxsize=None)(lambda word: tuple(sub_words(word)))

        def split(self, input: str) -> list[str]:
            words = super().split(input)
            words += [piece for word in words for piece in self.pieces(word)]
            self.counter.update(words)
            return words

    return SearchChineseIndexed


def setup(app) -> None:
    from sphinx.search import IndexBuilder

    if not getattr(IndexBuilder.feed, "without_code", False):
        IndexBuilder.feed = _without_code(IndexBuilder.feed)
        IndexBuilder.feed.without_code = True
    if not getattr(IndexBuilder.get_terms, "by_frequency", False):
        IndexBuilder.get_terms = _by_frequency(IndexBuilder.get_terms)
        IndexBuilder.get_terms.by_frequency = True
    app.add_search_language(_chinese_search())
    app.connect("config-inited", _config_inited)
    app.connect("env-before-read-docs", _refresh_user_dict)
