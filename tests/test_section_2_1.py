"""Section 2.1 (three fields): its data tables hold what the report lists, and its pages show it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import notebook_text

from techreport.data import DataError, load_table
from techreport.present import fmt_row

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "book" / "2-1-three-fields" / f"{n}.ipynb" for n in ("index", "ic", "ai", "biomed")]


def test_ic_focus_lists_the_report_items_and_no_numbers():
    ic = load_table("ic_focus")
    assert set(ic["name_zh"]) == {
        "前瞻性、颠覆性技术研发布局",
        "国家科技重大专项",
        "硅光子市级科技重大专项",
        "高端芯片",
        "先进制造工艺",
        "关键装备与材料",
        "集成电路材料等领域创新平台",
    }
    assert set(ic.loc[ic["kind"] == "programme", "chain_stage"]) == {"not_stated"}
    assert (load_table("indicators")["topic"] == "ic").sum() == 0  # the IC paragraph gives no numbers


def test_ai_groups_named_items_and_totals():
    groups = load_table("ai_groups").set_index("id")
    items = load_table("ai_items")
    ind = load_table("indicators").set_index("id")
    named = items.groupby("group_id").size()
    expected = {
        "platform-projects": 3,
        "signed-projects": 2,
        "open-platforms": 3,
        "unveiled-bodies": 4,
        "jiebang-tracks": 4,
        "demo-scenarios": 2,
        "carriers": 4,
        "governance-documents": 3,
        "waic-platforms": 4,
    }
    for gid, n in expected.items():
        assert named[gid] == n, gid
    assert "scenario-demands" not in named  # the report names none of the 11 demands
    assert ind.loc[groups.loc["signed-projects", "indicator_id"], "value"] == 36
    assert ind.loc[groups.loc["scenario-demands", "indicator_id"], "value"] == 11
    assert ind.loc["ai_scenario_batch", "qualifier"] == "ordinal"
    # a group whose total the report gives in full names exactly that many
    for gid, g in groups.iterrows():
        if g["listing"] == "all" and isinstance(g["indicator_id"], str):
            assert named[gid] == ind.loc[g["indicator_id"], "value"]
    assert len(load_table("ai_actions")) == 5


def test_ai_carriers_districts():
    items = load_table("ai_items").set_index("id")
    carriers = items[items["group_id"] == "carriers"]
    assert dict(carriers["district_id"].dropna()) == {
        "carrier-xuhui-westbund": "xuhui",
        "carrier-pudong-zhangjiang": "pudong",
        "carrier-minhang-maqiao": "minhang",
        "carrier-lingang": "pudong",
    }
    assert carriers.loc["carrier-lingang", "district_quote"] == "浦东(含临港)"  # section 2.3 of the report


def pd_na():
    import pandas as pd

    return pd.NA


def test_biomed_products_kinds_follow_the_source():
    products = load_table("biomed_products").set_index("id")
    assert len(products) == 8
    assert dict(products["kind"]) == {
        "shenqi-sherong": "tcm",
        "gv-971": "not_stated",
        "hlx02": "not_stated",
        "dc371739": "chemical_drug",
        "toripalimab": "not_stated",
        "zejula": "not_stated",
        "umr-omega": "not_stated",
        "surufatinib": "not_stated",
    }
    milestones = load_table("milestones")
    headline = milestones[(milestones["topic"] == "biomed") & milestones["parent_id"].isna()]
    assert set(products["milestone_id"]) == set(headline["id"])
    assert [m.month for m in sorted(headline["month"])] == [3, 5, 7, 7, 9, 9, 10, 12]


def test_biomed_initiatives():
    init = load_table("biomed_initiatives")
    assert (init["kind"] == "review_subcentre").sum() == 2
    assert init.loc[init["kind"] == "clinical_centre", "indicator_id"].tolist() == ["biomed_clinical_centres"]


def test_bad_kind_is_rejected(tmp_path):
    import shutil

    data = ROOT / "data"
    shutil.copytree(data, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "biomed_products.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",tcm,", ",herbal,"), encoding="utf-8")
    with pytest.raises(DataError, match=r"biomed_products\.csv, row 2, column 'kind', value 'herbal'"):
        load_table("biomed_products", tmp_path)


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


def test_section_2_1_figures_and_tables():
    names = []
    for path in PAGES:
        names += re.findall(r":name: ((?:fig|tbl)-[a-z0-9-]+)", notebook_text(path))
    for n in (
        "tbl-three-fields-summary",
        "fig-ic-chain",
        "fig-ai-structure",
        "fig-ai-carriers",
        "fig-biomed-approvals",
        "fig-biomed-timeline",
        "tbl-biomed-milestones",
    ):
        assert n in names
