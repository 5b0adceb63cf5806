"""原文对照: the report's text, each passage linked to the figures and tables that show it.

What a page shows of the report is recorded where it is shown: ``show_table`` and
``show_figure`` (techreport/present.py) write a ``report-shown`` block with the block's label
and the passages it displays (:mod:`techreport.shown`). Here

* the ``report-shown`` directive keeps each block's passages in the environment, by page and
  label (it renders nothing); every page's section titles are kept too;
* a glued value that states the report's words (``glue_text(..., quotes)``, every indicator)
  carries them with it (:data:`techreport.shown.MIME`); where the prose pastes it with
  ``{glue:text}``, the statement gets an anchor (``shown-<key>``) and joins the record under it;
* the ``report-concordance`` directive (book/concordance.md) sets the report's sections as the
  page's sections (its on-page contents), and a post-transform, which runs once every page has
  been read, fills them with the report's text from data/source/: each passage in bold followed
  by the figures and tables whose records hold it (``{numref}`` links on the web; in the PDF
  ``\\pageref`` to the same labels, so LaTeX gives the page numbers), passages left out on purpose
  in grey with their reason;
* every build checks that each recorded passage stands in the report, and that every character
  of 2.1-2.3 (punctuation aside) is shown or listed in data/source_omissions.csv
  (:mod:`techreport.coverage`): a gap is a warning, and warnings are errors.

The concordance page is read again whenever any page is, and after them, so its links follow
the pages' records; nothing lists pages or topics by hand.
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.parsers.rst import Directive
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import RetrievalError, retrieve_glue_data
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from techreport import coverage, provenance
from techreport.data import load_table
from techreport.shown import MIME, Resolver, current_resolver, one_line, statement_label
from techreport.source import DATA_DIR, PUNCTUATION, SECTIONS, SOURCE_FILE, SourceError, paragraphs, source

logger = logging.getLogger(__name__)
OPENING = "“‘《(（"  # marks that open what follows
SHOWN = "techreport_shown"  # env attribute: {doc: {label: [passages]}}
TITLES = "techreport_titles"  # env attribute: {doc: [section titles]}
PAGES = "techreport_concordance"  # env attribute: docs that hold the concordance


class ReportShown(Directive):
    """``report-shown`` LABEL, then one passage a line: what block LABEL shows of the report."""

    required_arguments = 1
    has_content = True

    def run(self):
        env = self.state.document.settings.env
        _store(env, SHOWN).setdefault(env.docname, {})[self.arguments[0]] = [
            line for line in self.content if line.strip()
        ]
        return []


STATEMENT = statement_label("")  # the prefix of a statement's anchor


class ShownText(PasteTextRole):
    """``{glue:text}``, and where the glued value states the report's words, the record of it.

    The first paste of such a value on a page gets an anchor (``shown-<key>``, a label the PDF's
    ``\\pageref`` and the web's links reach) and records its quotes under it, as
    ``report-shown`` does for a block.
    """

    def run(self):
        pasted, messages = super().run()
        key = self.text.rsplit(":", 1)[0]
        if messages or not pasted or "::" in key:
            return pasted, messages
        try:
            quotes = retrieve_glue_data(self.document, key).data.get(MIME)
        except RetrievalError:
            return pasted, messages
        env = self.document.settings.env
        label = statement_label(key)
        blocks = _store(env, SHOWN).setdefault(env.docname, {})
        if not quotes or label in blocks:
            return pasted, messages
        blocks[label] = list(quotes)
        target = nodes.target("", "", ids=[label])
        self.document.ids[label] = target
        return [target, *pasted], messages


class concordance_text(nodes.General, nodes.Element):
    """Where a section of the report's text goes; filled by :class:`FillConcordance`."""


class ReportConcordance(Directive):
    """The report's sections 2-2.3 as sections of the page, their text filled in after every page is read."""

    def run(self):
        env = self.state.document.settings.env
        _store(env, PAGES).add(env.docname)
        for name in (SOURCE_FILE, "source_omissions.csv"):  # the text it prints, the passages it greys
            env.note_dependency(str(DATA_DIR / name))
        out = []
        for name in SECTIONS:
            # titled apart from the book's own chapter and sections (the PDF sets them larger)
            title = "第2章导语" if name == "2" else f"{name}节原文"
            section = nodes.section(ids=[f"report-{name.replace('.', '-')}"], names=[f"report-{name}"])
            section += nodes.title("", title)
            section += concordance_text(section=name, docname=env.docname)
            out.append(section)
        return out


def _store(env, attr: str):
    """The environment's record ``attr``, made empty on first use (an environment from before this extension)."""
    if not hasattr(env, attr):
        setattr(env, attr, set() if attr == PAGES else {})
    return getattr(env, attr)


def _collect_titles(app, doctree) -> None:
    env = app.env
    _store(env, TITLES)[env.docname] = [node.astext() for node in doctree.findall(nodes.title)]


def _purge(app, env, docname) -> None:
    for attr in (SHOWN, TITLES):
        _store(env, attr).pop(docname, None)
    _store(env, PAGES).discard(docname)


def _merge(app, env, docnames, other) -> None:
    for attr in (SHOWN, TITLES):
        for doc in docnames:
            if doc in _store(other, attr):
                _store(env, attr)[doc] = _store(other, attr)[doc]
    _store(env, PAGES).update(_store(other, PAGES) & set(docnames))


def _order(app, env, docnames) -> None:
    """The concordance reads every page's record: Sphinx reads in list order, so it goes last."""
    for doc in sorted(_store(env, PAGES)):
        if doc in docnames:
            docnames.remove(doc)
            docnames.append(doc)


def _outdated(app, env, added, changed, removed) -> list[str]:
    """Any page read again may show other words: the concordance is read again too."""
    if added or changed or removed:
        return sorted(_store(env, PAGES) - set(removed))
    return []


# --- what the pages show, where the report's words are ---------------------------------------


def _recorded(env, resolver: Resolver) -> tuple[list[tuple[str, str, list]], list[tuple[str, str]]]:
    """([(doc, label, spans)], [(doc, problem)]): every recorded passage where it stands in the report."""
    found, problems = [], []
    for doc, blocks in sorted(_store(env, SHOWN).items()):
        for label, passages in blocks.items():
            for passage in passages:
                try:
                    found.append((doc, label, passage, resolver.spans(passage)))
                except SourceError as exc:
                    problems.append((doc, f"{label}: {exc}"))
    return found, problems


def _titles(env) -> list[tuple[str, str]]:
    """(doc, title) of every page's and section's heading, 原文对照's own aside."""
    pages = _store(env, PAGES)
    return [(doc, t) for doc, titles in sorted(_store(env, TITLES).items()) if doc not in pages for t in titles]


def _marks(env, resolver: Resolver) -> dict[int, list]:
    """{character: [(doc, label or None)]}: the blocks (or pages, for headings) that show each character."""
    marks: dict[int, list] = {}
    found, _ = _recorded(env, resolver)
    placed = [(doc, label, spans) for doc, label, _, spans in found]
    placed += [(doc, None, coverage.heading_lines([title])) for doc, title in _titles(env)]
    for doc, label, spans in placed:
        for a, b in spans:
            for i in range(a, b):
                if (doc, label) not in marks.setdefault(i, []):
                    marks[i].append((doc, label))
    pages = _book_order(env)
    blocks = {doc: list(found) for doc, found in _store(env, SHOWN).items()}

    def where(target):  # the book's order: page by page, a page first, then its blocks as they stand on it
        doc, label = target
        return (pages.index(doc) if doc in pages else len(pages), blocks.get(doc, []).index(label) if label else -1)

    return {i: sorted(found, key=where) for i, found in marks.items()}


def _book_order(env) -> list[str]:
    """Every page in the order of the table of contents (depth first from the root)."""
    order: list[str] = []

    def visit(doc: str) -> None:
        if doc not in order:
            order.append(doc)
            for child in env.toctree_includes.get(doc, []):
                visit(child)

    visit(env.config.root_doc)
    return order


def _measure(env, resolver: Resolver) -> coverage.Coverage:
    found, _ = _recorded(env, resolver)
    return coverage.measure([p for _, _, p, _ in found], [t for _, t in _titles(env)], resolver=resolver)


def _check(app, env) -> None:
    """Every recorded passage stands in the report; every character of 2.1-2.3 is shown or omitted."""
    if not _store(env, PAGES):
        return  # a book without 原文对照 (the synthetic books of measure/scale.py) claims nothing
    if getattr(app, "techreport_only", None):
        return  # the preview's build of the open page alone: 原文对照 is read, and checked, in the next build
    resolver = current_resolver()
    for doc, problem in _recorded(env, resolver)[1]:
        logger.warning(problem, location=doc)
    result = _measure(env, resolver)
    for passage in result.both:
        logger.warning(
            f"data/source_omissions.csv lists “{passage}” as left out of the book, but a page shows it: remove the row",
            location=sorted(_store(env, PAGES))[0],
        )
    for gap in result.gaps:
        logger.warning(
            f"the report's words are neither shown nor listed as omitted (section {gap.section}): “{gap.text}”; "
            "show them in a figure's or table's 报告原文 (quotes=), or add them to data/source_omissions.csv with a reason",
            location=sorted(_store(env, PAGES))[0],
        )


# --- the page ----------------------------------------------------------------------------------


def _latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


def _refs(targets, docname: str, link) -> list[nodes.Node]:
    """〔图 2-6、表 2-7〕 on the web (links), 〔见第12、14页〕 in the PDF (LaTeX's own page numbers).

    ``link(doc, label)``: the web link to a figure, table or statement (:class:`FillConcordance`);
    a page (``label`` None) goes through ``{doc}``.
    """
    web = addnodes.only(expr="html")
    web += nodes.Text("〔")
    pages = []
    for k, (doc, label) in enumerate(targets):
        if k:
            web += nodes.Text("、")
        if label:
            web += link(doc, label)
        else:
            ref = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{doc}", refdoc=docname, refexplicit=False, refwarn=True
            )
            ref += nodes.inline("", f"/{doc}")
            web += ref
        pages.append(f"{doc}:{label}" if label else f"{doc}::doc")
    web += nodes.Text("〕")
    return [web, _latex("〔见第" + PAGES_MACRO + "{" + ",".join(dict.fromkeys(pages)) + "}页〕")]


#: ``\trpages{label,label,...}``: the pages LaTeX put those labels on, each once, in order, each a
#: link (labels on one page give one number; a passage shown on pages 20 and 13 reads 13、20).
PAGES_MACRO = r"\trpages"
PAGES_DEFINITION = r"""\ExplSyntaxOn
\prop_new:N \l__tr_pages_prop
\seq_new:N \l__tr_pages_seq
\tl_new:N \l__tr_page_tl
\NewDocumentCommand \trpages { m }
 {
  \prop_clear:N \l__tr_pages_prop
  \seq_clear:N \l__tr_pages_seq
  \clist_map_inline:nn {#1}
   {
    \tl_set:Nx \l__tr_page_tl { \getpagerefnumber {##1} }
    \prop_if_in:NVF \l__tr_pages_prop \l__tr_page_tl
     {
      \prop_put:NVn \l__tr_pages_prop \l__tr_page_tl {##1}
      \seq_put_right:NV \l__tr_pages_seq \l__tr_page_tl
     }
   }
  \seq_sort:Nn \l__tr_pages_seq
   { \int_compare:nNnTF {##1} > {##2} { \sort_return_swapped: } { \sort_return_same: } }
  \seq_map_indexed_inline:Nn \l__tr_pages_seq
   {
    \int_compare:nNnT {##1} > {1} { 、 }
    \hyperref [ \prop_item:Nn \l__tr_pages_prop {##2} ] {##2}
   }
 }
\ExplSyntaxOff
"""


def _line(text: str, start: int, marks: dict, omitted: dict, docname: str, link) -> list[nodes.Node]:
    """One line of the report: plain, shown (bold, then where) and omitted (grey, with the reason) pieces."""
    states = []  # per character: (kind, targets or reason)
    for i in range(len(text)):
        at = start + i
        states.append(
            ("shown", marks[at]) if at in marks else ("omitted", omitted[at]) if at in omitted else ("plain", None)
        )
    # punctuation and spaces go with the words they belong to: an opening mark with the words after it,
    # any other with the words before it
    for i in range(len(text)):
        if text[i] in OPENING:
            nxt = next(
                (states[j] for j in range(i + 1, len(text)) if text[j] not in PUNCTUATION and not text[j].isspace()),
                None,
            )
            states[i] = nxt or states[i]
    for i in range(1, len(text)):
        if (text[i].isspace() or text[i] in PUNCTUATION) and text[i] not in OPENING and states[i - 1][0] != "plain":
            states[i] = states[i - 1]
    pieces: list[list] = []  # [kind, text, targets or reason]
    for ch, (kind, extra) in zip(text, states):
        if pieces and pieces[-1][0] == kind and pieces[-1][2] == extra:
            pieces[-1][1] += ch
        else:
            pieces.append([kind, ch, extra])
    out: list[nodes.Node] = []
    for k, (kind, words, extra) in enumerate(pieces):
        words = " ".join(words.split()) if words.strip() else words
        if kind == "plain":
            out.append(nodes.Text(words))
        elif kind == "omitted":
            out.append(_latex(r"\textcolor{gray}{"))  # grey in print; on the web the classes' CSS
            out.append(nodes.inline("", words, classes=["source-omitted"]))
            out.append(nodes.inline("", f"（本书不收：{extra}）", classes=["source-omitted-reason"]))
            out.append(_latex("}"))
        else:
            out.append(nodes.strong("", words))
            following = next((p for p in pieces[k + 1 :] if p[1].strip()), None)
            if following is None or following[0] != "shown" or following[2] != extra:
                out.extend(_refs(extra, docname, link))
    return out


def _section_text(section: str, docname: str, marks: dict, omitted: dict, link) -> list[nodes.Node]:
    src = source()
    out: list[nodes.Node] = []
    for name, p_start, p_end in paragraphs():
        if name != section:
            continue
        items = None
        for m in re.finditer(r"[^\n]+", src.text[p_start:p_end]):
            raw = m.group(0)
            if not raw.strip():
                continue
            start = p_start + m.start()
            stripped = raw.lstrip()
            start += len(raw) - len(stripped)
            bullet = stripped.startswith("- ")
            if bullet:
                stripped, start = stripped[2:], start + 2
            para = nodes.paragraph("", "", *_line(stripped.rstrip(), start, marks, omitted, docname, link))
            if bullet:
                if items is None:
                    items = nodes.bullet_list()
                    out.append(items)
                items += nodes.list_item("", para)
            else:
                items = None
                out.append(para)
    return out


def _summary(env, resolver: Resolver) -> nodes.paragraph:
    """How much of 2.1-2.3 the book shows, counted from the records."""
    result = _measure(env, resolver)
    labels = [label for found in _store(env, SHOWN).values() for label in found]
    statements = sum(label.startswith(STATEMENT) for label in labels)
    blocks = len(labels) - statements
    rest = (
        "没有一段文字既未呈现又未说明理由" if not result.gaps else f"另有{len(result.gaps)}段文字既未呈现也未说明理由"
    )
    return nodes.paragraph(
        "",
        f"2.1–2.3节共{result.total}字（标点与空白不计），其中{result.shown}字见于本书{blocks}个图表的报告原文或表格、"
        f"{statements}处正文引文或各页标题，{result.omitted}字列为有意不收；{rest}。",
        classes=["concordance-summary"],
    )


class FillConcordance(SphinxPostTransform):
    """Fill the concordance's sections once every page has been read (before references resolve)."""

    default_priority = 5

    def _linker(self, fromdoc: str):
        """``link(doc, label)``: a reference to a figure, table or statement, resolved here.

        Sphinx would resolve each ``{numref}`` by unpickling the target page's whole doctree
        (hundreds of links: most of an incremental build); the numbers are in the environment.
        """
        env, builder = self.env, self.app.builder
        names = {doc: title.astext() for doc, title in env.titles.items()}

        def link(doc: str, label: str) -> nodes.Node:
            if label.startswith(STATEMENT):  # a statement in a page's prose
                text = f"{names.get(doc, doc)}·正文"
            else:
                figtype = "figure" if label.startswith("fig-") else "table"
                number = env.toc_fignumbers.get(doc, {}).get(figtype, {}).get(label)
                if not number:
                    logger.warning("原文对照: %s has no number on %s", label, doc, location=fromdoc)
                    return nodes.Text(label)
                text = self.config.numfig_format[figtype] % ".".join(map(str, number))
            uri = builder.get_relative_uri(fromdoc, doc) if doc != fromdoc else ""
            ref = nodes.reference("", "", internal=True, refuri=f"{uri}#{label}")
            ref += nodes.inline(
                "", text, classes=["std", "std-numref" if not label.startswith(STATEMENT) else "std-ref"]
            )
            return ref

        return link

    def run(self, **kwargs) -> None:
        placeholders = list(self.document.findall(concordance_text))
        if not placeholders:
            return
        env = self.env
        resolver = current_resolver()
        marks = _marks(env, resolver)
        omitted = {}
        for (a, b), reason in coverage.omitted_spans():
            omitted.update(dict.fromkeys(range(a, b), reason))
        link = self._linker(placeholders[0]["docname"])
        for k, node in enumerate(placeholders):
            content = _section_text(node["section"], node["docname"], marks, omitted, link)
            if k == 0:  # before the report's first section: the count is of 2.1-2.3, not of the chapter's lead
                section = node.parent
                section.parent.insert(section.parent.index(section), _summary(env, resolver))
                content.insert(0, nodes.raw("", PAGES_DEFINITION, format="latex"))
            node.replace_self(content)


class ReportNotStated(Directive):
    """The register of 报告未说明: every claim, by section (the words a test checks are absent stay in the data)."""

    def run(self):
        self.state.document.settings.env.note_dependency(str(DATA_DIR / "not_stated.csv"))
        claims = load_table("not_stated")
        items = nodes.bullet_list()
        for _, row in claims.sort_values("section", kind="stable").iterrows():
            items += nodes.list_item(
                "", nodes.paragraph("", f"{row['section']}　{provenance.NOT_STATED}{one_line(row['claim_zh'])}")
            )
        return [items]


def setup(app) -> None:
    app.add_directive("report-shown", ReportShown)
    app.add_role_to_domain("glue", "text", ShownText(), override=True)
    app.add_directive("report-concordance", ReportConcordance)
    app.add_directive("report-not-stated", ReportNotStated)
    app.add_node(concordance_text)
    app.add_post_transform(FillConcordance)
    app.connect("env-before-read-docs", _order)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-read", _collect_titles)
    app.connect("env-check-consistency", _check)
