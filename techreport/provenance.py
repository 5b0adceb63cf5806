"""Provenance checks: every quote of data/ is the report's, and every "not stated" claim holds.

* Quotes: :func:`techreport.data.load_table` checks every ``*_quote`` cell against the report's
  text (:mod:`techreport.source`): verbatim, standing in one place, and, for figures, stating the
  value with its qualifier. :func:`check` loads every table.
* "Not stated": every "报告未说明…" of the book is a row of ``data/not_stated.csv``; the words that
  would contradict a claim must be absent from the section it is about (:func:`not_stated_problems`).
* What the book shows of the report: :mod:`techreport.shown` (the record) and
  :mod:`techreport.coverage` (every character of 2.1-2.3 shown or omitted with a reason).

Command line: ``python -m techreport.provenance check`` (quotes and claims) and
``python -m techreport.provenance coverage`` (the share of the report shown, and every gap).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import coverage
from .data import load_table, resource, table_names
from .present import glue_text
from .source import DATA_DIR, SOURCE_FILE, normalise, source

__all__ = ["NOT_STATED", "SOURCE_FILE", "ProvenanceError", "check", "deng_phrases", "glue_not_stated"]

#: The one term for "not stated", in data, prose, tables and chart notes (see README, house style).
NOT_STATED = "报告未说明"
SEPARATOR = "|"  # between the words of a not-stated claim


class ProvenanceError(ValueError):
    """A "not stated" claim is contradicted by the report."""


def not_stated_problems(data_dir: Path | str | None = None) -> list[str]:
    """A problem for each claim whose contradicting words occur in its section of the report."""
    data_dir = Path(data_dir or DATA_DIR).resolve()
    claims = load_table("not_stated", data_dir)
    path = resource("not_stated", data_dir)["path"]
    src = source(data_dir)
    problems = []
    for k, row in claims.iterrows():
        section = src.section_norm(row["section"])
        found = [w for w in row["absent_words"].split(SEPARATOR) if normalise(w) in section]
        if found:
            problems.append(
                f"data/{path}, row {k + 2}, column 'absent_words', claim {row['id']!r} ({NOT_STATED}{row['claim_zh']}): "
                f"section {row['section']} of the report does contain {'、'.join(map(repr, found))}; "
                "the claim is wrong, or these are not the words that would contradict it"
            )
    return problems


def check(data_dir: Path | str | None = None) -> dict:
    """Load every table (which checks its quotes) and check the claims; raise on any problem."""
    rows = quotes = 0
    for name in table_names(data_dir):
        if name == coverage.OMISSIONS:  # passages left out on purpose: checked like quotes, but they state no fact
            continue
        frame = load_table(name, data_dir)
        cols = [c for c in frame.columns if c.endswith("_quote")]
        if cols:
            rows += int(frame[cols].notna().any(axis=1).sum())
            quotes += int(frame[cols].notna().sum().sum())
    problems = not_stated_problems(data_dir)
    if problems:
        raise ProvenanceError("\n".join(problems))
    return {"rows": rows, "quotes": quotes, "claims": len(load_table("not_stated", data_dir))}


def glue_not_stated(topic: str, data_dir: Path | str | None = None) -> None:
    """Glue ``ns_<id>`` = "报告未说明<claim>" for every claim of ``topic`` (checked by the tests)."""
    claims = load_table("not_stated", data_dir)
    for _, row in claims[claims["topic"] == topic].iterrows():
        glue_text(f"ns_{row['id']}", f"{NOT_STATED}{row['claim_zh']}")


def deng_phrases(quotes) -> list[str]:
    """The distinct "…等" phrases in ``quotes``: the words before each 等 (up to a comma or 、)."""
    found = []
    for quote in dict.fromkeys(q for q in quotes if isinstance(q, str)):
        for m in re.finditer(r"([^,，、。；;“”]{1,12}?)等", quote):
            phrase = m.group(1).removeprefix("以及").removeprefix("推进").removeprefix("聚焦") + "等"
            if phrase not in found:
                found.append(phrase)
    return found


def main(argv: list[str]) -> int:
    what = argv[1] if len(argv) > 1 else "check"
    if what == "check":
        result = check()
        print(
            f"quotes checked: {result['quotes']} quotes in {result['rows']} rows, 0 failures; "
            f"'not stated' claims checked: {result['claims']}, 0 contradicted"
        )
        return 0
    if what == "coverage":
        return coverage.main()
    print("usage: python -m techreport.provenance [check|coverage]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
