"""Provenance: every quote is the report's words in one place, values agree with their quotes, every
"not stated" is checked, and every character of 2.1-2.3 is shown or omitted with a reason.

The seeded-mistake tests work on a copy of data/ and prove each check can fail, with a message
naming the file, the row and the words.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from techreport import coverage, provenance
from techreport.data import DataError, load_table, table_names, value_in_quote
from techreport.provenance import NOT_STATED, check, not_stated_problems
from techreport.shown import Resolver, from_notebook, statement_label
from techreport.source import locate, normalise, resolve, source

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def _edit(path: Path, key: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose first cell is ``key``; return the row's line number."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = rows[0].index(column)
    for line, row in enumerate(rows[1:], start=2):
        if row[0] == key:
            row[col] = value
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            path.write_text(out.getvalue(), encoding="utf-8")
            return line
    raise KeyError(key)


def test_the_source_is_in_the_repository_and_is_the_chapter():
    text = (DATA / "source" / "chapter-2.txt").read_text(encoding="utf-8")
    assert "2 优化科技供给" in text and "孵化相关企业15家" in text
    assert (DATA / "source" / "README.md").exists()


def test_comparison_folds_only_whitespace_and_the_mixed_punctuation():
    assert normalise("浦东（含临港） ， 普陀：") == normalise("浦东(含临港),普陀:")
    assert locate("浦东（含临港）")
    assert not locate("浦东〔含临港〕"), "other brackets are not folded"
    assert not locate("浦东(含临港);"), "semicolons are not folded"


def test_every_quote_is_in_the_report():
    result = check()
    assert result["quotes"] > 300 and result["rows"] > 250


def test_every_fact_table_carries_quotes():
    no_quotes = {
        "districts",
        "milestone_figures",
        "platform_result_figures",
        "not_stated",
        "book_terms",
    }  # map, links, claims, terms
    for name in table_names():
        if name in no_quotes:
            continue
        frame = load_table(name)
        assert "source_quote" in frame.columns, f"{name}: no source_quote column"
        missing = frame[frame["source_quote"].isna()]
        assert missing.empty, f"{name}: rows without source_quote: {list(missing.iloc[:, 0])}"


def test_a_quote_changed_by_one_character_stops_the_load(data_copy):
    line = _edit(data_copy / "indicators.csv", "platforms_talent", "source_quote", "集聚人才>2001名")
    with pytest.raises(DataError) as err:
        load_table("indicators", data_copy)
    message = str(err.value)
    assert f"data/indicators.csv, row {line}" in message
    assert "source_quote" in message and "集聚人才>2001名" in message and "not in the report" in message


def test_a_category_quote_is_checked_too(data_copy):
    _edit(data_copy / "biomed_products.csv", "hlx02", "kind_quote", "生物制品")
    with pytest.raises(DataError, match=r"kind_quote.*生物制品.*not in the report"):
        load_table("biomed_products", data_copy)


def test_no_not_stated_claim_is_contradicted_by_its_section():
    assert not_stated_problems() == []
    assert len(load_table("not_stated")) >= 20


def test_a_not_stated_claim_whose_words_are_in_the_report_fails(data_copy):
    """The 临港 contradiction: 2.3 writes 浦东(含临港), so "the report does not say where 临港 is" is false."""
    path = data_copy / "not_stated.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "lingang-district,全章,ai,临港新片区所在的区,含临港|临港位于,,\n",
        encoding="utf-8",
    )
    problems = not_stated_problems(data_copy)
    assert len(problems) == 1
    rows = len(path.read_text(encoding="utf-8").splitlines())
    assert (
        f"not_stated.csv, row {rows}" in problems[0]
        and "'含临港'" in problems[0]
        and "临港新片区所在的区" in problems[0]
    )


def test_a_cell_that_says_not_stated_is_backed_by_a_claim():
    """Each data row whose note says 报告未说明 is listed in not_stated.csv (tables_rows)."""
    claims = load_table("not_stated")
    backed = {tr for cell in claims["tables_rows"].dropna() for tr in cell.split(";")}
    unbacked = []
    for name in table_names():
        if name in ("not_stated", "source_omissions", "book_terms"):
            continue
        frame = load_table(name)
        key = frame.columns[0]
        for _, row in frame.iterrows():
            said = [
                c
                for c in frame.columns
                if not c.endswith("_quote") and isinstance(row[c], str) and NOT_STATED in row[c]
            ]
            if said and f"{name}/{row[key]}" not in backed:
                unbacked.append(f"{name}/{row[key]} ({', '.join(said)})")
    assert not unbacked, f"rows that say {NOT_STATED} with no claim in not_stated.csv: {unbacked}"


def test_one_term_for_not_stated_in_data_and_pages():
    banned = [
        "源文未",
        "报告未写明",
        "报告未提",
        "报告未点名",
        "报告未列举",
        "源文未说明",
        "报告没有说明",
        "报告没有写明",
    ]
    texts = {p.name: p.read_text(encoding="utf-8") for p in DATA.glob("*.csv")}
    texts |= {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.ipynb")}
    found = [(name, b) for name, text in texts.items() for b in banned if b in text]
    assert not found, f"use the one term {NOT_STATED}: {found}"


def test_a_quote_that_occurs_twice_must_be_pinned(data_copy):
    """国家药监局 stands 9 times in the report: without its context the row names no one place."""
    line = _edit(data_copy / "organisations.csv", "nmpa", "source_context", "")
    with pytest.raises(DataError) as err:
        load_table("organisations", data_copy)
    problem = next(p for p in err.value.problems if p.row == line)
    assert problem.file.endswith("organisations.csv")
    assert (problem.column, problem.value) == ("source_quote", "国家药监局")
    assert "9 times" in problem.problem and "line 61" in problem.problem  # where the words occur


def test_a_context_that_does_not_pin_one_place_is_refused(data_copy):
    line = _edit(data_copy / "organisations.csv", "nmpa", "source_context", "获国家药监局批准")
    with pytest.raises(DataError) as err:
        load_table("organisations", data_copy)
    problem = next(p for p in err.value.problems if p.row == line)
    assert problem.column == "source_context" and "context" in problem.problem


def test_a_context_pins_the_quote_inside_it():
    a, b = resolve("国家药监局", "共获国家药监局药品批件")
    assert source().text[a:b] == "国家药监局" and a == locate("共获国家药监局药品批件")[0][0] + 2


def test_shown_words_resolve_through_the_rows_that_pin_them():
    """Words that stand more than once resolve through the row that pins them, or to the one line they make up."""
    resolver = Resolver()
    assert resolver.spans("国家药监局") == [resolve("国家药监局", "共获国家药监局药品批件")]
    heading, _ = resolve("石墨烯 - 研制出锗基")  # 石墨烯 stands often, but is the whole of one line only
    assert resolver.spans("石墨烯") == [(heading, heading + 3)]


@pytest.mark.parametrize(
    ("value", "decimals", "qualifier", "quote", "agrees"),
    [
        (177, 0, "exact", "共获国家药监局药品批件177个", True),
        (178, 0, "exact", "共获国家药监局药品批件177个", False),
        (2000, 0, "more_than", "集聚人才 >2000名", True),
        (2000, 0, "exact", "集聚人才 >2000名", False),
        (100, 0, "nearly", "撬动社会投资和培育 产业规模近百亿元", True),
        (20, 0, "odd", "全市已建和培育各类功能型平台20余家", True),
        (20, 0, "more_than", "全市已建和培育各类功能型平台20余家", False),
        (3, 0, "exact", "全球首艘23000TEU双燃料动力集装箱船", False),  # 3 is part of 23000
        (2, 0, "exact", "火星矿物光谱分析仪两大载荷", True),
        (1, 0, "ordinal", "出货量全球第一", True),
        (3.0, 1, "exact", "全球首台75cm超大孔径3.0T磁共振", True),
    ],
)
def test_a_value_agrees_with_its_quote(value, decimals, qualifier, quote, agrees):
    assert value_in_quote(value, decimals, qualifier, quote) is agrees


def test_a_value_that_disagrees_with_its_quote_stops_the_load(data_copy):
    line = _edit(data_copy / "indicators.csv", "platforms_talent", "qualifier", "exact")
    with pytest.raises(DataError) as err:
        load_table("indicators", data_copy)
    (problem,) = err.value.problems
    assert problem.file.endswith("indicators.csv")
    assert (problem.row, problem.column) == (line, "value+qualifier")
    assert "2000" in problem.value and "集聚人才" in problem.problem


def test_every_character_of_2_1_to_2_3_is_shown_or_omitted():
    found = coverage.measure(*coverage.book_records())
    assert found.total > 4000
    assert not found.gaps, [f"{g.section}: {g.text}" for g in found.gaps]
    assert found.shown / found.total > 0.9  # omissions are the exception


def test_a_block_that_stops_showing_a_passage_leaves_a_named_gap():
    """The marine ships table is the one place that shows the LNG ship's range: without its record, a gap."""
    passages, titles = coverage.book_records()
    kept = [p for p in passages if "覆盖从欧洲至远东的往返航程" not in p]
    assert len(kept) < len(passages)
    gaps = [g.text for g in coverage.measure(kept, titles).gaps]
    assert any("覆盖从欧洲至远东的往返航程" in g for g in gaps), gaps


def test_a_dropped_omission_is_a_named_gap(data_copy):
    path = data_copy / "source_omissions.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("biomed-lead-4,")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gaps = [g.text for g in coverage.measure(*coverage.book_records(), data_dir=data_copy).gaps]
    assert gaps == ["推进全球领先的生物医药创新研发中心和产业高地建设"]


def test_the_command_line_reports_quotes_and_coverage(capsys):
    assert provenance.main(["x", "check"]) == 0
    assert provenance.main(["x", "coverage"]) == 0
    out = capsys.readouterr().out
    assert "0 failures" in out and "accounted for 100.0%; gaps 0" in out


def test_every_number_of_the_overview_table_shows_its_own_words():
    """表 2-1 lists every number with the report's words: each row's words are its indicator's."""
    import json
    import re

    nb = json.loads((ROOT / "book" / "overview.ipynb").read_text(encoding="utf-8"))
    table = next(
        "".join(out["data"]["text/markdown"])
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if "tbl-overview-indicators" in "".join(out.get("data", {}).get("text/markdown", ""))
    )
    quote_of = dict(zip(*(load_table("indicators")[c] for c in ("name_zh", "source_quote"))))
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| 2.")]
    assert len(rows) == len(quote_of)
    for cells in rows:
        shown = re.sub(r"<[^>]+>|\\", "", cells[-1]).removeprefix("原文").strip(" |“”")
        assert normalise(shown) == normalise(quote_of[cells[2]]), (cells[2], shown)


def test_an_omission_that_a_page_shows_is_named(data_copy):
    """原文对照 must not call a passage left out that a page shows (issue 19's 国产大飞机 finding)."""
    path = data_copy / "source_omissions.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + "shown-lead,2.1,发挥世界人工智能大会的链接效应,段导语,\n", encoding="utf-8"
    )
    found = coverage.measure(*coverage.book_records(), data_dir=data_copy)
    assert found.both == ["发挥世界人工智能大会的链接效应"]


def test_a_glued_quote_that_the_prose_pastes_is_in_the_record(tmp_path):
    """The materials page quotes its lead through glue: the record holds it, under the statement's anchor."""
    page = ROOT / "book" / "2-2-key-fields" / "materials.ipynb"
    lead = load_table("topics").set_index("id").loc["materials", "lead_quote"]
    assert from_notebook(page)[statement_label("lead_quote")] == [lead]
    unpasted = tmp_path / page.name  # the same outputs, the prose no longer pasting the quote
    unpasted.write_text(page.read_text(encoding="utf-8").replace("{glue:text}`lead_quote`", "“…”"), encoding="utf-8")
    assert statement_label("lead_quote") not in from_notebook(unpasted)
