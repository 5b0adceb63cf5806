"""Chart forms: whole figures of one shape, drawn for a :class:`~techreport.charts.Layout`.

A page's cell says what is drawn (which rows, what is counted, what the words say); a form
here does the drawing: the layout arithmetic, the wide and the narrow (phone) arrangement,
the boxes, callouts and unit rows, and the legend built from what it drew. The marks a form
uses (a bound bar, unit squares, a month band, a card) are in :mod:`techreport.charts`. A
form draws no chart title and no source line: the page adds them with :func:`charts.title`
and :func:`style.add_source`, since they say what the figure shows.

* :func:`link_columns` - three columns joined by lines: groups, their items, the targets each
  item leads to (a link diagram; a phone gets an indented list).
* :func:`unit_rows` - a unit chart in rows: under headings, one line of text per group and one
  square per thing it counts (named, counted but not named, and "…等" for an open list).
* :func:`scale_rows` and :func:`scale_panels` - small multiples of figures that share no
  unit: one row or panel per figure, each on its own scale, the bar at the number stated and
  its qualifier marked at the end (:func:`charts.bound_bar`); a row may instead count named
  things, one square each;
* :func:`chain` - the stages of a chain left to right, what sits in each stage under it, and
  a row for what the source places in no stage (a phone stacks them);
* :func:`month_rows` - things (rows) on an axis of months, each event a band over its whole
  month (dates known to the month only), a word in the band, events of a thread joined;
* :func:`dated_events` - one event a row on the months of a year: a dot on its day, or a band
  over its month when only the month is known;
* :func:`part_whole_columns` and :func:`part_whole_rows` - a part of a whole counted in unit
  squares (one a thing), labelled above or beside the grid;
* :func:`date_cards` - dated events on a time line, each with a card of text (a phone lists
  them down the page);
* :func:`callout_map` - the district map with text for some districts: boxes with leader
  lines (wide), numbers and a list under the map (narrow).
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import charts, maps, style

# --- a three-column link diagram -----------------------------------------------------------


def link_columns(
    layout: charts.Layout,
    items,
    links,
    *,
    styles: dict[str, str],
    heads: tuple[str, str, str],
    placeholder: str,
    color: str,
):
    """Groups (left), their items (middle) and the targets each item leads to (right), joined by lines.

    For data shaped as items in groups, each linked to none, one or several targets by a link
    of some kind (materials -> results -> fields of application).

    ``items``: ``(group, key, text)`` in reading order; ``text`` is the item's box (lines may
    be broken with ``\\n``). ``links``: ``(key, target, linestyle)`` in reading order; the
    targets are listed in the order the items reach them. ``styles``: ``{linestyle: what it
    means}``, the legend, in its order (only the styles some link has are shown). An item
    without a link gets a row of its own: ``placeholder``, in grey, reached by a dotted line.
    ``heads``: the three columns' heads. ``color``: the group boxes and the links (a mark
    colour: 3:1 on white).

    Wide: three columns; each item sits at the mean height of its targets (kept apart from the
    item above), each group at the mean height of its items. Narrow: one block per group, its
    items under it, and under each item its targets, each after a short line in the link's
    style. Returns ``(fig, ax)``; the legend is under the chart, the axes off.
    """
    items = [tuple(i) for i in items]
    links = [tuple(k) for k in links]
    targets_of: dict = {}
    for key, target, ls in links:
        targets_of.setdefault(key, []).append((target, ls))
    fig, ax = (_links_narrow if layout.narrow else _links_wide)(
        layout, items, links, targets_of, heads, placeholder, color
    )
    ax.axis("off")
    shown = dict.fromkeys(ls for _, _, ls in links)
    handles = [
        plt.Line2D([], [], color=color, lw=1.6, ls=ls, label=label) for ls, label in styles.items() if ls in shown
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0 if layout.narrow else 0.02),
        ncol=1 if layout.narrow else 2,
        fontsize=layout.font(9),
        handlelength=3,
        bbox_transform=ax.transAxes if layout.narrow else charts.figure_x(fig, ax),
    )
    return fig, ax


def _links_wide(layout, items, links, targets_of, heads, placeholder, color):
    # right column: each item's targets in order; a placeholder row where an item has none
    y_target, right = {}, []
    for _, key, _ in items:
        for t in [t for t, _ in targets_of.get(key, [])] or [("none", key)]:
            if t not in y_target:
                y_target[t] = len(right)
                right.append(t)
    y_item, floor = {}, -1.0
    for _, key, _ in items:
        reached = [t for t, _ in targets_of.get(key, [])] or [("none", key)]
        y = max(sum(y_target[t] for t in reached) / len(reached), floor + 1.15)  # keep item boxes apart
        y_item[key], floor = y, y
    members: dict = {}
    for group, key, _ in items:
        members.setdefault(group, []).append(key)
    y_group = {g: sum(y_item[k] for k in keys) / len(keys) for g, keys in members.items()}
    unlinked = [key for _, key, _ in items if key not in targets_of]
    bottom = max(len(right) - 0.4, max(y_item.values()) + 0.6)  # the lowest row and its box
    fig, ax = plt.subplots(figsize=(layout.width, max(5.6, 0.3 * (bottom + 1.6) + 1.6)))  # rows of 9.5 pt apart
    x_group, x_item, x_target = 0.0, 1.0, 2.2
    for group, key, _ in items:
        ax.plot([x_group + 0.02, x_item - 0.02], [y_group[group], y_item[key]], color=style.GREY, lw=1.2, zorder=1)
    for key, target, ls in links:
        ax.plot([x_item + 0.02, x_target - 0.02], [y_item[key], y_target[target]], color=color, lw=1.8, ls=ls, zorder=1)
    for key in unlinked:
        ax.plot(
            [x_item + 0.02, x_target - 0.02],
            [y_item[key], y_target[("none", key)]],
            color=style.GREY,
            lw=1,
            ls=":",
            zorder=1,
        )
    for group, y in y_group.items():
        ax.text(
            x_group,
            y,
            group,
            ha="right",
            va="center",
            fontsize=layout.font(12),
            color=style.INK,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=color, lw=1.5),
        )
    for _, key, text in items:
        ax.text(
            x_item,
            y_item[key],
            text,
            ha="center",
            va="center",
            fontsize=layout.font(9),
            color=style.INK,
            linespacing=1.2,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=style.GREY, lw=0.8),
            zorder=2,
        )
    for target in dict.fromkeys(t for _, t, _ in links):
        ax.text(x_target, y_target[target], target, ha="left", va="center", fontsize=layout.font(9.5), color=style.INK)
    for key in unlinked:
        ax.text(
            x_target,
            y_target[("none", key)],
            placeholder,
            ha="left",
            va="center",
            fontsize=layout.font(9),
            color=style.MUTED,
        )
    for x, head, ha in zip((x_group, x_item, x_target), heads, ("right", "center", "left")):
        ax.text(x, -1.1, head, ha=ha, va="center", fontsize=layout.font(9), color=style.MUTED)
    ax.set_xlim(-0.75, 3.35)
    ax.set_ylim(bottom, -1.6)
    return fig, ax


def _links_narrow(layout, items, links, targets_of, heads, placeholder, color):
    size = layout.font(9)
    rows = []  # (indent, text, line style or None, colour)
    for group in dict.fromkeys(g for g, _, _ in items):
        rows.append((0, group, None, style.INK))
        for _, key, text in (i for i in items if i[0] == group):
            for j, line in enumerate(text.split("\n")):  # a phone gives each line of a label its own row
                rows.append((1, line, None, style.INK if j == 0 else style.MUTED))
            for target, ls in targets_of.get(key, []):
                rows.append((2, target, ls, style.INK))
            if key not in targets_of:
                rows.append((2, placeholder, ":", style.MUTED))
    fig, ax = plt.subplots(figsize=(layout.width, len(rows) * size * 1.75 / 72 + 1.8))
    for k, (indent, text, ls, ink) in enumerate(rows):
        x = 0.015 + 0.06 * indent + (0.14 if ls else 0)
        if ls:
            ax.plot([x - 0.12, x - 0.02], [-k, -k], color=color if ls != ":" else style.GREY, lw=1.6, ls=ls)
        ax.text(
            x,
            -k,
            text,
            ha="left",
            va="center",
            fontsize=layout.font(11 if indent == 0 else 9),
            color=ink,
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=color, lw=1.2) if indent == 0 else None,
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    return fig, ax


# --- a unit chart in rows ----------------------------------------------------------------


class UnitRow(NamedTuple):
    """A line of :func:`unit_rows`: a heading (``named`` is None) or a group and its squares.

    ``named`` filled squares (things the report names), then ``unnamed`` outlined ones
    (counted in a total the report gives, not named); ``etc``: the report ends the list with
    "等" and gives no total (a "…等" after the squares).
    """

    text: str
    named: int | None = None
    unnamed: int = 0
    etc: bool = False


def unit_rows(
    layout: charts.Layout,
    rows: list[UnitRow],
    *,
    color: str,
    legend: tuple[str, str, str],
    per_line: tuple[int, int] = (30, 20),
    text_units: int = 22,
):
    """A unit chart in rows: one square per counted thing, a line of text per group, under headings.

    For groups of things, each with how many the report names and how many more a total it
    gives counts (:class:`UnitRow`). Wide: the text in a column ``text_units`` squares wide,
    the squares to its right, ``per_line[0]`` to a line; narrow: the text above its squares,
    ``per_line[1]`` to a line. Square size, text width and figure height follow the rows.
    ``legend``: what a filled square, an outlined square and "…等" mean; only the marks drawn
    are listed, above the chart, the first with what a square stands for ("（一格一项）").

    Above :data:`charts.MAX_UNITS` squares in all, one square a thing is no longer countable
    (and the SVG grows by a path a square): each group is then one bar, named part filled and
    the rest outlined, all on one scale (the longest group fills a line), and the legend says
    that a bar's length is the count. Returns the figure.
    """
    side = not layout.narrow
    counted = [r.named + r.unnamed for r in rows if r.named is not None]
    bars = sum(counted) > charts.MAX_UNITS
    per_line = per_line[1] if layout.narrow else per_line[0]
    text_units = text_units if side else 0  # squares' worth of width for the text column
    unit = layout.width * 72 / (per_line + text_units + 1)  # pt per square
    room = (text_units if side else per_line) * unit  # pt across the text

    def chars(size):
        return int(room / layout.font(size)) - 1

    plan, y = [], 0.0  # (y of the line's top, wrapped text, row)
    for row in rows:
        head = row.named is None
        text = charts.wrap(row.text, chars(10.5 if head else 9))  # a heading is set larger
        plan.append((y, text, row))
        lines = (text.count("\n") + 1) * 1.25
        squares = 0 if head else 1 if bars else -(-(row.named + row.unnamed) // per_line)
        y += (max(lines, squares) if side else lines + squares) + (0.3 if head else 0.6)
    fig, ax = plt.subplots(figsize=(layout.width, y * unit / 72 + (1.2 if layout.narrow else 1.1)))
    for top, text, row in plan:
        head = row.named is None
        lines = text.count("\n") + 1
        ax.text(
            -text_units - 0.1,
            -top,
            text,
            va="top",
            ha="left",
            linespacing=1.15,
            color=style.INK if head else style.MUTED,
            fontsize=layout.font(10.5 if head else 9),
        )
        if head:
            continue
        origin = (0.0, -(top + 0.5 if side else top + lines * 1.25 + 0.5))
        if bars:
            x, yy = _count_bar(ax, row.named, row.unnamed, per_line / max(counted), origin, color), origin[1]
        else:
            charts.units(ax, row.named + row.unnamed, row.named, per_line, color=color, origin=origin)
            x, yy = charts.unit_center(row.named, per_line, origin=origin)
        if row.etc:
            ax.text(x - 0.5, yy, "…等", va="center", ha="left", fontsize=layout.font(9), color=style.MUTED)
    ax.set_xlim(-text_units - 0.2, per_line + 0.8)
    ax.set_ylim(-y, 0.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    groups = [r for r in rows if r.named is not None]
    marks = [
        (
            any(r.named for r in groups),
            dict(marker="s", markerfacecolor=color, markeredgecolor=style.mark_color(color), markersize=7),
        ),
        (
            any(r.unnamed for r in groups),
            dict(marker="s", markerfacecolor="white", markeredgecolor=style.MUTED, markersize=7),
        ),
        (any(r.etc for r in groups), None),  # the "…等" the rows end with, as text
    ]
    legend = (legend[0] + ("（条长为项数）" if bars else "（一格一项）"), *legend[1:])
    handles = [
        Line2D([], [], linestyle="", label=label, **mark) if mark else charts.TextMark("…等", style.MUTED, label)
        for (drawn, mark), label in zip(marks, legend)
        if drawn
    ]
    ax.legend(
        handles=handles,
        handler_map=charts.TEXT_MARKS,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=1 if layout.narrow else len(handles),
        fontsize=layout.font(8.5),
        handletextpad=0.3,
        columnspacing=1.2,
    )
    return fig


def _count_bar(ax, named: int, unnamed: int, scale: float, origin, color: str) -> float:
    """A group as one bar (too many things for squares): ``named`` filled, ``unnamed`` outlined,
    ``scale`` squares' width a thing, on the line of squares at ``origin``. Returns its right end."""
    x0, y0 = origin[0] + 0.07, origin[1] - 0.43
    ax.add_patch(Rectangle((x0, y0), named * scale, 0.86, facecolor=color, edgecolor=style.mark_color(color), lw=0.8))
    ax.add_patch(
        Rectangle((x0 + named * scale, y0), unnamed * scale, 0.86, facecolor="white", edgecolor=style.MUTED, lw=0.8)
    )
    return x0 + (named + unnamed) * scale + 0.5


def _part_whole_bar(layout, total: int, part: int, *, part_text: str, other_text: str, color: str):
    """A part of a whole as one bar on an axis from zero: the whole outlined, the part filled.

    What the unit forms draw above :data:`charts.MAX_UNITS` things: ``part_text`` above the
    bar at its start, in the part's colour; ``other_text`` (the whole, or the rest) under its end.
    """
    fig, ax = plt.subplots(figsize=(layout.width, 2.3 if layout.narrow else 1.9))
    ax.barh(0, total, height=0.5, facecolor="white", edgecolor=style.MUTED, linewidth=0.8)
    ax.barh(0, part, height=0.5, color=color, linewidth=0)
    size = layout.font(10)
    ax.text(0, 0.4, part_text.replace("\n", ""), ha="left", va="bottom", fontsize=size, color=style.text_color(color))
    ax.text(total, -0.4, other_text, ha="right", va="top", fontsize=size, color=style.INK)
    ax.set_xlim(0, total * 1.03)
    ax.set_ylim(-1.3, 1.3)
    ax.set_yticks([])
    ax.xaxis.get_major_locator().set_params(nbins=3 if layout.narrow else 6, integer=True)
    ax.tick_params(axis="x", labelsize=layout.font(9))
    ax.grid(axis="y", visible=False)
    ax.spines["left"].set_visible(False)
    return fig


# --- small multiples of figures with their own scales -------------------------------------


class ScaleRow(NamedTuple):
    """A row of :func:`scale_rows`: a figure as a bound bar, or (``names`` given) one square per thing.

    ``name``: what the row counts, with its unit. ``text``: the figure as the report prints it
    (``fmt_row``). Squares: ``value`` squares, the first ``len(names)`` named, the rest
    hatched with "？" (not named by the report); ``note`` follows ``text`` ("10个区（点名9个）").
    """

    name: str
    value: float
    qualifier: str
    text: str
    names: list[str] | None = None
    note: str = ""


def _own_scale(ax, layout, value, qualifier, text, color, *, label_share, nbins, height=0.6) -> None:
    """One bound bar on an axis of its own: no y axis, a few integer ticks."""
    xmax = charts.bound_xmax([value], [qualifier], label_share=label_share)
    charts.bound_bar(ax, 0, float(value), qualifier, xmax, text, height=height, fontsize=layout.font(10.5), color=color)
    ax.set_xlim(0, xmax)
    ax.xaxis.get_major_locator().set_params(nbins=nbins, integer=True)


def named_units(ax, layout, names: list[str], total: int, *, color: str, text: str = "") -> None:
    """``total`` squares in a line, the first ``len(names)`` filled and named, the rest hatched with "？".

    For a count of which the report names some (10 districts, 9 named). ``text`` goes after
    the squares (wide only: a phone has no room beside them).
    """
    named = len(names)
    charts.units(ax, total, named, total, color=color, empty="hatch", size=0.92)
    for k in range(total):
        x, y = charts.unit_center(k, total)
        ax.text(
            x,
            y,
            names[k] if k < named else "？",
            ha="center",
            va="center",
            fontsize=layout.font(8.5),
            color="white" if k < named else style.INK,
        )
    if text and not layout.narrow:
        ax.text(total * 1.02, 0, text, va="center", ha="left", fontsize=10.5, color=style.INK)
    ax.set_xlim(0, total * (1.0 if layout.narrow else 1.45))
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)


def scale_rows(
    layout: charts.Layout, rows: list[ScaleRow], *, color: str, row_height: tuple[float, float] = (1.12, 1.68)
):
    """Figures that share no unit, one row each on its own scale (never compare bar lengths across rows).

    For a handful of headline figures in different units (家, 个, 名, 亿元). Each row is a
    :func:`charts.bound_bar` (the qualifier marked at the bar's end) or :func:`named_units`.
    Wide: the row's name at its left; narrow: above its bar (with the squares' text).
    ``row_height``: inches per row, (wide, narrow). Returns the figure.
    """
    height = round(len(rows) * row_height[1 if layout.narrow else 0], 6)
    fig, axes = plt.subplots(len(rows), 1, figsize=(layout.width, height), squeeze=False)
    for ax, row in zip(axes[:, 0], rows):
        if row.names is not None:
            named_units(ax, layout, row.names, int(row.value), color=color, text=f"{row.text}（{row.note}）")
        else:
            _own_scale(
                ax,
                layout,
                row.value,
                row.qualifier,
                row.text,
                color,
                label_share=0.3 if layout.narrow else 0.25,
                nbins=3 if layout.narrow else 5,
            )
        ax.set_ylim(-0.55, 0.55)
        if layout.narrow:
            title = row.name + (f"：{row.text}，{row.note}" if row.names is not None else "")
            ax.set_title(charts.wrap(title, layout.chars(10)), loc="left", fontsize=layout.font(10), pad=3)
            ax.set_yticks([])
        else:
            ax.set_yticks([0], [charts.wrap(row.name, 9)])
        ax.tick_params(axis="y", length=0, labelsize=10, labelcolor=style.INK)
        ax.tick_params(axis="x", labelsize=layout.font(8.5))
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
    return fig


def scale_panels(layout: charts.Layout, panels, *, color: str, columns: int = 2, panel_height=(1.7, 1.55)):
    """Figures of different kinds, one panel each with its title and its own scale.

    ``panels``: ``(title, value, qualifier, text)``; ``text`` is the figure as the report
    prints it, drawn after its :func:`charts.bound_bar`. Wide: ``columns`` panels to a row;
    narrow: one under another. ``panel_height``: inches per row of panels, (wide, narrow).
    Returns the figure.
    """
    panels = list(panels)
    grid = (len(panels), 1) if layout.narrow else (-(-len(panels) // columns), columns)
    height = round(grid[0] * panel_height[1 if layout.narrow else 0], 6)
    fig, axes = plt.subplots(*grid, figsize=(layout.width, height), squeeze=False)
    for ax, (title, value, qualifier, text) in zip(axes.ravel(), panels):
        _own_scale(
            ax, layout, value, qualifier, text, color, label_share=0.32, nbins=3 if layout.narrow else 4, height=0.55
        )
        ax.set_yticks([])
        ax.set_ylim(0.6, -0.6)
        share = 0.9 if layout.narrow else 0.9 / columns
        ax.set_title(charts.wrap(title, layout.chars(11, share)), loc="left", fontsize=layout.font(11))
        ax.tick_params(axis="x", labelsize=layout.font(8.5))
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
    for ax in axes.ravel()[len(panels) :]:  # a grid's empty cells
        ax.remove()
    return fig


# --- a chain of stages -------------------------------------------------------------------


def chain(layout: charts.Layout, stages, unplaced, *, color: str, tint: str, unplaced_head: str):
    """The stages of a chain, left to right with arrows between them, each with its items under it.

    For items placed in the stages of a chain (an industry chain: chips, processes, equipment),
    and items the source places in no stage. ``stages``: ``(stage name, [item text])`` in
    the chain's order; ``unplaced``: item texts, in a row under the chain, headed
    ``unplaced_head``. An item's text may break lines with ``\n`` for the wide boxes (a phone
    joins them); a line longer than its box wraps. Stage boxes in ``color``, their items' boxes
    in ``tint`` (a light shade of it), unplaced items in grey.

    Every box is sized to its text (:func:`charts.card_text`: a fixed width, the height of its
    lines and a margin all round), and boxes are stacked in points from the top of the axes, so
    no label touches its box's edge nor one box another, whatever the figure's final height.
    Wide: one column a stage, the columns as long as their items; narrow: one box under another,
    the items indented under their stage. The figure's height follows the longest column.
    Returns ``(fig, ax)``, axes off.
    """
    stages = [(name, list(texts)) for name, texts in stages]
    unplaced = list(unplaced)
    head, body = layout.font(11.5), layout.font(10)
    gap = 0.6 * body  # pt between boxes
    fig, ax = plt.subplots(figsize=(layout.width, 2.0))
    charts.bare(ax)
    width = layout.width * style.PT_PER_IN * 0.97  # the axes' width in pt (axes off: little margin)
    stack = charts.CardStack(ax, gap=gap)
    if layout.narrow:
        full, inset = 1.0, 0.07
        for k, (name, texts) in enumerate(stages):
            stack.card(0.5, ("↓ " if k else "") + name, head, width * full, color, color, "white")
            for text in texts:
                stack.card(
                    0.5 + inset / 2, text.replace("\n", ""), body, width * (full - inset), tint, color, style.INK
                )
        stack.words(0.0, unplaced_head, body, style.MUTED)
        for text in unplaced:
            stack.card(0.5, text.replace("\n", ""), body, width * full, "#F2F2F2", style.GREY, style.INK)
    else:
        n = len(stages)
        column = width / n
        tops, columns = [], [stack.branch() for _ in stages]
        for i, ((name, texts), col) in enumerate(zip(stages, columns)):  # the chain: the stages, arrows between
            x = (i + 0.5) / n
            col.card(x, name, head, column * 0.88, color, color, "white")
            tops.append(col.last_middle)
            for text in texts:
                col.card(x, text, body, column * 0.8, tint, color, style.INK)
        for col in columns:
            stack.join(col)
        for i in range(n - 1):
            stack.arrow((i + 0.94) / n, (i + 1.06) / n, tops[i])
        stack.words(0.0, unplaced_head, body, style.MUTED, space=1.5 * gap)
        row = stack.branch()
        share = 1 / max(len(unplaced), 1)
        for j, text in enumerate(unplaced):
            cell = stack.branch()
            cell.card((j + 0.5) * share, text, body, width * share * 0.94, "#F2F2F2", style.GREY, style.INK)
            row.join(cell)
        stack.join(row)
    fig.set_figheight(stack.bottom / style.PT_PER_IN + (1.2 if layout.narrow else 1.0))
    return fig, ax


# --- timelines of months -----------------------------------------------------------------


def month_rows(layout: charts.Layout, names: list[str], events: pd.DataFrame, *, kinds: dict):
    """Rows of things on an axis of months; each event a band over its whole month.

    For events dated to the month only (never a made-up day), several to a thing: a drug's
    approvals. ``names``: one per row, top to bottom. ``events``: one row per event with
    ``row`` (0-based), ``month`` (Period), ``kind``, ``text`` (a short word written in the
    band, e.g. the regulator, or empty) and ``thread`` (events of one thread, on one row, are
    joined by a dotted line: a follow-up to its first event). ``kinds``: ``{kind: (colour,
    meaning)}`` in the legend's order; only the kinds drawn are listed. Wide: the names on
    the y axis, the words in the bands; narrow (a band is too short for words): each row's
    name, then its bands' words in month order, on a line above its bands, the months
    labelled every third. Returns the figure.
    """
    first, last = charts.month_span(events["month"])
    words = {
        row: "、".join(t for t in g.sort_values("month", kind="stable")["text"] if isinstance(t, str))
        for row, g in events.groupby("row")
    }
    chars = layout.chars(8.5, 0.85)
    lines_of = [charts.wrap(n + (f"　{words[k]}" if words.get(k) else ""), chars) for k, n in enumerate(names)]
    lines = max(n.count("\n") + 1 for n in lines_of)
    step = 1.2 + 0.45 * lines if layout.narrow else 1.0
    fig, ax = plt.subplots(figsize=layout.size(max(4.6, 0.4 * len(names) + 1.2), 1.0 + 0.5 * len(names) + 2.0))
    for _, e in events.iterrows():
        y = e["row"] * step
        band = kinds[e["kind"]][0]
        charts.month_band(ax, y, e["month"], band, height=0.62)
        if isinstance(e["text"], str) and not layout.narrow:
            ax.text(
                charts.month_middle(e["month"]),
                y,
                e["text"],
                ha="center",
                va="center",
                fontsize=layout.font(7.5),
                color="white" if style.contrast(band) >= style.TEXT_CONTRAST else style.INK,
            )
    for _, thread in events.groupby("thread"):  # a follow-up is joined to its first event
        if len(thread) > 1:
            y = thread["row"].iloc[0] * step
            ax.plot(
                [thread["month"].min().end_time, thread["month"].max().start_time],
                [y, y],
                color=style.MUTED,
                lw=1,
                ls=":",
            )
    if layout.narrow:
        for k, text in enumerate(lines_of):
            ax.text(
                first.start_time,
                k * step - 0.4,
                text,
                ha="left",
                va="bottom",
                fontsize=layout.font(8.5),
                color=style.INK,
                linespacing=1.1,
            )
        ax.set_yticks([])
    else:
        wrapped = [charts.wrap(n, layout.chars(9, 0.3)) for n in names]  # a narrower name column: wider months
        ax.set_yticks([k * step for k in range(len(names))], wrapped, fontsize=layout.font(9), linespacing=1.1)
    ax.set_ylim((len(names) - 1) * step + 0.5, -0.5 - (0.45 * lines + 0.3 if layout.narrow else 0))
    charts.month_axis(ax, first, last, fontsize=layout.font(9.5), every=3 if layout.narrow else 1)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="both", length=0)
    drawn = set(events["kind"])
    ax.legend(
        handles=[Patch(color=c, label=text) for k, (c, text) in kinds.items() if k in drawn],
        loc="upper left",
        bbox_to_anchor=(0.0, -0.08),
        ncol=1 if layout.narrow else 3,
        fontsize=layout.font(8.5),
        bbox_transform=charts.figure_x(fig, ax),
    )
    return fig


def dated_events(layout: charts.Layout, events: pd.DataFrame, *, groups: dict, first: pd.Period, last: pd.Period):
    """One event a row on an axis of months: a dot on its day, or a band over its month.

    For events of which some are dated to the day and some to the month only (the band says
    so; no day is made up). ``events``: top to bottom, with ``label``, ``date`` (NaT when
    only the month is known), ``month`` (Period) and ``group``. ``groups``: ``{group:
    (colour, name)}``. The axis runs from month ``first`` to ``last`` (every third labelled on
    a phone). The legend has one entry per group and kind of mark drawn, each the mark itself.
    Returns the figure.
    """
    n = len(events)
    fig, ax = plt.subplots(figsize=layout.size(0.32 * n + 1.2, 0.3 * n + 2.6))
    for y, (_, event) in enumerate(events.iterrows()):
        color = groups[event["group"]][0]
        if pd.isna(event["date"]):
            charts.month_band(ax, y, event["month"], color, height=0.55)
        else:
            ax.plot(event["date"], y, "o", color=color, markersize=7)
    ax.set_yticks(range(n), [charts.wrap(t, layout.chars(9, 0.5)) for t in events["label"]], fontsize=layout.font(9))
    ax.invert_yaxis()
    charts.month_axis(ax, first, last, fontsize=layout.font(9), pad_days=0, every=3 if layout.narrow else 1)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    # one legend entry per mark drawn: the group's colour in the mark its events have (a dot for a
    # day, a band for a month), so every swatch is something on the chart
    handles = []
    for (group, dated), _ in events.groupby(["group", events["date"].notna()]):
        color, name = groups[group]
        mark = (
            plt.Line2D([], [], marker="o", linestyle="", markersize=7, color=color)
            if dated
            else plt.Rectangle((0, 0), 1, 1, color=color)
        )
        mark.set_label(
            charts.wrap(
                f"{name}：" + ("日期精确到日（圆点）" if dated else "只知月份（整月色带）"), layout.chars(9, 0.85)
            )
        )
        handles.append(mark)
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.04),
        ncol=1,
        fontsize=layout.font(9),
        bbox_transform=charts.figure_x(fig, ax),
    )
    return fig


# --- a part of a whole, in unit squares ----------------------------------------------------


def part_whole_columns(
    layout: charts.Layout, total: int, part: int, *, whole_text: str, part_text: str, color: str, per_column: int = 10
):
    """``total`` squares in columns of ``per_column``, the first ``part`` filled: a part of a whole.

    For a count and the part of it that is of one kind (drug approvals, of which production
    approvals). The labels stand above the grid: wide, ``part_text`` at the left with a line
    to the first square and ``whole_text`` at the right; narrow, the whole over the part.
    The figure's height follows the grid (squares stay square). Above :data:`charts.MAX_UNITS`
    squares: one bar, the part filled (see :func:`_part_whole_bar`). Returns the figure.
    """
    if total > charts.MAX_UNITS:
        return _part_whole_bar(layout, total, part, part_text=part_text, other_text=whole_text, color=color)
    cols = -(-total // per_column)
    rows = per_column + (3.8 if layout.narrow else 2.6)  # the grid and the labels over it, in squares
    height = layout.width * 0.95 * rows / (cols + 0.5) + (1.8 if layout.narrow else 1.2)
    fig, ax = plt.subplots(figsize=(layout.width, height))
    charts.units(
        ax, total, part, per_column, color=color, order="columns", empty="outline", origin=(0, per_column - 0.5)
    )
    head = per_column + 1.3
    if layout.narrow:  # the two labels stacked above the squares
        ax.text(0, head + 1.2, whole_text, fontsize=layout.font(10), color=style.INK, ha="left", va="center")
        ax.text(0, head, part_text, fontsize=layout.font(10.5), color=color, ha="left", va="center")
    else:
        ax.annotate(
            part_text,
            xy=(0.9, per_column + 0.05),
            xytext=(0, head),
            fontsize=10.5,
            color=color,
            ha="left",
            va="center",
            arrowprops=dict(arrowstyle="-", color=color, lw=1),
        )
        ax.text(cols - 0.2, head, whole_text, fontsize=10, color=style.INK, ha="right", va="center")
    ax.set_xlim(-0.3, cols + 0.2)
    ax.set_ylim(-0.4, head + (2.4 if layout.narrow else 1.1))
    ax.set_aspect("equal")
    charts.bare(ax)
    return fig


def part_whole_rows(
    layout: charts.Layout,
    total: int,
    part: int,
    *,
    part_text: str,
    rest_text: str,
    color: str,
    per_row: tuple[int, int] = (10, 8),
):
    """``total`` squares in rows of ``per_row`` (wide, narrow), the first ``part`` filled: a part of a whole.

    For a whole of countable things and the part one maker made (satellites). Wide: beside
    the grid, ``part_text`` at the first row (its ``\n`` kept) and ``rest_text`` at the last;
    narrow: ``part_text`` on one line above the grid, ``rest_text`` beside its first row,
    wrapped. The part's words are in its colour (as text: 4.5:1). Above :data:`charts.MAX_UNITS`
    squares: one bar, the part filled (see :func:`_part_whole_bar`). Returns the figure.
    """
    if total > charts.MAX_UNITS:
        return _part_whole_bar(layout, total, part, part_text=part_text, other_text=rest_text, color=color)
    cols = per_row[1] if layout.narrow else per_row[0]
    rows = -(-total // cols)
    fig, ax = plt.subplots(figsize=(layout.width, 0.36 * rows + (1.6 if layout.narrow else 1.5)))
    charts.units(ax, total, part, cols, color=color, empty="outline")  # the rest: outlined, not a light grey
    ink = style.text_color(color)
    if layout.narrow:  # the labels above the grid
        ax.text(
            cols + 0.3,
            -0.0,
            charts.wrap(rest_text, 2),
            ha="left",
            va="top",
            fontsize=layout.font(10),
            color=style.MUTED,
        )
        ax.text(0, 0.55, part_text.replace("\n", ""), ha="left", va="bottom", fontsize=layout.font(10), color=ink)
        ax.set_xlim(-0.2, cols + 2.6)
        ax.set_ylim(-rows + 0.3, 1.6)
    else:
        ax.text(cols + 0.4, 0.0, part_text, ha="left", va="center", fontsize=10, color=ink)
        ax.text(cols + 0.4, -(rows - 1), rest_text, ha="left", va="center", fontsize=10, color=style.MUTED)
        ax.set_xlim(-0.2, cols + 5.2)
        ax.set_ylim(-rows + 0.3, 0.7)
    ax.set_aspect("equal")
    charts.bare(ax)
    return fig


# --- dated events with cards ---------------------------------------------------------------


def date_cards(
    layout: charts.Layout,
    cards: list[dict],
    *,
    color: str,
    first: pd.Period,
    last: pd.Period,
    placement: dict | None = None,
    ylim: tuple[float, float] = (-1.0, 1.0),
    height: float = 5.0,
    body_chars: int = 21,
):
    """Dated events, each with a card of text: a time line (wide) or a list down the page (narrow).

    ``cards``: dicts with ``key``, ``date``, ``head`` (one line) and ``body`` (lines of text),
    and ``muted`` when the body says what the report does not give. Wide: a horizontal line
    from month ``first`` to ``last``, a dot at each date and the card at
    ``placement[key] = (y of the card's top, "left"|"right")`` within ``ylim`` (by default
    alternately above and below). Narrow: one card under another, date first, nothing to
    place. Returns ``(fig, ax)``.
    """
    color = style.mark_color(color)  # dots and stems: 3:1 on white
    head_size, body_size = layout.font(10.5), layout.font(8.5)
    if layout.narrow:
        chars = layout.chars(body_size, 0.88)
        blocks = [(c, charts.wrap("\n".join(c["body"]), chars)) for c in cards]
        line = body_size * 1.4 / 72  # inches per body line
        total = sum(1.6 + b.count("\n") + 1 + 0.8 for _, b in blocks)
        fig, ax = plt.subplots(figsize=(layout.width, total * line + 1.4))
        y = 0.0
        ax.plot([0.012, 0.012], [-0.8, -(total - 0.8)], color=style.MUTED, lw=1, zorder=1)
        for c, body in blocks:
            ax.plot(0.012, -(y + 0.8), "o", color=color, markersize=7, zorder=3)
            ax.text(
                0.05,
                -(y + 0.8),
                f"{charts.date_label(c['date'])}  {c['head']}",
                ha="left",
                va="center",
                fontsize=head_size,
                color=style.INK,
            )
            ax.text(
                0.05,
                -(y + 1.6),
                body,
                ha="left",
                va="top",
                fontsize=body_size,
                linespacing=1.35,
                color=style.MUTED if c.get("muted") else style.INK,
            )
            y += 1.6 + body.count("\n") + 1 + 0.8
        ax.set_xlim(0, 1)
        ax.set_ylim(-total, 0)
        ax.set_axis_off()
        return fig, ax
    fig, ax = plt.subplots(figsize=(layout.width, height))
    ax.set_ylim(*ylim)
    charts.month_axis(ax, first, last, fontsize=layout.font(8.5), on_line=0, pad_days=5)
    ax.axhline(0, color=style.MUTED, lw=1, zorder=1)
    span = ylim[1] - ylim[0]
    for k, c in enumerate(cards):
        top, side = (placement or {}).get(
            c["key"], (ylim[1] * 0.95 if k % 2 == 0 else -0.1 * span, "left" if k < len(cards) / 2 else "right")
        )
        ax.plot([c["date"], c["date"]], [0, top], color=color, lw=1, zorder=1)
        ax.plot(c["date"], 0, "o", color=color, markersize=8, zorder=3)
        dx = pd.Timedelta(days=2 if side == "left" else -2)
        ax.annotate(
            f"{charts.date_label(c['date'])}  {c['head']}",
            (c["date"] + dx, top),
            ha=side,
            va="top",
            fontsize=head_size,
            color=style.INK,
        )
        ax.annotate(
            "\n".join(charts.wrap(b, body_chars) for b in c["body"]),
            (c["date"] + dx, top),
            xytext=(0, -17),
            textcoords="offset points",
            ha=side,
            va="top",
            fontsize=body_size,
            linespacing=1.35,
            multialignment="left",
            color=style.MUTED if c.get("muted") else style.INK,
        )
    ax.set_axis_off()
    return fig, ax


# --- a map with callouts -----------------------------------------------------------------


def callout_map(
    layout: charts.Layout,
    *,
    fill: dict,
    labels: dict,
    callouts: dict,
    edge: str,
    boxes: dict | None = None,
    at: dict | None = None,
    offsets: dict | None = None,
    lead: dict | None = None,
    size: tuple[float, float] = (6.4, 5.0),
    base: str = "#EEEEEE",
    fill_edge: str | None = None,
    label_size: float = 8.5,
    label_color: str | None = None,
    callout_size: float = 9,
    room: tuple[float, float] = (0.0, 0.0),
    reach: tuple[float, float] | None = None,
    swatches: list[tuple[str, str]] | None = None,
    callout_label: str | None = None,
):
    """Shanghai's districts, some filled, with text for some of them (see :func:`maps.draw_callouts`).

    For facts placed in districts: which districts hold something (``fill``: district id ->
    colour) and what the report says of some of them (``callouts``: district id -> lines, in
    the order a phone numbers them). ``labels``: district id -> name; on a phone the callout
    districts' names get their numbers (:func:`maps.numbered`) and labels that would overlap
    a larger district's are left out.

    Wide: each district's ``boxes`` (default ``callouts``) in a box at ``at[district]``
    (lon, lat) or at ``offsets[district]`` (dlon, dlat) from its label point, joined to it;
    the map's x range is widened to ``reach`` (lon, lon) if given, then by ``room`` (degrees
    west, east): room for the boxes. Narrow: a numbered list under the map, ``lead[district]``
    before each entry. ``edge``: the boxes' edge; ``base``, ``fill_edge``, ``label_size``,
    ``label_color``: as :func:`maps.draw_districts`. ``swatches``: ``[(colour, meaning)]``
    for a legend, to which ``callout_label`` (what the boxes are) adds a box mark (wide) or
    the numbers' meaning (narrow). ``size``: (wide height, narrow height) in inches.
    Returns ``(fig, ax)``.
    """
    fig, ax = plt.subplots(figsize=layout.size(*size))
    label_kw = {"fontsize": layout.font(label_size), **({"color": label_color} if label_color else {})}
    points = maps.draw_districts(
        ax,
        fill=fill,
        labels=maps.numbered(labels, callouts, layout.narrow),
        base=base,
        fill_edge=fill_edge,
        label_kw=label_kw,
        optional=set(labels) - set(fill),  # a grey district's name gives way where no place is free
    )
    if not layout.narrow:
        x0, x1 = ax.get_xlim()
        if reach:
            x0, x1 = min(x0, reach[0]), max(x1, reach[1])
        ax.set_xlim(x0 - room[0], x1 + room[1])
    if offsets is not None:
        at = {d: (points[d][0] + dx, points[d][1] + dy) for d, (dx, dy) in offsets.items()}
    shown = callouts if layout.narrow else (boxes or callouts)
    maps.draw_callouts(ax, points, shown, layout, at=at, edge=edge, fontsize=callout_size, lead=lead)
    if swatches or callout_label:
        handles = [Rectangle((0, 0), 1, 1, facecolor=c, label=text) for c, text in swatches or []]
        if callout_label and not layout.narrow:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="s",
                    linestyle="",
                    markerfacecolor="white",
                    markeredgecolor=edge,
                    markersize=9,
                    label=callout_label,
                )
            )
        elif callout_label:
            handles.append(Line2D([], [], linestyle="", label=f"1–{len(callouts)}：{callout_label}所在的区（见图下）"))
        for h in handles:
            h.set_label(charts.wrap(h.get_label(), layout.chars(8.5, 0.7)))
        ax.legend(
            handles=handles,
            loc="lower left",
            fontsize=layout.font(8.5),
            bbox_to_anchor=(0.0, 1.0 if layout.narrow else 0.0),
        )
    return fig, ax
