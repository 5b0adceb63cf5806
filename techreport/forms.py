"""Chart forms: whole figures of one shape, drawn for a :class:`~techreport.charts.Layout`.

A page's cell says what is drawn (which rows, what is counted, what the words say); a form
here does the drawing: the layout arithmetic, the wide and the narrow (phone) arrangement,
the boxes, callouts and unit rows, and the legend built from what it drew. The marks a form
uses (a bound bar, unit squares, a month band, a card) are in :mod:`techreport.charts`. A
form draws no chart title and no source line: the page adds them with :func:`charts.title`
and :func:`style.add_source`, since they say what the figure shows.

* :func:`link_columns` - three columns joined by lines: groups, their items, the targets each
  item leads to (a link diagram; a phone gets an indented list).
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from . import charts, style

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
            fontsize=12,
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
            fontsize=9,
            color=style.INK,
            linespacing=1.2,
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec=style.GREY, lw=0.8),
            zorder=2,
        )
    for target in dict.fromkeys(t for _, t, _ in links):
        ax.text(x_target, y_target[target], target, ha="left", va="center", fontsize=9.5, color=style.INK)
    for key in unlinked:
        ax.text(x_target, y_target[("none", key)], placeholder, ha="left", va="center", fontsize=9, color=style.MUTED)
    for x, head, ha in zip((x_group, x_item, x_target), heads, ("right", "center", "left")):
        ax.text(x, -1.1, head, ha=ha, va="center", fontsize=9, color=style.MUTED)
    ax.set_xlim(-0.75, 3.35)
    ax.set_ylim(bottom, -1.6)
    return fig, ax


def _links_narrow(layout, items, links, targets_of, heads, placeholder, color):
    size = layout.font(9)
    rows = []  # (indent, text, line style or None, colour)
    for group in dict.fromkeys(g for g, _, _ in items):
        rows.append((0, group, None, style.INK))
        for _, key, text in (i for i in items if i[0] == group):
            rows.append((1, text.replace("\n", "，"), None, style.INK))
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
