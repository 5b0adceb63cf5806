"""Bad data stops the build with a message a person can act on: file, row, column, value, expectation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from techreport.data import DataError, Problem, load_table, table_names


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


def edit_package(data: Path, edit) -> None:
    """Apply ``edit`` to the resources of datapackage.json in ``data`` (a list, changed in place)."""
    path = data / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    edit(package["resources"])
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")


def sections_entry(resources: list[dict]) -> dict:
    return next(r for r in resources if r["name"] == "sections")


def error_of(name: str, data: Path) -> DataError:
    with pytest.raises(DataError) as info:
        load_table(name, data_dir=data)
    return info.value


def only_problem(name: str, data: Path) -> Problem:
    error = error_of(name, data)
    assert len(error.problems) == 1, str(error)
    assert str(error.problems[0]) in str(error), "the message is built from the problems"
    return error.problems[0]


def line_of(data: Path, name: str, row_id: str) -> int:
    lines = (data / name).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.split(",")[0] == row_id)


def test_missing_column(data_copy):
    rewrite(data_copy, "indicators.csv", lambda t: t.replace(",unit_en,", ",unit_english,", 1))
    problem = only_problem("indicators", data_copy)
    assert problem.file.endswith("data/indicators.csv") and (problem.row, problem.column) == (1, None)
    assert "missing column(s) 'unit_en'" in problem.problem and "unknown column(s) 'unit_english'" in problem.problem
    assert problem.expected.startswith("the columns: id,")


def test_unknown_column(data_copy):
    rewrite(
        data_copy,
        "sections.csv",
        lambda t: (
            "\n".join(line + (",extra" if i == 0 else ",x") for i, line in enumerate(t.strip().split("\n"))) + "\n"
        ),
    )
    assert "unknown column(s) 'extra'" in only_problem("sections", data_copy).problem


# (table, row id, old text in that row, new text, column, expected, hint or None)
CELL_CASES = {
    "text in a number": (
        "indicators",
        "platforms_talent",
        ",2000,",
        ",2千,",
        "value",
        "a number such as 15.5 (no units, no thousands separators)",
        None,
    ),
    "full-width digits": (
        "indicators",
        "platforms_talent",
        ",2000,",
        ",２０００,",
        "value",
        "a number such as 15.5 (no units, no thousands separators)",
        "use half-width (半角) digits and signs: '2000'",
    ),
    "negative count": ("indicators", "platforms_count", ",20,", ",-20,", "value", "at least 0", None),
    "impossible month": (
        "milestones",
        "bm-shenqi-sherong",
        "2020-03",
        "2020-14",
        "month",
        "a year and month written YYYY-MM",
        None,
    ),
    "full-width month": (
        "milestones",
        "bm-shenqi-sherong",
        "2020-03",
        "２０２０－０３",
        "month",
        "a year and month written YYYY-MM",
        "use half-width (半角) digits and signs: '2020-03'",
    ),
    "qualifier outside the enum": (
        "indicators",
        "platforms_talent",
        ",more_than,",
        ",about,",
        "qualifier",
        "one of: exact, more_than, nearly, odd, ordinal",
        None,
    ),
    "missing required value": (
        "indicators",
        "platforms_talent",
        ",2000,",
        ",,",
        "value",
        "a value (the column is required)",
        None,
    ),
    **{
        f"date {bad}": (
            "milestones",
            "as-cz5b-first-flight",
            "2020-05-05",
            bad,
            "date",
            "a real calendar date written YYYY-MM-DD",
            None,
        )
        for bad in ["2020-02-30", "2020-13-01", "2020/05/05", "5月5日"]
    },
}


@pytest.mark.parametrize("case", CELL_CASES)
def test_a_bad_cell_is_reported_with_file_row_column_value_and_expectation(data_copy, case):
    table, row_id, old, new, column, expected, hint = CELL_CASES[case]
    row = line_of(data_copy, f"{table}.csv", row_id)
    replace_cell(data_copy, f"{table}.csv", row_id, old, new)
    problem = only_problem(table, data_copy)
    assert (problem.row, problem.column, problem.value, problem.expected, problem.hint) == (
        row,
        column,
        new.strip(","),
        expected,
        hint,
    )
    assert problem.file.endswith(f"data/{table}.csv")


def test_the_message_says_file_row_column_value_what_was_expected_and_the_hint(data_copy):
    """The one test of the words a person reads; the others check the structured fields."""
    row = line_of(data_copy, "indicators.csv", "platforms_talent")
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2000,", ",２０００,")
    assert str(only_problem("indicators", data_copy)) == (
        f"{data_copy / 'indicators.csv'}, row {row}, column 'value', value '２０００': expected a number such as 15.5 "
        "(no units, no thousands separators); use half-width (半角) digits and signs: '2000'"
    )


def test_duplicate_key(data_copy):
    first = line_of(data_copy, "indicators.csv", "platforms_count")
    second = line_of(data_copy, "indicators.csv", "platforms_talent")
    replace_cell(data_copy, "indicators.csv", "platforms_talent", "platforms_talent", "platforms_count")
    problem = only_problem("indicators", data_copy)
    assert (problem.row, problem.column, problem.value, problem.expected) == (
        second,
        "id",
        "platforms_count",
        "each key once",
    )
    assert problem.problem == f"duplicate key, already used in row {first}"


def test_dangling_foreign_key(data_copy):
    rewrite(data_copy, "milestone_roles.csv", lambda t: t.replace("mr-fpso,sbm,owner", "mr-fpso,sbm-offshore,owner"))
    problem = only_problem("milestone_roles", data_copy)
    assert (problem.column, problem.value, problem.expected) == ("organisation_id", "sbm-offshore", "an existing key")
    assert problem.problem.startswith("not found in table 'organisations'")


def test_composite_foreign_key_to_topics(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2.3,platforms,", ",2.1,platforms,")
    problem = only_problem("indicators", data_copy)
    assert (problem.column, problem.value) == ("section+topic", "2.1, platforms")
    assert problem.problem.startswith("not found in table 'topics'")


def test_empty_file(data_copy):
    (data_copy / "sections.csv").write_bytes(b"")
    problem = only_problem("sections", data_copy)
    assert (problem.row, problem.problem, problem.expected) == (
        None,
        "the file is empty",
        "a header row: id,title_zh,title_en,source_quote,lead_quote",
    )


def test_file_not_in_utf8(data_copy):
    path = data_copy / "sections.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    problem = only_problem("sections", data_copy)
    assert (problem.row, problem.expected) == (2, "UTF-8 text")
    assert problem.problem.startswith("the file is not UTF-8") and "GBK" in problem.hint


def test_wrong_number_of_cells(data_copy):
    row = line_of(data_copy, "organisations.csv", "sbm")
    replace_cell(data_copy, "organisations.csv", "sbm", "荷兰SBM OFFSHORE公司", "荷兰SBM, OFFSHORE公司")
    problem = only_problem("organisations", data_copy)
    columns = (data_copy / "organisations.csv").read_text(encoding="utf-8").splitlines()[0].count(",") + 1
    assert (problem.row, problem.problem, problem.expected) == (
        row,
        f"{columns + 1} cells",
        f"{columns} cells, as in the header",
    )
    assert "double quotes" in problem.hint


def test_byte_order_mark_and_crlf_are_accepted(data_copy):
    path = data_copy / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    frame = load_table("indicators", data_dir=data_copy)
    assert next(iter(frame.columns)) == "id"
    assert frame.equals(load_table("indicators"))


def test_every_problem_is_reported_at_once(data_copy):
    replace_cell(data_copy, "indicators.csv", "platforms_talent", ",2000,", ",x,")
    replace_cell(data_copy, "indicators.csv", "platforms_count", ",odd,", ",some,")
    error = error_of("indicators", data_copy)
    assert sorted((p.column, p.value) for p in error.problems) == [("qualifier", "some"), ("value", "x")]
    assert "(2 problems)" in str(error) and all(str(p) in str(error) for p in error.problems)


def test_an_edited_file_is_read_again(data_copy):
    assert load_table("sections", data_dir=data_copy).loc[0, "title_zh"] == "深入实施三大领域“上海方案”"
    # the title only: its source_quote (the report's words) still says 深入实施
    rewrite(
        data_copy, "sections.csv", lambda t: t.replace("深入实施三大领域“上海方案”,", "全面实施三大领域“上海方案”,", 1)
    )
    assert load_table("sections", data_dir=data_copy).loc[0, "title_zh"] == "全面实施三大领域“上海方案”"


def test_an_unknown_table_names_the_known_ones_and_how_to_add_one():
    with pytest.raises(DataError) as info:
        load_table("indicator")
    [problem] = info.value.problems
    assert problem.problem == "no table named 'indicator'" and "indicators" in problem.expected
    assert "CONTRIBUTING.md" in problem.hint


def test_an_undescribed_csv_is_named_with_the_command_that_describes_it(data_copy):
    (data_copy / "ai_tracks.csv").write_text("id,name_zh\nsmart-car,智能汽车\n", encoding="utf-8")
    problem = error_of("ai_tracks", data_copy).problems[0]
    assert "frictionless describe" in problem.hint and "ai_tracks.csv" in problem.hint


def test_a_table_frictionless_describes_is_read_and_checked(data_copy):
    """``frictionless describe`` marks a table ``"type": "table"`` (Data Package v2): it is a
    table like the others, validated and quote-checked, never passed over."""
    edit_package(data_copy, lambda resources: sections_entry(resources).update(type="table", profile=None))
    assert "sections" in table_names(data_copy)
    replace_cell(data_copy, "sections.csv", "2.1", ",2.1 深入实施", ",2.1 全面实施")
    assert only_problem("sections", data_copy).column == "source_quote"


def test_a_csv_resource_marked_as_no_table_is_refused(data_copy):
    edit_package(data_copy, lambda resources: sections_entry(resources).pop("profile"))
    with pytest.raises(DataError) as info:
        table_names(data_copy)
    [problem] = info.value.problems
    assert "'sections'" in problem.problem and '"type": "table"' in problem.expected


def test_a_table_added_to_the_package_is_known_without_a_restart(data_copy):
    """The package is read again when datapackage.json changes (a kernel running in `make lab`)."""
    assert "sections_copy" not in table_names(data_copy)
    edit_package(data_copy, lambda resources: resources.append({**sections_entry(resources), "name": "sections_copy"}))
    assert load_table("sections_copy", data_copy).equals(load_table("sections", data_copy))
