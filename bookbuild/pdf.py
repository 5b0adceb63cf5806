"""The PDF edition: check what LaTeX made, keep the PDF and its log.

``python -m bookbuild pdf`` (``make pdf``) runs Jupyter Book's LaTeX route
(``--builder pdflatex``; xelatex, xeCJK, the preamble in ``tools/latex/``) into
``_build/stage-pdf`` and then calls :func:`finish`, which refuses a PDF a reader should not
get: a LaTeX error, a character no font could draw, text pushed into the margin, a page
whose content runs off its bottom (a table taller than the page: its last rows are lost). What it
returns is published as ``_build/pdf/`` (``book.pdf`` and ``book.log``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

PDF = "book.pdf"
LOG = "book.log"
# Environment for `make all-pdf` in the LaTeX folder: never stop for input, little noise, and room for
# the runs that place long tables (tools/latex/techreport.sty: a fix takes two runs, and one fix can
# move the next table; latexmk stops at 5 runs by default). make reads $$ as $; the quotes keep the
# shell from reading it.
MAX_RUNS = 9
LATEX_ENV = {
    "LATEXOPTS": "-interaction=nonstopmode -halt-on-error -file-line-error",
    "LATEXMKOPTS": f"-silent -e '$$max_repeat={MAX_RUNS}'",
}
# An overfull box wider than this (in pt) is text that runs into the margin or off the page.
OVERFULL_LIMIT_PT = 2.0

_MISSING = re.compile(r"^Missing character: There is no (.+?) in font (.+?)!", re.M)
_OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (.*)$", re.M)
# Any overfull \vbox: on a page (\output) it is content cut off at the bottom of the page.
_OVERFULL_VBOX = re.compile(r"^Overfull \\vbox \((\d+(?:\.\d+)?)pt too high\) (.*)$", re.M)
_ERROR = re.compile(r"^(?:! |.+:\d+: )(.+)$", re.M)


class PdfError(RuntimeError):
    pass


def read_log(path: Path) -> str:
    # TeX writes the log in the input encoding, wrapped at 79 bytes (may split a character).
    return path.read_bytes().decode("utf-8", errors="replace")


def problems(log: str) -> list[str]:
    """What in a LaTeX log makes the PDF unfit to publish, one line each."""
    found = [f"missing character {char} in font {font}" for char, font in _MISSING.findall(log)]
    found += [
        f"overfull box, {width} pt too wide: {where.strip()}"
        for width, where in _OVERFULL.findall(log)
        if float(width) > OVERFULL_LIMIT_PT
    ]
    found += [
        f"overfull page or block, {height} pt too high (content cut off): {where.strip()}"
        for height, where in _OVERFULL_VBOX.findall(log)
    ]
    return sorted(set(found))


def errors(latex_dir: Path) -> str:
    """The LaTeX error lines of a failed run (for the build's message)."""
    log = latex_dir / LOG
    if not log.exists():
        return f"no {LOG} in {latex_dir}"
    lines = _ERROR.findall(read_log(log))
    return "\n".join(dict.fromkeys(lines)) or f"no error line in {log}; see the messages above"


#: What tools/latex/techreport.sty writes to the .aux file to fix a long table's page break. A fix
#: is keyed by the table's place in the book and, once made, written again on every run (so the
#: runs converge): kept from an earlier build, it would break a table whose text has since changed
#: where that text no longer needs it (a page left 85% empty).
_LAYOUT_FIX = re.compile(r"^\\techreport@ltfix\{.*\n?", re.M)


def forget_layout_fixes(aux: Path) -> int:
    """Drop the long-table fixes of an earlier build from ``aux``: this build makes its own. Returns how many."""
    if not aux.exists():
        return 0
    text = aux.read_text(encoding="utf-8", errors="replace")
    kept, n = _LAYOUT_FIX.subn("", text)
    if n:
        aux.write_text(kept, encoding="utf-8")
    return n


def finish(built: Path) -> Path:
    """Check the LaTeX build in ``built``; return a folder holding book.pdf and book.log."""
    pdf, log = built / PDF, built / LOG
    if not pdf.exists() or not log.exists():
        raise PdfError(f"LaTeX made no {PDF} in {built}:\n{errors(built)}")
    bad = problems(read_log(log))
    if bad:
        raise PdfError("the PDF is not fit to publish (" + str(log) + "):\n  " + "\n  ".join(bad))
    out = Path(tempfile.mkdtemp(prefix="pdf-", dir=built.parent))
    shutil.copy2(pdf, out / PDF)
    shutil.copy2(log, out / LOG)
    return out
