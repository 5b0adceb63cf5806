"""The report's numbering: chapter 2 of a larger report, so its sections are 2.1-2.3.

Sphinx numbers toctrees from 1; ``secnumber_offset`` (set to 1 in _config.yml) shifts the
top level. Jupyter Book registers sphinx-external-toc's collector, which renumbers after
Sphinx: its ``assign_section_numbers`` is wrapped here (see tests/test_versions.py for the
version this was written against).

Figures and tables are numbered through the chapter as Chinese books number them: 图 2-1,
表 2-1 (chapter, hyphen, running number; ``numfig_secnum_depth: 1``), so that no figure
number reads like section 2.1. Sphinx joins a number's parts with "." wherever it prints
one (captions, ``{numref}``); ``assign_figure_numbers`` is wrapped so that each number is
stored already joined with ``FIGURE_NUMBER_SEPARATOR``. The PDF sets the same scheme in
LaTeX (tools/latex/).
"""

from __future__ import annotations

FIGURE_NUMBER_SEPARATOR = "-"


def _shift(numbers: dict, by: int) -> None:
    for doc in numbers.values():
        for anchor, secnum in doc.items():
            if secnum:
                doc[anchor] = type(secnum)([secnum[0] + by, *secnum[1:]])


def _set_aside_headings(env) -> list:
    """Headings inside a page that holds other pages (the chapter page 2, the section pages
    2.1-2.3) are topics of that page, not sections of the report: they must not take the
    numbers 2.1-2.3 from the report's sections. Their entries are taken out of the page's
    table of contents while numbers are assigned, and put back by :func:`_put_back`.
    (sphinx-external-toc loads sphinx-multitoc-numbering, whose numbering ignores Sphinx's
    ``skip_section_number``.) Deeper pages' headings are below the numbered depth anyway."""
    from docutils import nodes
    from sphinx import addnodes

    aside = []
    for docname in env.toctree_includes:
        toc = env.tocs.get(docname)
        if toc is None:
            continue
        for item in list(toc.findall(nodes.list_item)):
            first = item.children[0] if item.children else None
            if isinstance(first, addnodes.compact_paragraph) and first.children and first[0].get("anchorname"):
                aside.append((docname, item.parent, item.parent.index(item), item))
    for _, parent, _, item in reversed(aside):
        parent.remove(item)
    return aside


def _put_back(env, aside: list) -> None:
    """Restore the entries; record their headings as unnumbered (None, as for headings
    below the numbered depth), or Sphinx would print the page's own number on them."""
    from docutils import nodes

    for docname, parent, index, item in aside:
        parent.insert(index, item)
        for ref in item.findall(nodes.reference):
            ref.attributes.pop("secnumber", None)
            if docname in env.toc_secnumbers:
                env.toc_secnumbers[docname][ref["anchorname"]] = None


def _offset_numbering(assign):
    """Wrap a collector's ``assign_section_numbers``: its numbering, top level shifted."""

    def assign_section_numbers(self, env):
        # sphinx-external-toc's collector counts chapters in attributes that only __init__
        # zeroes, so a second build in the same application (the preview) would number from
        # where the first stopped (2 -> 3): start them at 0 as a new application does.
        for style in ("numerical", "romanupper", "romanlower", "alphaupper", "alphalower"):
            if hasattr(self, f"_TocTreeCollectorWithStyles__{style}_count"):
                setattr(self, f"_TocTreeCollectorWithStyles__{style}_count", 0)
        offset = env.config.secnumber_offset
        aside = _set_aside_headings(env)
        before = {doc: dict(env.toc_secnumbers.get(doc) or {}) for doc, *_ in aside}
        _shift(env.toc_secnumbers, -offset)  # compare like with like against the last build
        try:
            rewrite = assign(self, env)
        finally:
            _put_back(env, aside)
        _shift(env.toc_secnumbers, offset)
        rewrite = [
            *rewrite,
            *(doc for doc in before if doc not in rewrite and env.toc_secnumbers.get(doc) != before[doc]),
        ]
        for docname, numbers in env.toc_secnumbers.items():
            if numbers.get(""):
                env.titles[docname]["secnumber"] = list(numbers[""])
            for ref in env.tocs[docname].findall(lambda n: "secnumber" in getattr(n, "attributes", {})):
                anchor = ref.get("anchorname", "")
                if numbers.get(anchor):  # None: a page or heading below the numbered depth
                    ref["secnumber"] = list(numbers[anchor])
        return rewrite

    return assign_section_numbers


def _join(numbers: dict) -> None:
    """(2, 1) -> ("2-1",) for every figure/table/code number: Sphinx prints "2-1"."""
    for figtypes in numbers.values():
        for ids in figtypes.values():
            for fig_id, number in ids.items():
                ids[fig_id] = (FIGURE_NUMBER_SEPARATOR.join(map(str, number)),)


def _split(numbers: dict) -> None:
    """The inverse of :func:`_join`, so a rebuild compares like with like."""
    for figtypes in numbers.values():
        for ids in figtypes.values():
            for fig_id, number in ids.items():
                if len(number) == 1 and isinstance(number[0], str):
                    ids[fig_id] = tuple(int(part) for part in number[0].split(FIGURE_NUMBER_SEPARATOR))


def _joined_numbers(assign):
    """Wrap a collector's ``assign_figure_numbers``: its numbers, joined with the separator."""

    def assign_figure_numbers(self, env):
        _split(env.toc_fignumbers)
        rewrite = assign(self, env)
        _join(env.toc_fignumbers)
        return rewrite

    return assign_figure_numbers


def setup(app) -> None:
    app.add_config_value("secnumber_offset", 0, "env")
    from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as collector

    if not getattr(collector.assign_section_numbers, "offset", False):
        collector.assign_section_numbers = _offset_numbering(collector.assign_section_numbers)
        collector.assign_section_numbers.offset = True
    if not getattr(collector.assign_figure_numbers, "joined", False):
        collector.assign_figure_numbers = _joined_numbers(collector.assign_figure_numbers)
        collector.assign_figure_numbers.joined = True
