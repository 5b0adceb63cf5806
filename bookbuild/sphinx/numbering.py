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
LaTeX (tools/latex/). Figures are numbered from each page's :func:`outline`, kept in the
environment, rather than from every page's doctree (a test checks the numbers are the same).
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
        from docutils import nodes

        # sphinx-external-toc's collector counts chapters in attributes that only __init__
        # zeroes, so a second build in the same application (the preview) would number from
        # where the first stopped (2 -> 3): start them at 0 as a new application does.
        for style in ("numerical", "romanupper", "romanlower", "alphaupper", "alphalower"):
            if hasattr(self, f"_TocTreeCollectorWithStyles__{style}_count"):
                setattr(self, f"_TocTreeCollectorWithStyles__{style}_count", 0)
        offset = env.config.secnumber_offset
        aside = _set_aside_headings(env)
        before = {doc: dict(env.toc_secnumbers.get(doc) or {}) for doc, *_ in aside}
        # Compare like with like against the last build: without the headings set aside (their
        # None entries come back in _put_back) and unshifted. Otherwise every page that holds
        # other pages counts as renumbered, and Sphinx rewrites them all on every build.
        for docname, _, _, item in aside:
            for ref in item.findall(nodes.reference):
                (env.toc_secnumbers.get(docname) or {}).pop(ref.get("anchorname"), None)
        _shift(env.toc_secnumbers, -offset)
        try:
            rewrite = assign(self, env)
        finally:
            _put_back(env, aside)
        _shift(env.toc_secnumbers, offset)
        rewrite = [
            *rewrite,
            *(doc for doc in before if doc not in rewrite and (env.toc_secnumbers.get(doc) or {}) != before[doc]),
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


def outline(doctree):
    """What figure numbering reads of a page, in document order: sections, toctrees, every
    element with ids, and the captions and titles that make a figure or table numbered
    (Sphinx's ``TocTreeCollector.assign_figure_numbers``). A few kB instead of the page."""
    from docutils import nodes
    from sphinx import addnodes

    def prune(node):
        out = node.copy()
        for child in node.children:
            if not isinstance(child, nodes.Element):
                continue
            if isinstance(child, (nodes.caption, nodes.title)):
                out += child.deepcopy()
            elif isinstance(child, nodes.literal_block):
                out += nodes.literal_block()  # a code block's container is numbered by this child
            elif (sub := prune(child)).children or child["ids"] or isinstance(child, (nodes.section, addnodes.toctree)):
                out += sub
        return out

    root = nodes.Element()
    root.extend(prune(doctree).children)
    for node in root.findall():
        node.document = None  # copies point at the page's document: pickled along, it would come whole
        if isinstance(node, nodes.Element):
            node.rawsource = ""
    return root


def _record_outline(app, doctree) -> None:
    if not hasattr(app.env, "techreport_outlines"):
        app.env.techreport_outlines = {}
    app.env.techreport_outlines[app.env.docname] = outline(doctree)


def _forget_outline(app, env, docname) -> None:
    getattr(env, "techreport_outlines", {}).pop(docname, None)


def _joined_numbers(assign):
    """Wrap a collector's ``assign_figure_numbers``: its numbers, joined with the separator.

    Sphinx numbers figures by walking every page's doctree at every build in which a page
    changed (a large book unpickles all of them for one edit); it walks each page's
    :func:`outline` instead, recorded when the page was read.
    """

    def assign_figure_numbers(self, env):
        _split(env.toc_fignumbers)
        outlines = getattr(env, "techreport_outlines", {})
        doctree = env.get_doctree
        env.get_doctree = lambda docname: outlines[docname] if docname in outlines else doctree(docname)
        try:
            rewrite = assign(self, env)
        finally:
            del env.get_doctree  # the method again; the environment is pickled after this
        _join(env.toc_fignumbers)
        return rewrite

    return assign_figure_numbers


def setup(app) -> None:
    app.add_config_value("secnumber_offset", 0, "env")
    from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as collector

    if not getattr(collector.assign_section_numbers, "offset", False):
        collector.assign_section_numbers = _offset_numbering(collector.assign_section_numbers)
        collector.assign_section_numbers.offset = True
    app.connect("doctree-read", _record_outline)
    app.connect("env-purge-doc", _forget_outline)
    if not getattr(collector.assign_figure_numbers, "joined", False):
        collector.assign_figure_numbers = _joined_numbers(collector.assign_figure_numbers)
        collector.assign_figure_numbers.joined = True
