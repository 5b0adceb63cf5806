"""Section 2.3 (functional platforms): its tables hold what the source lists, and the page shows every figure."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import notebook_text

from techreport.data import DATA_DIR, DataError, load_table
from techreport.present import fmt_row

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "book" / "2-3-platforms" / "index.ipynb"


@pytest.fixture(scope="module")
def indicators():
    return load_table("indicators").set_index("id")


def test_named_host_districts_are_the_nine_the_source_names(indicators):
    hosts = load_table("platform_districts").sort_values("order")
    assert hosts["district_id"].tolist() == [
        "pudong",
        "putuo",
        "yangpu",
        "jiading",
        "xuhui",
        "qingpu",
        "songjiang",
        "jingan",
        "baoshan",
    ]
    assert hosts.iloc[0]["source_name_zh"] == "浦东（含临港）"
    # "等10个区": one district is not named, and the data must not pretend otherwise
    assert indicators.loc["platforms_districts", "value"] == 10
    assert len(hosts) == indicators.loc["platforms_districts", "value"] - 1


def test_clusters_sit_on_their_districts():
    clusters = load_table("industry_clusters").set_index("id")
    expected = {
        "jiading-sensors-iot": ("jiading", "传感器与物联网"),
        "qingpu-beidou": ("qingpu", "北斗导航"),
        "baoshan-materials": ("baoshan", "新材料"),
        "songjiang-low-carbon": ("songjiang", "低碳"),
        "lingang-intelligent-mfg": ("pudong", "智能制造"),
        "pudong-biomed": ("pudong", "生物医药"),
        "putuo-icsec-robots": ("putuo", "工控安全与机器人"),
    }
    assert {k: (r.district_id, r.industry_zh) for k, r in clusters.iterrows()} == expected
    assert "临港" in clusters.loc["lingang-intelligent-mfg", "note"]
    # every cluster is in a district the source names as hosting platforms
    hosts = set(load_table("platform_districts")["district_id"])
    assert set(clusters["district_id"]) <= hosts


def test_results_by_group():
    results = load_table("platform_results")
    counts = results.groupby("group")["id"].count().to_dict()
    assert counts == {"tech_leadership": 12, "global_resources": 3, "cluster_spillover": 5}
    by_group = results.groupby("group")["platform_id"].apply(lambda s: list(dict.fromkeys(s))).to_dict()
    assert by_group["tech_leadership"] == ["sitri", "ic-platform", "graphene-platform", "icsec-platform"]
    assert by_group["global_resources"] == ["im-platform", "data-centre"]
    assert by_group["cluster_spillover"] == ["sitri", "transfer-platform", "robot-platform"]
    firsts = set(results["first_zh"].dropna())
    assert "国内首家技术交易所——上海技术交易所" in firsts
    assert "首条8英寸MEMS研发中试线" in firsts
    # the source's wording "团队标准" is kept, with a note on the probable typo
    row = results.set_index("id").loc["icsec-standards"]
    assert "团队标准" in row["result_zh"] and "团体标准" in row["note"]


def test_result_figures_reference_every_platform_indicator(indicators):
    figures = load_table("platform_result_figures")
    section = indicators[(indicators["section"] == "2.3") & ~indicators.index.str.startswith("platforms_")]
    assert sorted(figures["indicator_id"]) == sorted(section.index)
    values = {i: (indicators.loc[i, "value"], indicators.loc[i, "qualifier"]) for i in figures["indicator_id"]}
    assert values["sitri_sensor_chips"] == (4700, "exact")
    assert values["sitri_investment"] == (20, "more_than")
    assert values["sitri_revenue"] == (10, "more_than")
    assert values["im_fraunhofer_world_rank"] == (10, "ordinal")
    assert values["data_centre_scientists"] == (35, "exact")


def test_headline_qualifiers(indicators):
    shown = {
        i: fmt_row(indicators.loc[i])
        for i in ["platforms_count", "platforms_talent", "platforms_revenue", "platforms_leverage"]
    }
    assert shown == {
        "platforms_count": "20余家",
        "platforms_talent": "超过2000名",
        "platforms_revenue": "超过15.5亿元",
        "platforms_leverage": "近100亿元",
    }


def test_numbers_in_firsts_match_their_figures(indicators):
    """A number inside a "首…" text must be one of the result's own figures (no number of its own)."""
    results = load_table("platform_results").set_index("id")
    figures = load_table("platform_result_figures")
    for rid, text in results["first_zh"].dropna().items():
        own = {f"{indicators.loc[i, 'value']:g}" for i in figures.loc[figures["result_id"] == rid, "indicator_id"]}
        for number in re.findall(r"\d+(?:\.\d+)?", text):
            assert number in own, (rid, number)


def _page_text() -> str:
    return notebook_text(PAGE)


def test_every_section_figure_is_shown_on_the_page(indicators):
    text = _page_text()
    for ident, row in indicators[indicators["section"] == "2.3"].iterrows():
        assert fmt_row(row) in text or f"{{glue:text}}`ind_{ident}`" in text, ident


def test_unknown_district_in_platform_districts_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "platform_districts.csv"
    path.write_text(path.read_text(encoding="utf-8") + "lingang,10,临港,,临港\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"platform_districts\.csv, row 11, column 'district_id', value 'lingang'"):
        load_table("platform_districts", data_dir=data)


def test_result_figure_with_unknown_indicator_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "platform_result_figures.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "robot-incubated,robot_platform_parks,2,产业园\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="not found in table 'indicators'"):
        load_table("platform_result_figures", data_dir=data)
