"""Sentences about the report, made from checked data (the house style's "no statement about the report is typed").

* :func:`not_stated` gives the register's sentence "报告未说明…" for one row of ``data/not_stated.csv``
  (each row's words are checked absent from its section by tests/test_provenance.py);
* :func:`figure_count` counts the figures the report gives, from ``data/numerals.csv``, where every
  numeral of the report is classified (tests/test_prose.py proves none is left out).
"""

from __future__ import annotations

from pathlib import Path

from .data import load_table
from .provenance import NOT_STATED

#: Kinds of numeral the book counts as the report's figures: quantities (shares and sizes too) and
#: ranks or places in a sequence (第N). Dates, names, models, classes, phases, standards... are not.
COUNTED = ("quantity", "ordinal")


def not_stated(claim_id: str, data_dir: Path | str | None = None) -> str:
    """ "报告未说明<claim>" for the register row ``claim_id``; an unknown id stops the page."""
    claims = load_table("not_stated", data_dir).set_index("id")
    if claim_id not in claims.index:
        raise KeyError(f"data/not_stated.csv has no row {claim_id!r}: add it (section, claim, absent words) first")
    return f"{NOT_STATED}{claims.loc[claim_id, 'claim_zh']}"


def figure_count(data_dir: Path | str | None = None, **where) -> int:
    """The figures the report gives (distinct indicators of counted numerals), optionally of one section."""
    numerals = load_table("numerals", data_dir)
    rows = numerals[numerals["kind"].isin(COUNTED)]
    if where:  # read only those rows, so an edit to another section's figure does not re-run the page
        rows = rows[rows["indicator_id"].isin(load_table("indicators", data_dir, **where)["id"])]
    return int(rows["indicator_id"].nunique())


def ai_named_items(data_dir: Path | str | None = None) -> tuple[int, int]:
    """(items the report names under the AI paragraph's five actions, kinds of platform named in its lead).

    The one count of "what the AI paragraph names", for every page that states it (2.1 and the AI page).
    """
    items = load_table("ai_items", data_dir)
    action = items["group_id"].map(load_table("ai_groups", data_dir).set_index("id")["action_id"])
    return int(action.notna().sum()), int(action.isna().sum())
