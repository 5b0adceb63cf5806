"""Section 2.1 (three fields): its data tables hold what the report lists, and its pages show it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import notebook_text

from techreport.data import DataError, load_table
from techreport.present import fmt_row

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "book" / "2-1-three-fields" / f"{n}.ipynb" for n in ("index", "ic", "ai", "biomed")]


def test_ic_items_are_placed_on_no_stage_and_the_ic_paragraph_has_no_numbers():
    """The report names the IC items without a stage of any chain (the data has no such column), and gives no IC figure."""
    assert not any("stage" in column for column in load_table("ic_focus").columns)
    assert (load_table("indicators")["topic"] == "ic").sum() == 0


def test_an_ai_group_names_as_many_items_as_its_listing_says():
    """``listing``: all named (as many as the report's total, where it gives one), some named
    (fewer than the total: the list ends in 等), open (some named, the heading's “+X” for the rest), none named."""
    groups = load_table("ai_groups").set_index("id")
    named = load_table("ai_items").groupby("group_id").size().reindex(groups.index, fill_value=0)
    totals = load_table("indicators").set_index("id")["value"]
    for gid, group in groups.iterrows():
        total = totals.get(group["indicator_id"]) if isinstance(group["indicator_id"], str) else None
        if group["listing"] == "none":
            assert named[gid] == 0, gid
        elif group["listing"] == "all":
            assert named[gid] >= 1 and (total is None or named[gid] == total), gid
        else:
            assert named[gid] >= 1 and (total is None or named[gid] < total), gid


def test_an_ai_item_is_placed_in_a_district_the_words_of_its_quote_name():
    """A district the book gives an item is one its ``district_quote`` names (浦东(含临港): Pudong)."""
    short = load_table("districts").set_index("id")["short_zh"]
    items = load_table("ai_items").dropna(subset=["district_id"])
    assert len(items) > 0
    for _, item in items.iterrows():
        assert short[item["district_id"]] in item["district_quote"], item["id"]


def test_a_biomed_product_has_a_kind_only_with_the_words_that_give_it():
    """A category the book assigns needs a quote that says it; without one it is not stated."""
    products = load_table("biomed_products")
    stated = products["kind"] != "not_stated"
    assert (products["kind_quote"].notna() == stated).all()
    milestones = load_table("milestones")
    headline = milestones[(milestones["topic"] == "biomed") & milestones["parent_id"].isna()]
    assert sorted(products["milestone_id"]) == sorted(headline["id"]), "one headline milestone per product"


def test_bad_kind_is_rejected(data_copy):
    path = data_copy / "biomed_products.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",tcm,", ",herbal,"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_table("biomed_products", data_copy)
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "kind", "herbal")
    assert problem.file.endswith("data/biomed_products.csv") and problem.expected.startswith("one of: ")


def test_every_section_2_1_number_is_on_a_page():
    shown = "\n".join(notebook_text(p) for p in PAGES)
    ind = load_table("indicators")
    for _, row in ind[ind["section"] == "2.1"].iterrows():
        assert fmt_row(row) in shown, row["id"]


def test_ic_page_mentions_the_platform_nodes():
    text = notebook_text(PAGES[1])
    ind = load_table("indicators").set_index("id")
    for i in ("ic_platform_lithography_node", "ic_platform_cpu_node"):
        assert fmt_row(ind.loc[i]) in text
