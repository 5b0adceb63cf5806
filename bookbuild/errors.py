"""What the build tells a person: progress lines, and a failure as one short message they can act on.

A :class:`BuildError` is structured (``file``, ``line``, ``hint``, and for bad data the
``problems`` of :class:`techreport.data.DataError`), and its text names the file, the line or
row, what is wrong and what to do. ``python -m bookbuild`` prints it without a traceback.
Colour codes (IPython's tracebacks, Sphinx's warnings) are kept only on a terminal.
"""

from __future__ import annotations

import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def say(message: str) -> None:
    print(message, flush=True)


def plain(text: str) -> str:
    """``text`` without terminal colour codes."""
    return ANSI.sub("", text)


def for_stream(text: str, stream=None) -> str:
    """``text`` as it should be written to ``stream``: colour only on a terminal."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return text if isatty is not None and isatty() else plain(text)


class BuildError(RuntimeError):
    """A build that stopped; nothing was published.

    ``file``: the file to fix (relative to the repository), ``line``: its line (or a table's
    row), ``hint``: what to do, ``problems``: every data problem found (see
    ``techreport.data.Problem``), ``docs``: the pages Sphinx warned about (None: not known).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        problems: list | None = None,
        docs: list[str] | None = None,
    ):
        self.message, self.file, self.line, self.hint = message, file, line, hint
        self.problems = list(problems or [])
        self.docs = list(docs) if docs is not None else None
        super().__init__(self.text())

    def text(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}" + (f", line {self.line}" if self.line is not None else "") + ": "
        return where + self.message + (f"\n  What to do: {self.hint}" if self.hint else "")
