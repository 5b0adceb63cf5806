"""Figures keep their qualifiers wherever they are shown; tables are real, captioned tables."""

from __future__ import annotations

import pandas as pd
import pytest

from techreport.present import fmt, markdown_table


@pytest.mark.parametrize(
    "args, shown",
    [
        ((2000, "名", "more_than"), "超过2000名"),
        ((100, "亿元", "nearly"), "近100亿元"),
        ((20, "家", "odd"), "20余家"),
        ((3, "个", "ordinal"), "第3个"),
        ((18600, "m³", "exact"), "18600m³"),
        ((3.0, "T", "exact", 1), "3.0T"),
        ((15.5, "亿元", "more_than", 1), "超过15.5亿元"),
        ((1, None, "ordinal"), "第1"),
    ],
)
def test_fmt_keeps_the_qualifier(args, shown):
    assert fmt(*args) == shown


def test_fmt_rejects_an_unknown_qualifier():
    with pytest.raises(KeyError):
        fmt(1, "个", "about")


def test_markdown_table_escapes_and_aligns():
    frame = pd.DataFrame({"名称": ["a|b", None], "数值": [1.5, 2.0]})
    lines = markdown_table(frame).split("\n")
    assert lines[0] == "| 名称 | 数值 |"
    assert lines[1] == "| :-- | --: |"
    assert lines[2] == "| a\\|b | 1.5 |"
    assert lines[3].startswith("|   |")


@pytest.mark.parametrize(
    "caption, shown",
    [
        ("生产批件占18个", "生产批件占18个。"),
        ("按月分布。", "按月分布。"),
        ("是否给出？ ", "是否给出？"),
    ],
)
def test_a_figure_caption_is_a_sentence_before_its_data_link(caption, shown):
    from techreport.present import sentence

    assert sentence(caption) == shown


def _shown_quotes(frame, quotes, monkeypatch) -> list[str]:
    """show_table's rows as displayed: each row's first cell and its 报告原文 cell."""
    from techreport import present

    shown = []
    monkeypatch.setattr(present, "ipy_display", lambda bundle, raw: shown.append(bundle["text/markdown"]))
    present.show_table(frame, "tbl-x", "表", "indicators", quotes=quotes)
    rows = [line for line in shown[0].splitlines() if line.startswith("| ") and "原文</summary>" in line]
    return [(row.split(" | ")[0].strip("| "), row.split("<summary>原文</summary>")[1]) for row in rows]


def test_a_quote_column_stays_with_its_rows_when_the_table_is_sorted(monkeypatch):
    """The overview once sorted its table and passed the unsorted column: each number showed
    the words of another. A Series is matched by row label."""
    source = pd.DataFrame({"name": ["甲", "乙", "丙"], "quote": ["甲的原文", "乙的原文", "丙的原文"]})
    ordered = source.sort_values("name", ascending=False)
    shown = _shown_quotes(ordered[["name"]], source["quote"], monkeypatch)
    assert all(name + "的原文" in words for name, words in shown), shown
    with pytest.raises(ValueError, match="row labels"):
        _shown_quotes(ordered[["name"]].reset_index(drop=True).iloc[:2], source["quote"].iloc[1:], monkeypatch)


@pytest.mark.parametrize("display", [True, False])
def test_glue_writes_the_output_myst_nb_glue_writes(monkeypatch, display):
    """techreport's glue() stands in for myst-nb's (whose import costs a kernel 2 s): the output it
    displays, MIME keys, metadata and all, must be the one myst-nb's glue displays and reads back."""
    import myst_nb.ext.glue as myst_glue

    from techreport import present

    shown = {}
    for module in (myst_glue, present):
        monkeypatch.setattr(module, "ipy_display", lambda *a, _m=module.__name__, **kw: shown.setdefault(_m, (a, kw)))
    value = present.Text("超过2000名", ["超过2000名"])
    myst_glue.glue("ind_x", value, display=display)
    present.glue("ind_x", value, display=display)
    assert shown[present.__name__] == shown[myst_glue.__name__]


def test_the_page_helpers_do_not_import_nbformat():
    """What every notebook imports first loads no nbformat (and so no jsonschema IRI grammar, 2 s)."""
    import subprocess
    import sys

    code = "import sys, techreport.present, techreport.maps; print(sorted(m for m in sys.modules if m.split('.')[0] in ('nbformat', 'myst_nb', 'jsonschema')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
