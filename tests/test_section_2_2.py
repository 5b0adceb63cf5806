"""Section 2.2 (key fields): the data holds what the report lists, and the pages show it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import notebook_text

from techreport.data import load_table
from techreport.present import fmt_row

BOOK = Path(__file__).resolve().parent.parent / "book" / "2-2-key-fields"
PAGES = ["index", "materials", "aerospace", "marine"]


def stored_text(page: str) -> str:
    return notebook_text(BOOK / f"{page}.ipynb")


def test_material_results_as_listed():
    results = load_table("material_results")
    assert results.groupby("material").size().to_dict() == {"graphene": 3, "superconductor": 2, "carbon_fibre": 2}
    ind = load_table("indicators").set_index("id")
    figures = {r: fmt_row(ind.loc[i]) for r, i in zip(results["id"], results["indicator_id"]) if pd.notna(i)}
    assert figures == {
        "graphene-wafer-ge": "8英寸",
        "graphene-wafer-sapphire": "8英寸",
        "hts-cable": "35千伏",
        "snspd": "98%",
    }
    spec = results.set_index("id")["spec_zh"]
    assert "公里级" in spec["hts-cable"] and "EN45545-2 R1" in spec["fr-prepreg"] and "HL3" in spec["fr-prepreg"]
    # "公里级" is a class: no indicator may turn it into a length
    assert not ind["unit_en"].str.contains("km|kilomet", case=False).any()


def test_numbers_not_duplicated_in_result_text():
    results = load_table("material_results")
    assert not results["result_zh"].str.contains(r"\d|八英寸", regex=True).any()


def test_application_fields():
    apps = load_table("material_applications")
    named = set(apps["field_zh"])
    for field in [
        "光催化",
        "生物医学检测",
        "传感器",
        "光量子计算",
        "光纤量子密钥分发",
        "自由空间量子密钥分发",
        "光量子存储",
        "轨道交通",
        "油田钻采工程",
        "电子学",
    ]:
        assert field in named
    assert "hts-cable" not in set(apps["result_id"])  # the report names no field for the cable


def test_missions_and_shanghai_roles():
    ms = load_table("milestones")
    aero = ms[ms["topic"] == "aerospace"].sort_values("date")
    assert [d.strftime("%m-%d") for d in aero["date"]] == ["05-05", "07-23", "07-31", "11-24"]
    roles = load_table("milestone_roles")
    assert "as-change5-launch" not in set(roles["milestone_id"])  # not filled in
    ind = load_table("indicators").set_index("id")
    assert fmt_row(ind.loc["aero_cz5b_payload"]) == "近22吨"
    assert (ind.loc["aero_beidou_shanghai", "value"], ind.loc["aero_beidou_satellites", "value"]) == (12, 30)


def test_ships():
    ships = load_table("ships").merge(load_table("milestones"), left_on="milestone_id", right_on="id")
    assert sorted(d.strftime("%m-%d") for d in ships["date"]) == ["04-30", "08-31", "09-22"]
    assert ships["note_y"].str.contains("本书读法").all()
    figs = load_table("milestone_figures")
    assert set(figs.loc[figs["milestone_id"] == "mr-lng-bunker", "indicator_id"]) == {
        "marine_lng_capacity",
        "marine_lng_served_ship",
        "marine_lng_range",
    }
    assert not figs.duplicated("indicator_id").any()


def test_programmes():
    prog = load_table("field_programmes").set_index("id")
    assert {"marine-innovation-centre", "marine-seafloor-network", "marine-platform"} <= set(prog.index)
    assert (
        prog.loc["aero-airliner", "heading_quote"] == "国产大飞机加快规模化与产业化"
    )  # the sub-heading with no text under it


@pytest.mark.parametrize("topic", ["materials", "aerospace", "marine"])
def test_every_indicator_shown(topic):
    ind = load_table("indicators")
    text = stored_text(topic) + stored_text("index")
    for _, row in ind[ind["topic"] == topic].iterrows():
        assert fmt_row(row) in text, f"{row['id']} ({fmt_row(row)}) is not shown on the 2.2 pages"
