"""Bad data stops the build with a message a person can act on: file, row, column, value, expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from techreport.data import DataError, load_table


def rewrite(data: Path, name: str, edit) -> None:
    path = data / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def replace_cell(data: Path, name: str, row_id: str, old: str, new: str) -> None:
    """Change ``old`` to ``new`` in the line whose first cell is ``row_id``."""
    def edit(text: str) -> str:
        lines = text.split("\n")
        hits = [i for i, line in enumerate(lines) if line.split(",")[0] == row_id]
        assert len(hits) == 1 and old in lines[hits[0]], (row_id, old)
        lines[hits[0]] = lines[hits[0]].replace(old, new, 1)
        return "\n".join(lines)
    rewrite(data, name, edit)


def error_of(name: str, data: Path) -> str:
    with pytest.raises(DataError) as info:
        load_table(name, data_dir=data)
    return str(info.value)


def line_of(data: Path, name: str, row_id: str) -> int:
    lines = (data / name).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.split(",")[0] == row_id)


def test_missing_column(data_copy):
    rewrite(data_copy, "indicators.csv", lambda t: t.replace(",unit_en,", ",unit_english,", 1))
    message = error_of("indicators", data_copy)
    assert "indicators.csv" in message and "row 1" in message
    assert "missing column(s) 'unit_en'" in message and "unknown column(s) 'unit_english'" in message


def test_unknown_column(data_copy):
    rewrite(data_copy, "sections.csv", lambda t: "\n".join(
        line + (",extra" if i == 0 else ",x") for i, line in enumerate(t.strip().split("\n"))) + "\n")
    assert "unknown column(s) 'extra'" in error_of("sections", data_copy)


def test_non_numeric_value(data_copy):
    row = line_of(data_copy, "indicators.csv", "platforms_talent")
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2000,", ",2千,")
    message = error_of("indicators", data_copy)
    assert f"indicators.csv, row {row}, column 'value', value '2千'" in message
    assert "expected a number" in message


def test_negative_count(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_count", ",20,", ",-20,")
    message = error_of("indicators", data_copy)
    assert "column 'value', value '-20'" in message and "expected at least 0" in message


@pytest.mark.parametrize("bad", ["2020-02-30", "2020-13-01", "2020/05/05", "5月5日"])
def test_bad_or_impossible_date(data_copy, bad):
    row = line_of(data_copy, "milestones.csv", "as-cz5b-first-flight")
    replace_cell(data_copy, "milestones.csv", "as-cz5b-first-flight", "2020-05-05", bad)
    message = error_of("milestones", data_copy)
    assert f"row {row}, column 'date', value '{bad}'" in message
    assert "expected a real calendar date written YYYY-MM-DD" in message


def test_impossible_month(data_copy):
    replace_cell(data_copy, "milestones.csv", "bm-shenqi-sherong", "2020-03", "2020-14")
    assert "column 'month', value '2020-14': expected a year and month written YYYY-MM" in error_of("milestones", data_copy)


def test_qualifier_outside_the_enum(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",more_than,", ",about,")
    message = error_of("indicators", data_copy)
    assert "column 'qualifier', value 'about'" in message
    assert "expected one of: exact, more_than, nearly, odd, ordinal" in message


def test_duplicate_key(data_copy):
    first = line_of(data_copy, "indicators.csv", "platforms_count")
    replace_cell(data_copy, "indicators.csv", "platforms_talent", "platforms_talent", "platforms_count")
    message = error_of("indicators", data_copy)
    assert "value 'platforms_count': duplicate key" in message and f"already used in row {first}" in message


def test_dangling_foreign_key(data_copy):
    rewrite(data_copy, "milestone_roles.csv", lambda t: t.replace("mr-fpso,sbm,owner", "mr-fpso,sbm-offshore,owner"))
    message = error_of("milestone_roles", data_copy)
    assert "column 'organisation_id', value 'sbm-offshore': not found in table 'organisations'" in message


def test_composite_foreign_key_to_topics(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2.3,platforms,", ",2.1,platforms,")
    assert "value '2.1, platforms': not found in table 'topics'" in error_of("indicators", data_copy)


def test_missing_required_value(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2000,", ",,")
    assert "column 'value', value '': a value is required here" in error_of("indicators", data_copy)


def test_empty_file(data_copy):
    (data_copy / "sections.csv").write_bytes(b"")
    message = error_of("sections", data_copy)
    assert "sections.csv: the file is empty; expected a header row: id,title_zh,title_en" in message


def test_file_not_in_utf8(data_copy):
    path = data_copy / "sections.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    message = error_of("sections", data_copy)
    assert "sections.csv, row 2: the file is not UTF-8" in message and "GBK" in message


def test_wrong_number_of_cells(data_copy):
    replace_cell(data_copy, "organisations.csv", "sbm", "荷兰SBM OFFSHORE公司", "荷兰SBM, OFFSHORE公司")
    assert "cells where the header has 4" in error_of("organisations", data_copy)


def test_byte_order_mark_and_crlf_are_accepted(data_copy):
    path = data_copy / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    frame = load_table("indicators", data_dir=data_copy)
    assert list(frame.columns)[0] == "id"
    assert frame.equals(load_table("indicators"))


def test_every_problem_is_reported_at_once(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2000,", ",x,")
    replace_cell(data_copy, "indicators.csv", "platforms_count", ",odd,", ",some,")
    message = error_of("indicators", data_copy)
    assert "(2 problems)" in message


def test_an_edited_file_is_read_again(data_copy):
    assert load_table("sections", data_dir=data_copy).loc[0, "title_zh"] == "深入实施三大领域“上海方案”"
    # the title only: its source_quote (the report's words) still says 深入实施
    rewrite(data_copy, "sections.csv", lambda t: t.replace("深入实施三大领域“上海方案”,", "全面实施三大领域“上海方案”,"))
    assert load_table("sections", data_dir=data_copy).loc[0, "title_zh"] == "全面实施三大领域“上海方案”"


def test_an_unknown_table_names_the_known_ones():
    with pytest.raises(DataError, match="no table named 'indicator'.*indicators"):
        load_table("indicator")
