"""Provenance: every quote is the report's words, every "not stated" is checked, every clause accounted for.

The seeded-mistake tests work on a copy of data/ and prove each check can fail, with a message
naming the file, the row and the words.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from techreport import provenance
from techreport.data import DataError, load_table, table_names
from techreport.provenance import NOT_STATED, check, coverage, locate, normalise, not_stated_problems

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


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
    assert f"data/indicators.csv, row {line}" in message or f"indicators.csv, row {line}" in message
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


def test_every_clause_of_2_1_to_2_3_is_accounted_for():
    found = coverage()
    silent = [f"{c.section}: {c.text}" for c in found if c.status == "silent"]
    assert len(found) > 100
    assert not silent, f"clauses neither quoted by data nor listed in source_omissions.csv: {silent}"


def test_a_dropped_passage_shows_in_coverage(data_copy):
    """Remove the omission of the biomedicine banner: its clause becomes silent."""
    path = data_copy / "source_omissions.csv"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("biomed-banner")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    silent = [c.text for c in coverage(data_copy) if c.status == "silent"]
    assert silent == ["● 生物医药创新成果加速涌现 ●"]


def test_the_command_line_reports_quotes_and_coverage(capsys):
    assert provenance._main(["x", "check"]) == 0
    assert provenance._main(["x", "coverage"]) == 0
    out = capsys.readouterr().out
    assert "0 failures" in out and "accounted for 100.0%" in out


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
