"""Put figures, tables and numbers on a page.

One call per item, so every page gets the same treatment:

* :func:`show_table` - a numbered, captioned table with a source line and a link to the
  CSV. The book renders it from MyST markdown (a real table in HTML and in LaTeX);
  Jupyter shows the plain HTML table.
* :func:`show_figure` - a numbered figure with caption, Chinese alt text and a link to
  the CSV it was drawn from (the source line is inside the image: see ``style.add_source``),
  drawn twice by a function of the width: wide (desktop, PDF) and narrow (a phone).
* :func:`titles` - the Chinese titles of a field's codes (``enumTitles`` in datapackage.json).
* ``quotes=`` (both): the report's own words for each row or for the figure, from the data's
  ``source_quote`` column. On the web they open with one tap (a ``<details>`` element); in the
  PDF, where raw HTML is dropped, the words print in the table's last column or under the figure.
  A figure shows the whole clauses that hold its quotes. Both record what they show
  (:mod:`techreport.shown`): 原文对照 and the coverage of the report are built from that record.
* :func:`fmt` and :func:`glue_text` - a figure with its qualifier ("超过2000名", "近100亿元",
  "20余家") for prose, through myst-nb glue so a CSV edit changes the text too.
* :func:`glue` - myst-nb's ``glue()``: the same output, without the import that costs a kernel 2 s.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.core.formatters import format_display_data
from IPython.display import display as ipy_display

from . import charts, style
from .data import resource
from .shown import MIME, one_line, record
from .source import clause_bounds, line_of, locate, place, source, words
from .style import SOURCE

#: The MIME prefix of an output glued but not displayed (myst_nb.ext.glue.GLUE_PREFIX).
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, variable, display: bool = True) -> None:
    """``myst_nb.glue(name, variable, display)``: the output myst-nb reads for ``{glue:...}`` (the
    displayed MIME bundle, with ``scrapbook`` metadata naming it).

    Written here because importing ``myst_nb.ext.glue`` imports nbformat, whose jsonschema builds
    rfc3987-syntax's IRI grammar (about 2 s of every kernel's start, in the build and in nbval) to
    glue what IPython displays anyway. ``tests/test_present.py`` checks that both write the same output."""
    bundle, metadata = format_display_data(variable)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


# qualifier -> (before the number, after the number)
QUALIFIERS = {
    "exact": ("", ""),
    "more_than": ("超过", ""),
    "nearly": ("近", ""),
    "odd": ("", "余"),
    "ordinal": ("第", ""),
}


def titles(table: str, field: str) -> dict[str, str]:
    """``{code: Chinese title}`` for a field's codes, from ``enumTitles`` in datapackage.json."""
    for spec in resource(table)["schema"]["fields"]:
        if spec["name"] == field:
            if "enumTitles" not in spec:
                raise KeyError(f"datapackage.json: {table}.{field} has no enumTitles")
            return dict(spec["enumTitles"])
    raise KeyError(f"datapackage.json: table {table!r} has no field {field!r}")


QUALIFIER_NAMES = titles("indicators", "qualifier")


def fmt(value: float, unit: str | None = "", qualifier: str = "exact", decimals: int = 0) -> str:
    """A figure as the report prints it, qualifier included: ``超过2000名``, ``20余家``."""
    before, after = QUALIFIERS[qualifier]
    number = f"{value:.{int(decimals)}f}"  # as the report prints it: 18600, not 18,600
    unit = "" if unit is None or pd.isna(unit) else unit
    return f"{before}{number}{after}{unit}"


def fmt_row(row) -> str:
    """:func:`fmt` for a row of the indicators table."""
    return fmt(row["value"], row["unit"], row["qualifier"], row["decimals"])


class Text:
    """Glue payload whose plain-text form is the string itself (no quotes).

    ``quotes``: the report's words the glued text shows, verbatim (a quoted lead, name or phrase).
    They travel with the value as :data:`techreport.shown.MIME`, and where the prose pastes it
    the statement joins the record of what the book shows (``bookbuild/sphinx/concordance.py``).
    """

    def __init__(self, text: str, quotes=()):
        self.text = text
        self.quotes = [one_line(q) for q in dict.fromkeys(quotes) if isinstance(q, str) and q.strip()]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/plain": self.text, **({MIME: self.quotes} if self.quotes else {})}


def glue_text(name: str, text: str, quotes=()) -> None:
    """Glue ``text`` for ``{glue:text}`name``` in the page's prose; ``quotes``: the report's words it shows."""
    glue(name, Text(str(text), quotes), display=False)


def glue_indicators(indicators: pd.DataFrame) -> None:
    """Glue every indicator as ``ind_<id>`` (formatted, with its qualifier).

    A glued figure records no quote: it shows a number, not the report's words (the page's tables
    show the figure with its quote).
    """
    for _, row in indicators.iterrows():
        glue_text(f"ind_{row['id']}", fmt_row(row))


def sentence(text: str) -> str:
    """A caption as a sentence: "图 x　finding。", then the data link (never "…个数据：")."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _data_links(tables) -> str:
    return "、".join(f"{{download}}`{t}.csv </data/{t}.csv>`" for t in tables)


def _md_cell(value) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", "<br>") or " "


def markdown_table(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table; numeric columns right-aligned unless ``align`` says otherwise."""
    align = align or {}
    head = "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |"
    rule = []
    for col in frame.columns:
        side = align.get(col, "right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
        rule.append({"left": ":--", "right": "--:", "center": ":-:"}[side])
    lines = [head, "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


QUOTE_COLUMN = "报告原文"


def _words(quote) -> str:
    """A quote as inline MyST: in “”, markdown punctuation escaped."""
    text = " ".join(str(quote).split())
    return "“" + re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text) + "”"


def _quote_cell(quotes) -> str:
    quotes = [quotes] if isinstance(quotes, str) else list(quotes) if isinstance(quotes, (list, tuple)) else []
    quotes = list(dict.fromkeys(q for q in quotes if isinstance(q, str) and q))
    quotes = [q for q in quotes if not any(o != q and words(q) in words(o) for o in quotes)]  # not twice in one cell
    if not quotes:
        return ""
    return (
        '<details class="report-words"><summary>原文</summary>'
        + "；".join(map(_words, quotes))  # “…”；“…”: never ““ run together
        + "</details>"
    )


def clauses(quotes) -> list[str]:
    """The whole clauses of the report that hold ``quotes``, in the report's order, each once.

    A clause runs between 。；; and line ends. Words that occur more than once in the report are
    kept as they are (which clause they belong to is the data's to say, ``source_context``),
    unless a clause shown already holds them. A clause inside a longer one shown (a heading
    inside its month and heading) is not shown again.
    """
    text = source().text
    places, kept = [], []
    for quote in dict.fromkeys(q for q in quotes if isinstance(q, str) and q.strip()):
        at = place(quote)
        if at:
            places.append(clause_bounds(*at))
        else:
            kept.append(quote)
    spans = sorted(set(places))
    spans = [
        s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)
    ]  # a clause inside a longer one
    shown = [text[a:b] for a, b in spans]
    return shown + [q for q in kept if not any(q in clause for clause in shown)]  # a word its clause already shows


def _quote_block(passages: list[str]) -> str:
    if not passages:
        return ""
    words = "；".join(_words(q) for q in passages)
    return (
        f'<details class="report-words"><summary>报告原文（{len(passages)}处）</summary>\n\n'
        f"{{.report-words-text}}\n报告原文：{words}\n\n</details>\n\n"
    )


def verbatim_cells(frame: pd.DataFrame) -> list[str]:
    """The cells of ``frame`` that are the report's words and stand in one place in it (a name, a heading).

    A table shows these words verbatim, so the record counts them as shown: words of 4 or more
    characters that occur once in the report, or a shorter heading that is one whole line of it
    (石墨烯). Short words found once by chance (a "1个" of a count) and words that occur more than
    once (5月) are not claimed for any place.
    """
    out = []
    for value in frame.astype(object).to_numpy().ravel():
        if not isinstance(value, str) or len(words(value)) < 2:
            continue
        if (len(words(value)) >= 4 and len(locate(value)) == 1) or line_of(value):
            out.append(value)
    return out


def _flat(quotes) -> list[str]:
    """Every quote of a table's ``quotes=`` (an entry per row: a quote, a list of them, or empty)."""
    out = []
    for entry in quotes:
        entry = [entry] if isinstance(entry, str) else list(entry) if isinstance(entry, (list, tuple)) else []
        out += [q for q in entry if isinstance(q, str) and q]
    return out


def show_table(
    frame: pd.DataFrame,
    name: str,
    caption: str,
    tables,
    *,
    note: str | None = None,
    align: dict[str, str] | None = None,
    widths: list[int] | None = None,
    quotes=None,
    whole=False,
) -> None:
    """Display ``frame`` as table ``name`` ("tbl-..."), with caption, source line and CSV links.

    ``quotes``: one entry per row (a quote, a list of quotes, or empty): the report's words,
    added as a last column that opens with one tap on the web and prints in the PDF. A Series
    is matched to the rows by its labels, so a table sorted after its source keeps each row's
    words; a list is taken in row order. ``whole=True`` also shows, under the table, the whole
    clauses of the report that hold those words (as a figure does), when the cells hold parts of
    longer sentences; ``whole=[quotes]`` shows the whole clauses of those quotes, with no column.
    """
    tables = [tables] if isinstance(tables, str) else list(tables)
    preview = frame
    if quotes is not None:
        if isinstance(quotes, pd.Series):  # a column: matched to the rows by label, as pandas does
            if sorted(quotes.index) != sorted(frame.index):
                raise ValueError(f"{name}: the quotes' row labels are not the table's; take both from one frame")
            quotes = quotes.reindex(frame.index)
        quotes = list(quotes)
        if len(quotes) != len(frame):
            raise ValueError(f"{name}: {len(quotes)} quotes for {len(frame)} rows")
        frame = frame.assign(**{QUOTE_COLUMN: [_quote_cell(q) for q in quotes]})
        if widths:  # the quote column's room comes from the wide columns; narrow ones (dates, counts) keep theirs
            extra = max(12, sum(widths) // 5)
            wide = sum(w for w in widths if w >= 14)
            widths = [max(1, round(w * (wide - extra) / wide)) if w >= 14 else w for w in widths] + [extra]
    options = f":name: {name}\n:align: left\n"
    if widths:
        options += f":widths: {' '.join(map(str, widths))}\n"
    cite = f"资料来源：{SOURCE}。数据：{_data_links(tables)}。"
    md = f"````{{table}} {caption}\n{options}\n{markdown_table(frame, align)}\n````\n\n"
    if note:
        md += f"{{.table-note}}\n注：{note}\n\n"
    md += f"{{.source-line}}\n{cite}\n\n"
    passages = clauses(_flat(quotes or []) if whole is True else _flat(whole or []))
    md += _quote_block(passages) + record(name, _flat(quotes or []) + passages + verbatim_cells(preview))
    html_table = preview.to_html(index=False, border=0, na_rep="", escape=True)
    ipy_display(
        {"text/markdown": md, "text/html": f"<p><b>{html.escape(caption)}</b></p>{html_table}", "text/plain": caption},
        raw=True,
    )


class FigureError(ValueError):
    """A figure hides part of what it draws (see :func:`techreport.charts.overflows`)."""


#: The MIME type of a figure's phone drawing (the narrow SVG), beside the wide one's ``image/svg+xml``
#: in the figure's glued output. The book renders it with a MyST-NB MIME renderer plugin
#: (``bookbuild.sphinx.figures.PhoneDrawing``, registered in pyproject.toml): a ``<picture>`` that
#: gives phones the narrow drawing and other screens the wide one.
PHONE_SVG = "image/vnd.techreport.phone+svg+xml"


class GluedFigure:
    """A chart for myst-nb's ``glue()``: the wide SVG (desktop web and, converted at PDF time, the PDF
    edition), the phone SVG under its own MIME type (:data:`PHONE_SVG`), the caption as text.

    ``glue`` stores what IPython would display of an object (``_repr_mimebundle_``); the book places
    it with a ``glue:figure`` directive, which numbers it and lets the prose cite it. Jupyter shows
    the wide SVG (it does not know the phone's type).
    """

    def __init__(self, svg: bytes, phone: bytes, caption: str):
        self.svg, self.phone, self.caption = svg, phone, caption

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            "image/svg+xml": self.svg.decode("utf-8"),
            PHONE_SVG: self.phone.decode("utf-8"),
            "text/plain": self.caption,
        }


def _checked(fig, name: str, layout: charts.Layout):
    problems = charts.overflows(fig)
    if problems:
        import matplotlib.pyplot as plt

        plt.close(fig)
        raise FigureError(f"{name} ({layout.name}): " + "; ".join(problems[:5]))
    return fig


def show_figure(draw, name: str, caption: str, alt: str, tables, *, quotes=()) -> None:
    """Display figure ``name`` ("fig-..."): caption, alt text and CSV links.

    ``draw(layout)`` returns the figure drawn for a :class:`techreport.charts.Layout`; it is
    called twice (a Figure instead of a function is shown as it is at both widths). Both drawings
    are glued as one output (:class:`GluedFigure`): the wide SVG (the web, and the PDF edition, which
    converts it to a vector PDF at PDF time) and the narrow one (a phone) under its own MIME type,
    which the web edition offers to small screens (bookbuild/sphinx/figures.py). The book places
    the figure through a ``glue:figure`` directive, so it is numbered and can be cited with
    ``{numref}``; Jupyter shows the wide drawing where the cell ran, with the caption under it.
    Each figure is checked with :func:`techreport.charts.overflows`: nothing may be cut off.
    ``quotes``: the report's words for what the figure draws, shown under it (one tap on the web).
    """
    import matplotlib.pyplot as plt

    if not callable(draw):  # a Figure drawn once: shown at both widths
        figure = draw
        draw = lambda layout: figure  # noqa: E731
    tables = [tables] if isinstance(tables, str) else list(tables)
    wide = _checked(draw(charts.WIDE), name, charts.WIDE)
    svg = style.save(wide, "svg")
    plt.close(wide)
    narrow = _checked(draw(charts.NARROW), name, charts.NARROW)
    phone = style.save(narrow, "svg")
    plt.close(narrow)
    # Shown where it is made (Jupyter draws the wide SVG); in the book the renderer plugin leaves
    # this place empty and the glue:figure below places the figure, numbered.
    glue(name, GluedFigure(svg, phone, caption), display=True)
    md = (
        f"```{{glue:figure}} {name}\n:name: {name}\n:alt: {alt}\n:figwidth: 100%\n\n"
        f"{sentence(caption)}数据：{_data_links(tables)}。\n```\n"
    )
    passages = clauses(quotes)
    md += _quote_block(passages) + record(name, passages)
    jupyter = f'<p class="techreport-caption">{html.escape(caption)}</p>'
    ipy_display({"text/markdown": md, "text/html": jupyter, "text/plain": caption}, raw=True)


def drawings(notebook: dict) -> dict[str, dict[str, str]]:
    """``{figure name: {"wide": SVG, "phone": SVG}}`` from a notebook's stored outputs: the glued
    output of each figure (see :func:`show_figure`), read by MIME type."""
    found = {}
    for cell in notebook.get("cells", []):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
            data = out.get("data", {})
            if name and PHONE_SVG in data:
                text = {k: "".join(v) if isinstance(v, list) else v for k, v in data.items()}
                found[name] = {"wide": text["image/svg+xml"], "phone": text[PHONE_SVG]}
    return found


def phone_svgs(notebook: dict) -> dict[str, str]:
    """``{figure name: phone SVG}`` from a notebook's stored outputs (see :func:`drawings`)."""
    return {name: pair["phone"] for name, pair in drawings(notebook).items()}
