"""The book's chart kit: layouts, house marks and the checks every figure passes.

Every figure of the book is drawn by a function of a :class:`Layout` and rendered twice
by :func:`techreport.present.show_figure`: :data:`WIDE` (the desktop web page and the PDF)
and :data:`NARROW` (a phone: 336 CSS px wide). A figure takes the layout and reflows: fewer
columns, wrapped labels, larger type. ``NARROW`` is 3.5 in wide, so an SVG of it shown at
its natural size maps 1 pt to 4/3 CSS px; on a 390 px phone the figure is 342 px wide and
its smallest font (8.5 pt) is 11.5 CSS px; :func:`min_text_px` measures that for any figure.

Marks and checks:

* :func:`date_label` - ``5月5日``, or ``5月`` for a month-only date (never a made-up day);
* :func:`wrap` - Chinese line breaking: no line starts with closing punctuation;
* :func:`bound_bar` and :func:`fade` - the house mark for a qualified figure (超过/余: a solid
  bar to the bound, a fading tail and an arrow; 近: a dashed outline the fill fades before);
* :func:`units` - unit (waffle) charts: one square per counted thing;
* :func:`month_axis` and :func:`month_band` - timelines whose dates may be whole months;
* :func:`title` - the one title rule; legends: label marks directly where the chart has room
  (the line, square or band's own text), a legend only for a code read in many places
  (line styles, a set of colours), placed under the title or the plot, from the left edge;
* :func:`overflows` - artists drawn outside the figure or cut by their axes (a layout that
  does not follow the data); :func:`present.show_figure` refuses such a figure.

Whole figures of one shape, built from these marks (a link diagram, unit rows, small
multiples on their own scales, a chain, timelines of months, a callout map), are the chart
forms of :mod:`techreport.forms`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from . import style

#: CSS px per inch (the web's unit) and points per inch (matplotlib's).
CSS_PX_PER_IN = 96
PT_PER_IN = 72
#: The phone rendering's width in CSS px (a 390 px phone shows a figure 342 px wide: the
#: page's margins), and the smallest chart text the book allows there.
PHONE_PX = 336
MIN_PHONE_TEXT_PX = 11


@dataclass(frozen=True)
class Layout:
    """Where a figure will be read: its width (inches) and its smallest font (points)."""

    name: str
    width: float
    min_font: float

    @property
    def narrow(self) -> bool:
        return self.name == "narrow"

    def font(self, size: float) -> float:
        """A font size for this layout: never below the layout's smallest font."""
        return max(size, self.min_font)

    def chars(self, size: float, share: float = 0.9) -> int:
        """How many Chinese characters of ``size`` pt fit across ``share`` of the figure."""
        return max(4, int(self.width * PT_PER_IN * share / self.font(size)))

    def size(self, height: float, narrow_height: float | None = None) -> tuple[float, float]:
        """``figsize`` for this layout: the wide height, or ``narrow_height`` on a phone."""
        return (self.width, narrow_height if self.narrow and narrow_height else height)


#: Desktop web and PDF: the column's width. Fonts as the house style sets them.
WIDE = Layout("wide", 7.6, 0.0)
#: A phone: 3.5 in = 336 CSS px at natural size; 8.5 pt = 11.3 CSS px (11.5 at 342 px).
NARROW = Layout("narrow", PHONE_PX / CSS_PX_PER_IN, 8.5)
LAYOUTS = (WIDE, NARROW)


# --- words -------------------------------------------------------------------------------

_NO_LINE_START = "，、；：。）》”！？%"
_NO_LINE_END = "（《“‘"


def em(text: str) -> float:
    """Width of ``text`` in em: a Chinese character or full-width sign is 1, anything else 0.55."""
    return sum(1.0 if ord(ch) >= 0x2E80 or ch in "“”‘’…—" else 0.55 for ch in text)


def wrap(text: str, width: float) -> str:
    """Break ``text`` into lines at most ``width`` em wide (see :func:`em`); existing breaks are kept.

    No line starts with closing punctuation nor ends with opening punctuation, and a run of
    digits or Latin letters (a figure, a file name) is never split.
    """
    out = []
    for para in str(text).split("\n"):
        tokens = re.findall(r"[0-9A-Za-z._/%³²+-]+|.", para)
        lines, line = [], ""
        for tok in tokens:
            if line and em(line) + em(tok) > width and tok[0] not in _NO_LINE_START:
                carry = ""
                while line and line[-1] in _NO_LINE_END and len(line) > 1:  # an opening mark goes with its word
                    line, carry = line[:-1], line[-1] + carry
                lines.append(line)
                line = carry
            line += tok
        lines.append(line)
        out += [ln for ln in lines if ln] or [""]
    return "\n".join(out)


def date_label(value) -> str:
    """``5月5日`` for a date; ``5月`` for a month (a ``Period``): a month stays a month."""
    if isinstance(value, pd.Period):
        return f"{value.month}月"
    value = pd.Timestamp(value)
    return f"{value.month}月{value.day}日"


def month_label(value) -> str:
    """``5月`` for a date or a month."""
    return f"{pd.Timestamp(value.start_time if isinstance(value, pd.Period) else value).month}月"


# --- the bound bar: a qualified figure -----------------------------------------------------

FADE_STEPS = 14
#: The tail and the fade are a fixed share of the axis: they show a direction, not an amount.
TAIL = 0.13


def fade(ax, x0: float, x1: float, y: float, height: float, color: str, reverse: bool = False) -> None:
    """A bar from ``x0`` to ``x1`` whose fill fades out (``reverse``: fades in)."""
    edges = np.linspace(x0, x1, FADE_STEPS + 1)
    for k in range(FADE_STEPS):
        alpha = (k + 0.5) / FADE_STEPS if reverse else 1 - (k + 0.5) / FADE_STEPS
        ax.add_patch(
            Rectangle(
                (edges[k], y - height / 2), edges[k + 1] - edges[k], height, facecolor=color, alpha=alpha, linewidth=0
            )
        )


def bound_end(value: float, qualifier: str, xmax: float) -> float:
    """Where the bar of :func:`bound_bar` ends (the label starts just after)."""
    return value + TAIL * xmax * 1.3 if qualifier in ("more_than", "odd") else value


def bound_bar(
    ax,
    y: float,
    value: float,
    qualifier: str,
    xmax: float,
    text: str,
    color: str | None = None,
    height: float = 0.6,
    fontsize: float = 10.5,
) -> None:
    """One bar for a figure and its qualifier, so a bound never looks like an exact bar top.

    exact: a solid bar to the value. more_than / odd: a solid bar to the stated lower bound,
    then a fading tail and an arrow (the true value is larger). nearly: a dashed outline to
    the round figure; the fill fades out before it (the true value is a little less).
    ``text`` is written after the bar; ``xmax`` is the axis' right end.
    """
    color = color or style.TOPIC_COLORS["platforms"]
    share = TAIL * xmax
    if qualifier in ("more_than", "odd"):
        ax.barh(y, value, height=height, color=color, linewidth=0)
        fade(ax, value, value + share, y, height, color)
        ax.annotate(
            "",
            xy=(value + share * 1.25, y),
            xytext=(value + share * 0.2, y),
            arrowprops={"arrowstyle": "-|>", "color": style.INK, "lw": 1.0, "mutation_scale": 9},
        )
    elif qualifier == "nearly":
        share = min(share, value / 2)  # a short bar on a long axis: the fade stays right of zero
        ax.add_patch(
            Rectangle(
                (0, y - height / 2),
                value,
                height,
                facecolor="none",
                edgecolor=color,
                linestyle=(0, (3, 2)),
                linewidth=1.1,
            )
        )
        ax.barh(y, value - share, height=height, color=color, linewidth=0)
        fade(ax, value - share, value, y, height, color)
        ax.plot([value, value], [y - height / 2 - 0.12, y + height / 2 + 0.12], color=style.INK, lw=1.2)
    else:
        ax.barh(y, value, height=height, color=color, linewidth=0)
    ax.text(
        bound_end(value, qualifier, xmax) + xmax * 0.02,
        y,
        text,
        va="center",
        ha="left",
        fontsize=fontsize,
        color=style.INK,
    )


def bound_xmax(values, qualifiers, label_share: float = 0.45) -> float:
    """The axis end for :func:`bound_bar` rows: every bar, its tail and ``label_share`` of the axis fit.

    Computed from the data, so a figure that grows keeps its label inside the chart.
    """

    def need(value, qualifier):
        tail = TAIL * 1.3 if qualifier in ("more_than", "odd") else 0.0
        return float(value) / (1 - label_share - tail)

    return max(need(v, q) for v, q in zip(values, qualifiers))


# --- unit (waffle) charts ----------------------------------------------------------------


def units(
    ax,
    total: int,
    filled: int,
    per_line: int,
    *,
    color: str,
    empty: str = "outline",
    order: str = "rows",
    origin: tuple[float, float] = (0.0, 0.0),
    size: float = 0.86,
    hatch_empty: bool = False,
    empty_color: str | None = None,
) -> tuple[float, float]:
    """Draw ``total`` squares, the first ``filled`` in ``color``; one square per counted thing.

    ``per_line`` squares to a row (``order="rows"``, filled left to right, top to bottom) or
    to a column (``order="columns"``, filled top to bottom, left to right). ``empty`` is
    ``"outline"`` (white with a grey edge), ``"fill"`` (``empty_color``, default grey) or
    ``"hatch"`` (white, hatched in ``color``: counted but not named). Returns the grid's
    (columns, rows), in squares, from ``origin`` (its top-left square).
    """
    x0, y0 = origin
    lines = -(-total // per_line) if total else 0
    edge = style.mark_color(color)  # a light colour gets a darker edge: every square shows at 3:1
    width = 0 if style.contrast(color) >= style.MARK_CONTRAST else 0.8
    for k in range(total):
        line, pos = divmod(k, per_line)
        col, row = (pos, line) if order == "rows" else (line, pos)
        xy = (x0 + col + (1 - size) / 2, y0 - row - size / 2)
        if k < filled:
            ax.add_patch(Rectangle(xy, size, size, facecolor=color, edgecolor=edge, linewidth=width))
        elif empty == "fill":
            ax.add_patch(Rectangle(xy, size, size, facecolor=empty_color or style.GREY, linewidth=0))
        elif empty == "hatch":
            ax.add_patch(Rectangle(xy, size, size, facecolor="white", edgecolor=edge, hatch="///", linewidth=1.0))
        else:
            ax.add_patch(Rectangle(xy, size, size, facecolor="white", edgecolor=style.MUTED, linewidth=0.8))
    cols, rows = (min(per_line, total), lines) if order == "rows" else (lines, min(per_line, total))
    return cols, rows


def unit_center(k: int, per_line: int, order: str = "rows", origin: tuple[float, float] = (0.0, 0.0)):
    """The centre of square ``k`` of :func:`units` (to write in it)."""
    line, pos = divmod(k, per_line)
    col, row = (pos, line) if order == "rows" else (line, pos)
    return origin[0] + col + 0.5, origin[1] - row


def bare(ax) -> None:
    """No axes, ticks or grid: the marks are the chart."""
    ax.set_axis_off()


# --- timelines ---------------------------------------------------------------------------


def month_span(months) -> tuple[pd.Period, pd.Period]:
    """First and last month of ``months`` (Periods or Timestamps), as Periods."""
    periods = [m if isinstance(m, pd.Period) else pd.Timestamp(m).to_period("M") for m in months]
    return min(periods), max(periods)


def month_axis(
    ax, first, last, *, fontsize: float = 9.5, on_line: float | None = None, pad_days: int = 3, every: int = 1
) -> None:
    """An x axis of months from ``first`` to ``last`` (Periods), labelled ``3月``…``12月``.

    Labels sit under the middle of each month. ``on_line``: draw the ticks and labels on a
    horizontal time line at that y (for timelines without axes); else as the axis' ticks.
    ``every``: label every n-th month (a phone has room for fewer).
    """
    months = pd.period_range(first, last, freq="M")
    ax.set_xlim(months[0].start_time - pd.Timedelta(days=pad_days), months[-1].end_time + pd.Timedelta(days=pad_days))
    mids = [m.start_time + (m.end_time - m.start_time) / 2 for m in months]
    names = [month_label(m) if k % every == 0 else "" for k, m in enumerate(months)]
    if on_line is None:
        ax.set_xticks(mids, names, fontsize=fontsize)
        ax.tick_params(axis="x", length=0)
        return
    ymin, ymax = ax.get_ylim()
    tick = (ymax - ymin) * 0.015
    for m, mid, name in zip(months, mids, names):
        ax.plot([m.start_time, m.start_time], [on_line, on_line - tick], color=style.MUTED, lw=1)
        if name:
            ax.text(mid, on_line - tick * 1.5, name, ha="center", va="top", fontsize=fontsize, color=style.MUTED)


def month_band(ax, y: float, month: pd.Period, color: str, height: float = 0.6, **kw) -> None:
    """A bar filling the whole ``month``: the date is known to the month only."""
    start = month.start_time
    ax.barh(y, month.end_time - start, left=start, height=height, color=color, linewidth=0, **kw)


def month_middle(month: pd.Period) -> pd.Timestamp:
    return month.start_time + (month.end_time - month.start_time) / 2


# --- checks ------------------------------------------------------------------------------


def _renderer(fig):
    fig.draw_without_rendering()
    return fig._get_renderer()


def _undrawn_ticks(fig) -> set[int]:
    """ids of tick labels and marks matplotlib does not draw (ticks outside the view)."""
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not (ax.get_visible() and ax.axison and axis.get_visible()):  # hidden axes draw no ticks or labels
                undrawn.update(id(a) for a in (axis.label, axis.offsetText))
                drawn = set()
            else:
                drawn = {id(t) for t in axis._update_ticks()}
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(tick) not in drawn:
                    undrawn.update(
                        id(a) for a in (tick.label1, tick.label2, tick.tick1line, tick.tick2line, tick.gridline)
                    )
    return undrawn


def texts(fig):
    """Every text of ``fig`` a reader sees (titles, labels, drawn ticks, annotations, legends)."""
    from matplotlib.text import Text

    undrawn = _undrawn_ticks(fig)
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible()
        and t.get_text().strip()
        and id(t) not in undrawn
        and (t.axes is None or t.axes.get_visible())
    ]


def min_text_pt(fig) -> float:
    """The smallest font size (pt) of any visible text in ``fig``."""
    return min(t.get_fontsize() for t in texts(fig))


def min_text_px(fig, width_px: float) -> float:
    """The smallest text of ``fig`` in CSS px when the figure is shown ``width_px`` wide."""
    return min_text_pt(fig) * width_px / (fig.get_figwidth() * PT_PER_IN)


def svg_min_text_px(svg: str, width_px: float) -> float:
    """The smallest text of a matplotlib SVG (text as text) shown ``width_px`` wide."""
    width = re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg)
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    if not width or not sizes:
        raise ValueError("not a matplotlib SVG with text as text")
    return min(sizes) * width_px / float(width.group(1))


def overflows(fig, tolerance: float = 1.5) -> list[str]:
    """What a reader would miss: artists outside the figure, or cut off by their axes.

    After drawing, every visible text (with its box), patch, line and collection must lie
    inside the figure; an artist clipped to its axes must also lie inside the axes (a square
    beyond the x limit is drawn nowhere). Gridlines, spines and tick marks are the axes' own
    and are skipped. Returns one message per artist; empty when everything shows.
    """
    from matplotlib.axis import Axis
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.spines import Spine

    renderer = _renderer(fig)
    frame = fig.bbox
    problems = []

    def outside(box, inner) -> bool:
        return (
            box.x0 < inner.x0 - tolerance
            or box.x1 > inner.x1 + tolerance
            or box.y0 < inner.y0 - tolerance
            or box.y1 > inner.y1 + tolerance
        )

    def describe(artist) -> str:
        text = getattr(artist, "get_text", lambda: "")()
        return f"{type(artist).__name__} {text[:30]!r}" if text else type(artist).__name__

    skip = set()
    for ax in fig.axes:
        skip.add(id(ax.patch))
        for axis in (ax.xaxis, ax.yaxis):
            skip.update(id(a) for a in axis.get_gridlines() + axis.get_ticklines())
    skip.add(id(fig.patch))
    for artist in texts(fig):
        boxes = [artist.get_window_extent(renderer)]
        if artist.get_bbox_patch() is not None:
            boxes.append(artist.get_bbox_patch().get_window_extent(renderer))
        for box in boxes:
            if outside(box, frame):
                problems.append(f"{describe(artist)} extends outside the figure")
                break
    for artist in fig.findobj(lambda a: isinstance(a, (Patch, Line2D, Collection))):
        if id(artist) in skip or not artist.get_visible() or isinstance(artist, Spine) or artist.axes is None:
            continue
        if isinstance(artist.get_parent() if hasattr(artist, "get_parent") else None, Axis):
            continue
        try:
            box = artist.get_window_extent(renderer)
        except Exception:
            continue
        if box.width == 0 and box.height == 0:
            continue
        if not np.all(np.isfinite([box.x0, box.x1, box.y0, box.y1])):
            continue
        if artist.get_clip_on() and artist.get_clip_box() is not None:
            if outside(box, artist.get_clip_box()):
                problems.append(f"{describe(artist)} is cut off by its axes")
        elif outside(box, frame):
            problems.append(f"{describe(artist)} extends outside the figure")
    return problems


def figure_x(fig, ax):
    """A transform with x in figure coordinates and y in ``ax``'s: a legend or note under the
    axes that starts at the figure's left edge (past the tick labels), at any width."""
    from matplotlib.transforms import blended_transform_factory

    return blended_transform_factory(fig.transFigure, ax.transAxes)


def card(
    ax, x: float, y: float, w: float, h: float, text: str, face: str, edge: str, ink: str, size: float = 9.5
) -> None:
    """A rounded box from (x, y) (lower left), ``w`` by ``h``, with ``text`` centred in it."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.06", facecolor=face, edgecolor=edge, linewidth=1
        )
    )
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", color=ink, fontsize=size)


#: The gid of every chart's title (the SVG element ``id``): a test finds it in every figure.
TITLE_GID = "chart-title"
TITLE_SIZE = 13


def title(fig, text: str, layout: Layout, size: float = TITLE_SIZE) -> None:
    """The chart's title, one rule for every chart: what the chart shows, in a few words, at the
    figure's left edge (never centred over axes that a map's aspect or tick labels move), in
    ``size`` pt and :data:`style.INK`, wrapped to the figure's width. Panels inside a figure
    are labelled with ``ax.set_title(..., loc="left")`` at a smaller size."""
    fig.suptitle(
        wrap(text, layout.chars(size)), x=0.0, ha="left", fontsize=layout.font(size), color=style.INK, gid=TITLE_GID
    )
