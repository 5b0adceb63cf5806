"""The data package itself: standard-valid, loadable, typed, and faithful to the report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from techreport.data import load_table, package, table_names
from techreport.present import fmt_row

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "source" / "chapter-2.txt"  # the report's text, kept in the repository


def test_frictionless_validates_the_package():
    cli = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(cli), "validate", "--json", "data/datapackage.json"], cwd=ROOT, capture_output=True, text=True
    )
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report, ensure_ascii=False, indent=1)[:3000]


def test_every_csv_is_described_and_every_resource_exists():
    described = {r["path"] for r in package()["resources"]}
    on_disk = {p.name for p in (ROOT / "data").iterdir() if p.suffix in {".csv", ".geojson"}}
    assert on_disk == described


@pytest.mark.parametrize("resource", package()["resources"], ids=lambda r: r["name"])
def test_resources_and_fields_are_documented(resource):
    assert resource.get("title") and resource.get("description") and resource.get("sources")
    for field in resource.get("schema", {}).get("fields", []):
        assert field.get("type") and field.get("title") and field.get("description"), field["name"]


@pytest.mark.parametrize("name", table_names())
def test_every_table_loads_typed(name):
    frame = load_table(name)
    assert len(frame) > 0
    fields = {
        f["name"]: f["type"] for f in next(r for r in package()["resources"] if r["name"] == name)["schema"]["fields"]
    }
    expected = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}
    for column, kind in fields.items():
        if kind in expected:
            assert str(frame[column].dtype).startswith(expected[kind]), (column, frame[column].dtype)


def test_indicators_cover_each_section_and_keep_qualifiers():
    ind = load_table("indicators").set_index("id")
    assert set(ind["section"]) == {"2.1", "2.2", "2.3"}
    # the report's qualified figures, as printed
    assert fmt_row(ind.loc["platforms_count"]) == "20余家"
    assert fmt_row(ind.loc["platforms_talent"]) == "超过2000名"
    assert fmt_row(ind.loc["platforms_revenue"]) == "超过15.5亿元"
    assert fmt_row(ind.loc["platforms_leverage"]) == "近100亿元"
    assert fmt_row(ind.loc["aero_cz5b_payload"]) == "近22吨"
    assert fmt_row(ind.loc["biomed_mri_field"]) == "3.0T"
    assert fmt_row(ind.loc["aero_beidou_country_rank"]) == "第3个"


def test_printed_precision_never_changes_a_value():
    """``decimals`` only keeps the report's precision (3.0T): formatting must not round a value."""
    ind = load_table("indicators")
    for _, row in ind.iterrows():
        shown = f"{row['value']:.{row['decimals']}f}"
        assert float(shown) == row["value"], f"{row['id']}: {row['value']} would be shown as {shown}"


def _source_numbers() -> set[str]:
    """Every Arabic number printed in the source chapter (section headings excluded)."""
    text = SOURCE.read_text(encoding="utf-8")
    text = re.sub(r"^\s*2(\.\d)?\s.*$", "", text, flags=re.M)  # "2.1 深入实施…" headings
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def test_every_number_of_the_source_is_in_the_data():
    """Each number the report prints appears somewhere in data/ (values, dates, names or notes)."""
    blob = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "data").glob("*.csv"))
    values = {f"{v:g}" for v in load_table("indicators")["value"]}
    missing = sorted(n for n in _source_numbers() if n not in blob and f"{float(n):g}" not in values)
    assert not missing, f"numbers in the report that data/ does not hold: {missing}"


def test_milestone_dates_agree_with_months():
    ms = load_table("milestones")
    dated = ms.dropna(subset=["date"])
    assert (dated["date"].dt.to_period("M") == dated["month"]).all()
    assert (ms["month"].dt.year == 2020).all()


def test_biomedicine_has_eight_headline_milestones_march_to_december():
    ms = load_table("milestones")
    headline = ms[(ms["topic"] == "biomed") & ms["parent_id"].isna()]
    assert len(headline) == 8
    assert str(headline["month"].min()) == "2020-03" and str(headline["month"].max()) == "2020-12"
    assert headline["date"].isna().all(), "the report gives months only for biomedicine"
