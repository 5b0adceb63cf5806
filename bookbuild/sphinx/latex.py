"""The PDF edition (LaTeX builder only): no code cells (the web keeps its collapsible code),
the front page becomes an unnumbered "关于本书" chapter after the contents, followed by the
lists of figures and tables; every page of _toc.yml (and only the pages, not their inner
headings) is listed in the contents; long tables break across pages.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes

# A table with more body rows than this is set as a longtable, which breaks across pages and
# repeats its header there; a shorter one stays in one block (never split from its caption).
LONGTABLE_ROWS = 6
# What opens the data links at the end of a figure caption (techreport.present.show_figure).
DATA_LINKS = "数据："
# Classes of what techreport.present prints with a table (its note, its source line) and under a
# figure (the report's words).
TABLE_NOTES = ("table-note", "source-line")
REPORT_WORDS = "report-words-text"
# A data file's name ("data/ai_groups.csv", "datapackage.json")
FILE_NAME = re.compile(r"\.(?:csv|json|geojson)\b")


def _latex_builder_inited(app):
    """LaTeX only: readers of the PDF see text, tables and figures, never code."""
    if app.builder.format == "latex":
        # Read by myst-nb's own builder-inited handler (priority 500), which runs after this.
        app.config.nb_remove_code_source = True


def _latex_front_matter(app, env):
    """LaTeX only: the root page's title as an unnumbered chapter opening the front matter.

    sphinx-jupyterbook-latex inlines the root page after the contents but drops its H1;
    this puts it back (in the contents and the running head too). (The contents are followed by
    the lists of figures and tables, 图目录 and 表目录: see tools/latex/techreport.sty.)
    """
    if app.builder.format != "latex" or env.config.root_doc not in env.titles:
        return
    from sphinx.util.texescape import escape

    title = escape(env.titles[env.config.root_doc].astext())
    toc = app.builder.context.get("tableofcontents", r"\sphinxtableofcontents")
    if r"\chapter*" not in toc:
        app.builder.context["tableofcontents"] = (
            f"{toc}\n\\chapter*{{{title}}}\\addcontentsline{{toc}}{{chapter}}{{{title}}}"
            f"\\markboth{{{title}}}{{{title}}}\\techreportinpage{{0}}\n"
        )


def page_levels(env) -> dict[str, int]:
    """LaTeX sectioning level of each page's title: the pages under the root are chapters (0),
    theirs sections (1), the report's topic pages subsections (2), following the toctrees."""
    levels: dict[str, int] = {}
    todo = [(child, 0) for child in env.toctree_includes.get(env.config.root_doc, [])]
    while todo:
        docname, level = todo.pop(0)
        if docname not in levels:
            levels[docname] = level
            todo += [(child, level + 1) for child in env.toctree_includes.get(docname, [])]
    return levels


def back_matter(env) -> list[str]:
    """The chapters after the last numbered one (the toc's unnumbered parts, such as 附录:
    原文对照), in book order: the PDF's back matter, with every page under them."""
    chapters = env.toctree_includes.get(env.config.root_doc, [])
    numbered = [i for i, docname in enumerate(chapters) if (env.toc_secnumbers.get(docname) or {}).get("")]
    return chapters[numbered[-1] + 1 :] if numbered else []


def _latex(text: str) -> nodes.raw:
    return nodes.raw("", text + "\n", format="latex")


def _mark_data_links(caption: nodes.caption) -> None:
    """Wrap a figure caption's closing "数据：a.csv、b.csv。" in \\techreportdata{…}, which the
    list of figures leaves out (the caption under the figure keeps it)."""
    for i, child in enumerate(caption.children):
        if isinstance(child, nodes.Text) and DATA_LINKS in child:
            before, after = child.split(DATA_LINKS, 1)
            caption.replace(child, nodes.Text(before.rstrip()))
            caption.insert(i + 1, nodes.raw("", "\\techreportdata{", format="latex"))
            caption.insert(i + 2, nodes.Text(DATA_LINKS + after))
            caption.append(nodes.raw("", "}", format="latex"))
            return


def _root_subheads(doctree) -> None:
    """The front page's own headings ("怎样阅读", …) as the subheads of every other page.

    sphinx-jupyterbook-latex sets them as bold lines, the first in \\Large and the rest in
    \\large (it counts sibling sections as levels): here each is an unnumbered \\section* under
    the 关于本书 chapter, which tools/latex/techreport.sty styles as a page's subhead.
    """
    from sphinx.util.texescape import escape
    from sphinx_jupyterbook_latex.nodes import RootHeader

    for header in list(doctree.findall(RootHeader)):
        header.replace_self(_latex(rf"\section*{{{escape(header.astext())}}}"))


def _latex_tree(app, doctree, docname):
    """LaTeX only, on the whole book's tree: contents depth per page, heading levels, running
    heads, tied references, long tables."""
    if app.builder.format != "latex":
        return
    from sphinx.util.texescape import escape

    levels = page_levels(app.env)
    back = back_matter(app.env)
    _root_subheads(doctree)
    for start in list(doctree.findall(addnodes.start_of_file)):
        level = levels.get(start.get("docname"))
        section = next(iter(start.findall(nodes.section)), None)
        if level is None or section is None:
            continue
        if back and start.get("docname") == back[0]:
            # from here on: no numbered heading, figures and tables numbered on their own
            section.parent.insert(section.parent.index(section), _latex(r"\techreportbackmatter"))
        # the page's title goes into the contents, its inner headings do not, and they are never
        # numbered like sections 2.1-2.3 (tools/latex/techreport.sty)
        start_page, after_title = r"\techreportpagestart", rf"\techreportpagetitle{{{level}}}"
        # the running head from here on (tools/latex/techreport.sty): a section (2.1-2.3) by its
        # number and title, recorded just before its heading; a chapter by none, recorded on its
        # first page (after the title: the pages of floats flushed before it keep the section)
        if level == 1:
            start_page += rf"\techreportsectionahead{{{escape(section[0].astext())}}}"
        elif level == 0:
            after_title += r"\techreportsectionahead{}"
        section.parent.insert(section.parent.index(section), _latex(start_page))
        section.insert(1, _latex(after_title))
    for ref in doctree.findall(addnodes.number_reference):
        # "图 %s" -> "图~%s": a reference never breaks between its name and its number
        ref["title"] = ref.get("title", "%s").replace(" %s", "\u00a0%s")
    for caption in doctree.findall(nodes.caption):
        _mark_data_links(caption)
    for ref in list(doctree.findall(nodes.reference)):
        _page_number(ref)
    for table in list(doctree.findall(nodes.table)):
        _keep_table_together(table)
        _fit_latin_words(table)
    for paragraph in list(doctree.findall(nodes.paragraph)):
        _no_lone_last_character(paragraph)
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if any(FILE_NAME.search(literal.astext()) for literal in paragraph.findall(nodes.literal)):
            # file names are never broken (tools/latex/techreport.sty): their lines end ragged
            # instead of spreading the Chinese characters apart
            parent = paragraph.parent
            parent.insert(parent.index(paragraph), _latex(r"\begingroup\raggedright"))
            parent.insert(parent.index(paragraph) + 1, _latex(r"\par\endgroup"))
    for words in list(doctree.findall(nodes.paragraph)):
        if REPORT_WORDS in words["classes"]:
            _into_figure(words)


def _page_number(ref: nodes.reference) -> None:
    """A link to another place of the book gives, on paper, the page it leads to:
    "集成电路产业基础能力加快提升（第12页）". (Links by number, 图 2-3 and 表 2-3, need none.)"""
    uri = ref.get("refuri", "")
    if not uri.startswith("%") or any(isinstance(a, (nodes.title, nodes.caption)) for a in _ancestors(ref)):
        return
    docname, _, label = uri[1:].partition("#")
    target = f"{docname}:{label}" if label else f"{docname}::doc"
    ref.parent.insert(ref.parent.index(ref) + 1, _inline_latex(rf"（第\pageref{{\detokenize{{{target}}}}}页）"))


def _ancestors(node: nodes.Node):
    while node.parent is not None:
        node = node.parent
        yield node


def _inline_latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


def _after(node: nodes.Node) -> list[nodes.Element]:
    """The siblings after ``node`` that print in the PDF (raw HTML, such as <details>, does not)."""
    parent = node.parent
    return [n for n in parent.children[parent.index(node) + 1 :] if not _html_only(n)]


def _html_only(node: nodes.Node) -> bool:
    return isinstance(node, nodes.raw) and "latex" not in node.get("format", "").split()


def _keep_table_together(table: nodes.table) -> None:
    """A table's note (注：…) and source line are printed with it, never on another page.

    A short table (up to LONGTABLE_ROWS rows) floats (``table`` [htbp]) with its caption, note and
    source line, as a figure floats with its caption: it cannot break, so in the text's flow it
    would leave the rest of a page empty whenever it does not fit there; floating, the text goes
    on and the table goes to the top of the next page. A long table breaks across pages in the
    flow, never after its first row or before its last (tools/latex/techreport.sty); its note and
    source line are held to its last rows (\\techreportkeepwithnext, and no break inside them).
    """
    rows = sum(len(body.children) for body in table.findall(nodes.tbody))
    notes = []
    for node in _after(table):
        if not (isinstance(node, nodes.paragraph) and set(node["classes"]) & set(TABLE_NOTES)):
            break
        notes.append(node)
    parent = table.parent
    last = notes[-1] if notes else table
    if rows > LONGTABLE_ROWS:
        if "longtable" not in table["classes"]:
            table["classes"].append("longtable")
        keep = r"\techreportkeepwithnext" if notes else ""
        parent.insert(parent.index(table), _latex(rf"\techreportlongtablerows{{{rows}}}{keep}"))
        if notes:
            parent.insert(parent.index(notes[0]), _latex(r"\begin{techreporttablenotes}"))
            for note in notes[1:]:
                parent.insert(parent.index(note), _latex(r"\nobreak"))
            parent.insert(parent.index(last) + 1, _latex(r"\end{techreporttablenotes}"))
        return
    parent.insert(parent.index(table), _latex(r"\begin{table}[htbp]"))
    if notes:
        parent.insert(parent.index(notes[0]), _latex(r"\begin{techreporttablenotes}"))
        parent.insert(parent.index(last) + 1, _latex(r"\end{techreporttablenotes}"))
        last = parent.children[parent.index(last) + 1]
    # the table's 报告原文 block floats with it, as a figure's does, when both fit one page
    words = next(iter(_after(last)), None)
    if isinstance(words, nodes.paragraph) and REPORT_WORDS in words["classes"] and len(words.astext()) <= FLOAT_WORDS:
        last = words
    parent.insert(parent.index(last) + 1, _latex(r"\end{table}"))


#: Footnote size (pt) of a table's text (tools/latex/techreport.sty), the width of one tabcolsep (pt),
#: and the text width (pt, A4 less hmargin 2.4 cm twice): what a cell's column needs to hold a word.
TABLE_FONT_PT = 9.0
TABCOLSEP_PT = 4.0
TEXT_WIDTH_PT = 595.28 - 2 * 2.4 * 72 / 2.54
#: A word of Latin letters, digits and their joiners, which a table cell never breaks ("OFFSHORE",
#: "EN45545-2"); and a rough advance of its characters in ems (Source Serif's capitals and digits
#: run wider than its lower case), erring wide.
LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9®.\-\u2011]*")


def _word_width_pt(word: str) -> float:
    ems = sum(0.72 if c.isupper() or c.isdigit() else 0.36 if c in ".-\u2011®" else 0.55 for c in word)
    return ems * TABLE_FONT_PT


def _fit_latin_words(table: nodes.table) -> None:
    """A table column is never narrower than the longest Latin word of its cells: table cells, like
    the running text, never hyphenate a name ("OFF-/SHORE"), so a column given too narrow a share
    (``:widths:``) takes what it needs from the widest column. Only the PDF's widths change."""
    for group in table.findall(nodes.tgroup):
        specs = [n for n in group.children if isinstance(n, nodes.colspec)]
        if not specs or not all(s.get("colwidth") for s in specs):
            continue
        widths = [float(s["colwidth"]) for s in specs]
        needed = [0.0] * len(specs)
        for row in group.findall(nodes.row):
            for i, entry in enumerate(row.children[: len(specs)]):
                for word in LATIN_WORD.findall(entry.astext()):
                    needed[i] = max(needed[i], _word_width_pt(word) + 2 * TABCOLSEP_PT + 1)
        total = sum(widths)
        for i, need in enumerate(needed):
            want = need / TEXT_WIDTH_PT * total
            if widths[i] < want:
                widest = max(range(len(widths)), key=lambda j: widths[j])
                if widest == i:
                    continue
                widths[widest] -= want - widths[i]
                widths[i] = want
        for spec, width in zip(specs, widths, strict=True):
            spec["colwidth"] = max(1, round(width * 10))  # finer steps: the writer takes whole numbers


#: Closing punctuation that may end a paragraph after its last character (。”）…).
CLOSING = set("。，、；：！？”’）》」』】…—.,;:!?)\"' \u00a0\n")


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _no_lone_last_character(paragraph: nodes.paragraph) -> None:
    """No paragraph (nor table cell) ends with a line of one Chinese character ("面。" alone):
    the last character is tied to the one before it (``\\nobreak``), so the line breaks before
    both. xeCJK's own CheckSingle does this only when the character is followed by the end of
    the paragraph in the source; here it is often followed by the end of a glued value or a link
    (``…欧盟委员会}。``) or of a table cell (``&``)."""
    texts = [t for t in paragraph.findall(nodes.Text) if not _in_raw(t)]  # a file name (literal) counts as Latin
    for index in range(len(texts) - 1, -1, -1):
        text = str(texts[index])
        tail = len(text)
        while tail and text[tail - 1] in CLOSING:
            tail -= 1
        if tail == 0:
            continue  # punctuation only: the character is in an earlier text
        if not _is_cjk(text[tail - 1]):
            return  # a Latin word, a number or a name ends it: no lone character
        before = text[tail - 2] if tail >= 2 else _last_char(texts[:index])
        if before is None or before.isspace():
            return
        node = texts[index]
        parent = node.parent
        at = parent.index(node)
        pieces = [nodes.Text(text[: tail - 1])] if tail > 1 else []
        pieces += [_inline_latex(r"\nobreak{}"), nodes.Text(text[tail - 1 :])]
        parent.remove(node)
        for offset, piece in enumerate(pieces):
            parent.insert(at + offset, piece)
        return


def _in_raw(node: nodes.Node) -> bool:
    return any(isinstance(a, nodes.raw) for a in _ancestors(node))


def _last_char(texts: list[nodes.Text]) -> str | None:
    for text in reversed(texts):
        if str(text):
            return str(text)[-1]
    return None


#: A 报告原文 block longer than this (characters) stays after its figure: with the figure and its
#: caption it would not fit on one page (a float cannot break). A figure's block shows whole clauses.
FLOAT_WORDS = 360


def _into_figure(words: nodes.paragraph) -> None:
    """A figure's 报告原文 block goes inside its float, under the caption: where the figure floats,
    its words go with it, never starting before it and resuming after it. A block too long to
    share a page with its figure follows it instead: the figure is placed first (``\\FloatBarrier``),
    so the block starts after it."""
    parent = words.parent
    earlier = [n for n in parent.children[: parent.index(words)] if not _html_only(n)]
    if not (earlier and isinstance(earlier[-1], nodes.figure)):
        return
    if len(words.astext()) > FLOAT_WORDS:
        parent.insert(parent.index(words), _latex(r"\FloatBarrier"))
        return
    parent.remove(words)
    earlier[-1].append(nodes.legend("", words))


def setup(app) -> None:
    app.connect("builder-inited", _latex_builder_inited, priority=400)
    app.connect("env-updated", _latex_front_matter)
    app.connect("doctree-resolved", _latex_tree)
