"""Section 2.2 (key fields): the data holds what the report lists, and the pages show it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import notebook_text

from techreport.data import load_table
from techreport.present import fmt_row

BOOK = Path(__file__).resolve().parent.parent / "book" / "2-2-key-fields"
PAGES = ["index", "materials", "aerospace", "marine"]


def stored_text(page: str) -> str:
    return notebook_text(BOOK / f"{page}.ipynb")


def test_a_material_result_keeps_its_figure_out_of_its_text_and_no_class_becomes_a_length():
    results = load_table("material_results")
    assert not results["result_zh"].str.contains(r"\d|八英寸", regex=True).any(), "a figure lives in indicators"
    # "公里级" is a class: no indicator may turn it into a length
    assert not load_table("indicators")["unit_en"].str.contains("km|kilomet", case=False).any()
    # the report names no field of application for the cable
    assert "hts-cable" not in set(load_table("material_applications")["result_id"])


def test_a_mission_without_a_shanghai_role_in_the_report_gets_none():
    assert "as-change5-launch" not in set(load_table("milestone_roles")["milestone_id"])


def test_every_ship_date_says_how_it_was_read_and_each_figure_belongs_to_one_milestone():
    ships = load_table("ships").merge(load_table("milestones"), left_on="milestone_id", right_on="id")
    assert ships["note_y"].str.contains("本书读法").all()
    assert not load_table("milestone_figures").duplicated("indicator_id").any()


def test_programmes():
    prog = load_table("field_programmes").set_index("id")
    assert {"marine-innovation-centre", "marine-seafloor-network", "marine-platform"} <= set(prog.index)
    assert prog.loc["aero-airliner", "heading_quote"] == "国产大飞机加快规模化与产业化"  # a heading with no text


@pytest.mark.parametrize("topic", ["materials", "aerospace", "marine"])
def test_every_indicator_shown(topic):
    ind = load_table("indicators")
    text = stored_text(topic) + stored_text("index")
    for _, row in ind[ind["topic"] == topic].iterrows():
        assert fmt_row(row) in text, f"{row['id']} ({fmt_row(row)}) is not shown on the 2.2 pages"
