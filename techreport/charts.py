"""The book's chart kit: layouts, house marks and the checks every figure passes.

Every figure of the book is drawn by a function of a :class:`Layout` and rendered twice
by :func:`techreport.present.show_figure`: :data:`WIDE` (the desktop web page and the PDF)
and :data:`NARROW` (a phone: 336 CSS px wide). A figure takes the layout and reflows: fewer
columns, wrapped labels, larger type. ``NARROW`` is 3.5 in wide, so an SVG of it shown at
its natural size maps 1 pt to 4/3 CSS px; on a 390 px phone the figure is 342 px wide and
its smallest font (8.5 pt) is 11.5 CSS px. ``WIDE`` is 7.6 in, shown 672 px wide on a
1280 px desktop and printed 16.2 cm wide in the PDF: its smallest font (9.8 pt) is 12.0 CSS
px and 8.2 pt in print. :func:`min_text_px` measures that for any figure.

Marks and checks:

* :func:`date_label` - ``5月5日``, or ``5月`` for a month-only date (never a made-up day);
* :func:`wrap` - Chinese line breaking: no line starts with closing punctuation;
* :func:`bound_bar` - the house mark for a qualified figure: a bar to the number the report
  states, the qualifier marked by an arrow of fixed size beside its end (超过/余: pointing on;
  近: a pale, dashed bar and an arrow pointing back), never by a length;
* :func:`units` - unit (waffle) charts: one square per counted thing (at most
  :data:`MAX_UNITS`: the forms draw bars with the count beyond it);
* :func:`month_axis` and :func:`month_band` - timelines whose dates may be whole months
  (gridlines where months meet, names between them; a band a hair short of its month's ends);
* :class:`CardStack` - boxes sized to their text, stacked in points; :class:`TextMark` - a
  legend entry whose mark is text ("…等");
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
from matplotlib.legend_handler import HandlerBase
from matplotlib.patches import BoxStyle, Rectangle
from matplotlib.text import Text

from . import style
from .linebreak import em as em  # the kit's line breaking: charts.em, charts.wrap
from .linebreak import wrap

#: CSS px per inch (the web's unit) and points per inch (matplotlib's).
CSS_PX_PER_IN = 96
PT_PER_IN = style.PT_PER_IN
#: The phone rendering's width in CSS px (a 390 px phone shows a figure 342 px wide: the
#: page's margins), and the smallest chart text the book allows there.
PHONE_PX = 336
MIN_PHONE_TEXT_PX = 11
#: The wide rendering is 7.6 in (730 CSS px at natural size). A 1280 px desktop page shows it
#: in its 672 px column; the PDF prints it across the text width of A4 less two 2.4 cm margins.
WIDE_IN = 7.6
DESKTOP_PX = 672
MIN_DESKTOP_TEXT_PX = 12
PRINT_WIDTH_IN = (21.0 - 2 * 2.4) / 2.54
MIN_PRINT_PT = 7.5


def _wide_min_font() -> float:
    """The smallest font (pt, in the 7.6 in figure) that is 12 CSS px at 672 px and 7.5 pt in print."""
    desktop = MIN_DESKTOP_TEXT_PX * (WIDE_IN * PT_PER_IN) / DESKTOP_PX
    printed = MIN_PRINT_PT * WIDE_IN / PRINT_WIDTH_IN
    return float(np.ceil(max(desktop, printed) * 10) / 10)


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


#: Desktop web and PDF: the column's width; no text under 9.8 pt (12.0 CSS px at 672 px, 8.2 pt in print).
WIDE = Layout("wide", WIDE_IN, _wide_min_font())
#: A phone: 3.5 in = 336 CSS px at natural size; 8.5 pt = 11.3 CSS px (11.5 at 342 px).
NARROW = Layout("narrow", PHONE_PX / CSS_PX_PER_IN, 8.5)
LAYOUTS = (WIDE, NARROW)


# --- words (line breaking: :mod:`techreport.linebreak`) ------------------------------------


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

#: Qualifiers of a bound: the true value is larger (超过, 余) or a little smaller (近).
MORE = ("more_than", "odd")
NEARLY = ("nearly",)
#: The qualifier's arrow, in points: it starts ARROW_GAP after the bar's end and is ARROW_PT long.
#: It is a sign of direction drawn in points, not data: its length is the same on every axis and
#: encodes no amount.
ARROW_GAP, ARROW_PT = 3.0, 14.0
#: The share of the axis :func:`bound_xmax` keeps for the arrow (about 20 pt of a 400 pt axis).
ARROW_SHARE = 0.07


def _after(ax, x: float, y: float, points: float):
    """A transform for a point ``points`` pt to the right of data point (x, y)."""
    from matplotlib.transforms import ScaledTranslation

    return ax.transData + ScaledTranslation(points / PT_PER_IN, 0, ax.figure.dpi_scale_trans)


def tint(color, share: float = 0.3) -> str:
    """``color`` mixed with white: ``share`` of the colour."""
    from matplotlib.colors import to_hex, to_rgb

    return to_hex([1 - share * (1 - c) for c in to_rgb(color)])


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
    """One bar for a figure and its qualifier, drawn at the number the report states.

    The bar ends at ``value`` whatever the qualifier: no part of the mark stands for a number
    the report does not give. The qualifier is marked beside the end, in points (the same on
    every axis, so it shows a direction, never an amount): exact - a solid bar; more_than /
    odd (超过, 余) - a solid bar and an arrow pointing on from its end (the true value is
    larger); nearly (近) - a pale bar with a dashed outline, its end in a solid line, and an
    arrow pointing back at the end (the true value is a little smaller). ``text``, the figure
    as the report prints it with its qualifier, is written after the bar and the arrow;
    ``xmax`` is the axis' right end (see :func:`bound_xmax`).
    """
    color = color or style.TOPIC_COLORS["platforms"]
    arrow = {"arrowstyle": "-|>", "color": style.INK, "lw": 1.0, "mutation_scale": 9, "shrinkA": 0, "shrinkB": 0}
    if qualifier in NEARLY:
        edge = style.mark_color(color)
        ax.add_patch(
            Rectangle(
                (0, y - height / 2),
                value,
                height,
                facecolor=tint(color),
                edgecolor=edge,
                linestyle=(0, (3, 2)),
                linewidth=1.1,
            )
        )
        ax.plot([value, value], [y - height / 2, y + height / 2], color=edge, lw=1.6, solid_capstyle="butt")
        start, end = ARROW_GAP + ARROW_PT, ARROW_GAP  # pointing back at the end
    else:
        ax.barh(y, value, height=height, color=color, linewidth=0)
        start, end = ARROW_GAP, ARROW_GAP + ARROW_PT
    if qualifier in MORE + NEARLY:
        ax.annotate(
            "",
            xy=(value, y),
            xycoords=_after(ax, value, y, end),
            xytext=(value, y),
            textcoords=_after(ax, value, y, start),
            arrowprops=arrow,
        )
    ax.annotate(
        text,
        (value, y),
        xytext=(2 * ARROW_GAP + (ARROW_PT if qualifier in MORE + NEARLY else 0), 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=fontsize,
        color=style.INK,
    )


def bound_key(qualifiers) -> str:
    """What the marks of :func:`bound_bar` mean, for the ``qualifiers`` drawn: a figure's note."""
    drawn = set(qualifiers)
    parts = ["条长为报告给出的数"]
    if drawn & set(MORE):
        parts.append("条后向右的箭头：真实值大于该数（超过、余）")
    if drawn & set(NEARLY):
        parts.append("浅色虚线条与指回条端的箭头：真实值略小于该数（近）")
    if drawn & set(MORE + NEARLY):
        parts.append("箭头只表示方向，不表示多少")
    return "；".join(parts) + "。"


def bound_xmax(values, qualifiers, label_share: float = 0.45) -> float:
    """The axis end for :func:`bound_bar` rows: every bar, its arrow and ``label_share`` of the axis fit.

    Computed from the data, so a figure that grows keeps its label inside the chart.
    """

    def need(value, qualifier):
        arrow = ARROW_SHARE if qualifier in MORE + NEARLY else 0.0
        return float(value) / (1 - label_share - arrow)

    return max(need(v, q) for v, q in zip(values, qualifiers))


# --- unit (waffle) charts ----------------------------------------------------------------

#: The most squares a unit chart draws. Beyond it one square a thing cannot be counted by eye,
#: and each square is a path of the SVG (the biomed chart at 10x today's approvals: 1,770);
#: the unit forms then draw bars with the count written (:mod:`techreport.forms`).
MAX_UNITS = 400


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
    (columns, rows), in squares, from ``origin`` (its top-left square). More than
    :data:`MAX_UNITS` squares is an error: a form draws a bar instead.
    """
    if total > MAX_UNITS:
        raise ValueError(
            f"{total} squares: a unit chart draws at most MAX_UNITS={MAX_UNITS}; draw a bar with the count"
        )
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

    One convention for every timeline: ticks (and gridlines) at the boundaries between months,
    each month's name centred between them, so a dot on 5 May sits just right of the line that
    opens May. ``on_line``: draw the ticks and labels on a horizontal time line at that y (for
    timelines without axes); else as the axis' major ticks (boundaries, unlabelled) and minor
    ticks (the names, no mark). ``every``: label every n-th month (a phone has room for fewer).
    """
    months = pd.period_range(first, last, freq="M")
    ax.set_xlim(months[0].start_time - pd.Timedelta(days=pad_days), months[-1].end_time + pd.Timedelta(days=pad_days))
    mids = [m.start_time + (m.end_time - m.start_time) / 2 for m in months]
    names = [month_label(m) if k % every == 0 else "" for k, m in enumerate(months)]
    if on_line is None:
        ax.set_xticks([m.start_time for m in months] + [(months[-1] + 1).start_time], [])
        ax.set_xticks(mids, names, fontsize=fontsize, minor=True)
        ax.tick_params(axis="x", which="both", length=0)
        ax.grid(axis="x", which="minor", visible=False)
        return
    ymin, ymax = ax.get_ylim()
    tick = (ymax - ymin) * 0.015
    for m, mid, name in zip(months, mids, names):
        ax.plot([m.start_time, m.start_time], [on_line, on_line - tick], color=style.MUTED, lw=1)
        if name:
            ax.text(mid, on_line - tick * 1.5, name, ha="center", va="top", fontsize=fontsize, color=style.MUTED)


#: Days left blank at each end of a month band: two events in adjacent months stay two bands.
BAND_GAP_DAYS = 1.5


def month_band(ax, y: float, month: pd.Period, color: str, height: float = 0.6, **kw) -> None:
    """A bar over the whole ``month`` (the date is known to the month only), a hair short of its
    ends (:data:`BAND_GAP_DAYS`), so that events in July and August read as two bands."""
    gap = pd.Timedelta(days=BAND_GAP_DAYS)
    start, end = month.start_time + gap, (month + 1).start_time - gap
    ax.barh(y, end - start, left=start, height=height, color=color, linewidth=0, **kw)


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


class TextMark:
    """A legend entry whose mark is a piece of text, drawn as the chart draws it ("…等")."""

    def __init__(self, text: str, color: str, label: str):
        self.text, self.color, self.label = text, color, label

    def get_label(self) -> str:
        return self.label


class _TextMarkHandler(HandlerBase):
    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        return [
            Text(
                -xdescent,
                height / 2 - ydescent,
                orig_handle.text,
                fontsize=fontsize,
                color=orig_handle.color,
                ha="left",
                va="center",
                transform=trans,
            )
        ]


#: ``ax.legend(..., handler_map=TEXT_MARKS)`` draws each :class:`TextMark` as its text.
TEXT_MARKS = {TextMark: _TextMarkHandler()}


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


#: The margin inside a card, in em of its text: a label never touches its box's edge.
CARD_PAD = 0.45


class _FixedWidth(BoxStyle.Round):
    """A round box ``width_em`` wide (in em of its text), however long the text's lines."""

    def __init__(self, width_em: float, pad: float = CARD_PAD):
        super().__init__(pad=pad, rounding_size=0.5)
        self.width_em = width_em

    def __call__(self, x0, y0, width, height, mutation_size):
        extra = max(0.0, self.width_em * mutation_size - (width + 2 * self.pad * mutation_size))
        return super().__call__(x0 - extra / 2, y0, width + extra, height, mutation_size)


class CardStack:
    """Boxes of text hung from the top of an axes, one under another, measured in points.

    Each :meth:`card` is a text in a box of a fixed width (in points) and the height of its
    lines plus :data:`CARD_PAD` all round; the next card starts ``gap`` pt below it. Positions
    are points under the axes' top, so the layout holds when a page's title and source line
    shrink the axes; the figure's height should follow :attr:`bottom` (pt). :meth:`branch`
    starts a stack beside this one (a column), :meth:`join` continues under the longer one.
    """

    def __init__(self, ax, gap: float, bottom: float = 0.0, used: bool = False):
        self.ax, self.gap, self.bottom, self.used = ax, gap, bottom, used
        self.last_middle = bottom
        self.boxes: list = []  # the texts of the cards (for tests: each with its box)

    def _at(self, pt: float):
        from matplotlib.transforms import ScaledTranslation

        return self.ax.transAxes + ScaledTranslation(0, -pt / PT_PER_IN, self.ax.figure.dpi_scale_trans)

    def _next(self, space: float | None = None) -> float:
        return self.bottom + ((self.gap if space is None else space) if self.used else 0.0)

    def _height(self, text) -> float:
        fig = self.ax.figure
        return text.get_window_extent(_renderer_of(fig)).height * PT_PER_IN / fig.dpi

    def card(self, x: float, text: str, size: float, width: float, face: str, edge: str, ink: str):
        """A card centred at ``x`` (axes fraction), ``width`` pt wide; lines longer than the card wrap."""
        pad = CARD_PAD * size
        lines = "\n".join(wrap(line, (width - 2 * pad) / size) for line in text.split("\n"))
        top = self._next()
        label = self.ax.text(
            x,
            1,
            lines,
            transform=self._at(top + pad),
            ha="center",
            va="top",
            fontsize=size,
            color=ink,
            linespacing=1.25,
            multialignment="center",
            bbox={"boxstyle": _FixedWidth(width / size), "facecolor": face, "edgecolor": edge, "linewidth": 1},
        )
        height = self._height(label)
        self.last_middle = top + pad + height / 2
        self.bottom, self.used = top + height + 2 * pad, True
        self.boxes.append(label)
        return label

    def words(self, x: float, text: str, size: float, color: str, space: float | None = None):
        """A line of plain text at ``x`` (axes fraction, left-aligned): a heading for the cards under it."""
        top = self._next(space)
        label = self.ax.text(x, 1, text, transform=self._at(top), ha="left", va="top", fontsize=size, color=color)
        self.bottom, self.used = top + self._height(label), True
        return label

    def arrow(self, x0: float, x1: float, y: float) -> None:
        """An arrow from ``x0`` to ``x1`` (axes fraction), ``y`` pt under the top."""
        self.ax.annotate(
            "",
            xy=(x1, 1),
            xycoords=self._at(y),
            xytext=(x0, 1),
            textcoords=self._at(y),
            arrowprops={"arrowstyle": "-|>", "color": style.MUTED, "lw": 1.2, "shrinkA": 0, "shrinkB": 0},
        )

    def branch(self) -> CardStack:
        child = CardStack(self.ax, self.gap, self.bottom, self.used)
        child.boxes = self.boxes  # one list of cards for the whole figure
        return child

    def join(self, other: CardStack) -> None:
        self.bottom, self.used = max(self.bottom, other.bottom), self.used or other.used


def _renderer_of(fig):
    return fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else _renderer(fig)


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
