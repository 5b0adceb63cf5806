"""The data package itself: standard-valid, loadable, typed, and faithful to the report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from techreport.data import documentation_problems, load_table, package, table_names

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
    problems = documentation_problems(resource)
    assert not problems, "\n".join(map(str, problems))


def test_an_undocumented_resource_is_told_what_to_add():
    described = {"name": "ai_tracks", "type": "table", "path": "ai_tracks.csv", "schema": {"fields": [{"name": "id"}]}}
    problems = documentation_problems(described)
    assert {(p.column, p.expected.split(":")[0]) for p in problems} == {
        (None, "'title'"),
        (None, "'description'"),
        (None, "'sources'"),
        ("id", "'type'"),
        ("id", "'title'"),
        ("id", "'description'"),
        (None, '"primaryKey"'),
    }
    assert all(p.file.endswith("data/datapackage.json") and "CONTRIBUTING.md" in p.hint for p in problems)


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


def test_every_section_of_the_report_has_its_figures():
    assert set(load_table("indicators")["section"]) == set(load_table("sections")["id"])


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
