"""Section 2.3 (functional platforms): its tables hold what the source lists, and the page shows every figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import notebook_text

from techreport.data import DataError, load_table
from techreport.present import fmt_row
from techreport.source import normalise

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "book" / "2-3-platforms" / "index.ipynb"


@pytest.fixture(scope="module")
def indicators():
    return load_table("indicators").set_index("id")


def words_not_in_their_quote(table: str, column: str) -> list[str]:
    """Rows of ``table`` whose ``column`` is not, word for word, inside the row's ``source_quote``."""
    frame = load_table(table).dropna(subset=[column])
    assert len(frame) > 0, f"{table}.{column} is empty"
    return [row.iloc[0] for _, row in frame.iterrows() if normalise(row[column]) not in normalise(row["source_quote"])]


def test_host_districts_are_named_as_the_report_names_them_and_one_is_left_unnamed(indicators):
    hosts = load_table("platform_districts")
    assert words_not_in_their_quote("platform_districts", "source_name_zh") == []
    # "等10个区": one district is not named, and the data must not pretend otherwise
    assert len(hosts) == indicators.loc["platforms_districts", "value"] - 1


def test_clusters_sit_on_districts_the_report_names_as_hosts():
    clusters = load_table("industry_clusters")
    assert words_not_in_their_quote("industry_clusters", "industry_zh") == []
    assert set(clusters["district_id"]) <= set(load_table("platform_districts")["district_id"])


def test_firsts_are_quoted_as_the_report_puts_them():
    """首家, 首条: the report's words for its firsts, in the row's quote, never reworded."""
    assert words_not_in_their_quote("platform_results", "first_zh") == []


def test_result_figures_reference_every_platform_indicator(indicators):
    figures = load_table("platform_result_figures")
    section = indicators[(indicators["section"] == "2.3") & ~indicators.index.str.startswith("platforms_")]
    assert sorted(figures["indicator_id"]) == sorted(section.index)


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


def test_unknown_district_in_platform_districts_is_refused(data_copy):
    path = data_copy / "platform_districts.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    cells = ["lingang", "10", "临港", "", "临港智能制造"]  # a quote that stands once in the report
    cells += [""] * (rows[0].count(",") + 1 - len(cells))  # any further column (a quote's context) empty
    path.write_text("\n".join([*rows, ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_table("platform_districts", data_dir=data_copy)
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (len(rows) + 1, "district_id", "lingang")


def test_result_figure_with_unknown_indicator_is_refused(data_copy):
    path = data_copy / "platform_result_figures.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "robot-incubated,robot_platform_parks,2,产业园\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        load_table("platform_result_figures", data_dir=data_copy)
    [problem] = info.value.problems
    assert (problem.column, problem.value) == ("indicator_id", "robot_platform_parks")
    assert problem.expected == "an existing key"
