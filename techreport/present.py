"""Put figures, tables and numbers on a page.

One call per item, so every page gets the same treatment:

* :func:`show_table` - a numbered, captioned table with a source line and a link to the
  CSV. The book renders it from MyST markdown (a real table in HTML and in LaTeX);
  Jupyter shows the plain HTML table.
* :func:`show_figure` - a numbered figure with caption, Chinese alt text and a link to
  the CSV it was drawn from (the source line is inside the image: see ``style.add_source``).
* :func:`fmt` and :func:`glue_text` - a figure with its qualifier ("超过2000名", "近100亿元",
  "20余家") for prose, through myst-nb glue so a CSV edit changes the text too.
"""

from __future__ import annotations

import base64
import html
import io

import pandas as pd
from IPython.display import display

from .style import SOURCE

# qualifier -> (before the number, after the number)
QUALIFIERS = {
    "exact": ("", ""),
    "more_than": ("超过", ""),
    "nearly": ("近", ""),
    "odd": ("", "余"),
    "ordinal": ("第", ""),
}
QUALIFIER_NAMES = {"exact": "准确值", "more_than": "下限（超过）", "nearly": "近似（近）", "odd": "约数（余）", "ordinal": "序数"}


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
    """Glue payload whose plain-text form is the string itself (no quotes)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_pretty_(self, p, cycle):
        p.text(self.text)


def glue_text(name: str, text: str) -> None:
    """Glue ``text`` for ``{glue:text}`name``` in the page's prose."""
    from myst_nb import glue

    glue(name, Text(str(text)), display=False)


def glue_indicators(indicators: pd.DataFrame) -> None:
    """Glue every indicator as ``ind_<id>`` (formatted, with its qualifier)."""
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


def show_table(frame: pd.DataFrame, name: str, caption: str, tables, *, note: str | None = None,
               align: dict[str, str] | None = None, widths: list[int] | None = None) -> None:
    """Display ``frame`` as table ``name`` ("tbl-..."), with caption, source line and CSV links."""
    tables = [tables] if isinstance(tables, str) else list(tables)
    options = f":name: {name}\n:align: left\n"
    if widths:
        options += f":widths: {' '.join(map(str, widths))}\n"
    source = f"资料来源：{SOURCE}。数据：{_data_links(tables)}。"
    md = f"````{{table}} {caption}\n{options}\n{markdown_table(frame, align)}\n````\n\n"
    if note:
        md += f"{{.table-note}}\n注：{note}\n\n"
    md += f"{{.source-line}}\n{source}\n"
    html_table = frame.to_html(index=False, border=0, na_rep="", escape=True)
    display({"text/markdown": md, "text/html": f"<p><b>{html.escape(caption)}</b></p>{html_table}",
             "text/plain": caption}, raw=True)


def show_figure(fig, name: str, caption: str, alt: str, tables) -> None:
    """Display ``fig`` as figure ``name`` ("fig-..."): caption, alt text and CSV links.

    The figure is glued (SVG for the web, PDF for LaTeX); the book places it through a
    ``glue:figure`` directive so it is numbered and can be cited with ``{numref}``.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    tables = [tables] if isinstance(tables, str) else list(tables)
    glue(name, fig, display=False)
    buf = io.BytesIO()  # Jupyter's preview only (the book uses the glued figure): a small PNG
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    md = (
        f"```{{glue:figure}} {name}\n:name: {name}\n:alt: {alt}\n:figwidth: 100%\n\n"
        f"{sentence(caption)}数据：{_data_links(tables)}。\n```\n"
    )
    img = base64.b64encode(buf.getvalue()).decode()
    jupyter = (f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{img}"/>'
               f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    display({"text/markdown": md, "text/html": jupyter, "text/plain": caption}, raw=True)
