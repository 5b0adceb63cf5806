"""Empty space on the PDF's pages: how much of each page's text block is left blank.

    python -m measure.pdfspace [_build/pdf/book.pdf] [--over 20] [--all]
    make bench ARGS="--pdf-space"

A benchmark figure, not a test. For each page, everything drawn inside the text block (text,
rules, table bands, the charts' vector paths and images) is projected onto the vertical axis;
a blank stretch of at least :data:`HOLE_PT` (two lines of body text: more than any heading's or
float's own spacing) counts as empty, and so does the blank foot below the last thing on the
page. The share is that empty height over the text block's height (on a chapter's first page,
only what lies below its title is measured). Pages that end a chapter
(the next page opens one, or the book ends) and the front matter before the first chapter are
listed apart: a chapter starts on a new page, so its last page is short by design.

The text block is the page less the vertical margins of ``_config.yml``'s ``sphinxsetup``
(``vmargin``); the running head and the page number lie outside it.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bookbuild.sources import ROOT

#: A blank stretch at least this tall (pt) is a hole: two lines of 11 pt text at 1.25 × 1.2 leading
#: are 33 pt, more than the space above a section's title or around a float.
HOLE_PT = 33.0
#: Size (pt) from which a bold line is a chapter's title (\Huge, 24.9 pt).
CHAPTER_TITLE_PT = 20.0
CM = 72 / 2.54


def vmargin_pt(config: Path = ROOT / "_config.yml") -> tuple[float, float]:
    """Top and bottom margins (pt) from ``sphinxsetup: vmargin={top,bottom}`` in _config.yml."""
    text = yaml.safe_load(config.read_text(encoding="utf-8"))
    setup = text["sphinx"]["config"]["latex_elements"]["sphinxsetup"]
    found = re.search(r"vmargin=\{?([\d.]+)cm(?:,([\d.]+)cm)?", setup)
    if not found:
        raise SystemExit(f"{config}: no vmargin=...cm in latex_elements.sphinxsetup")
    top = float(found[1]) * CM
    return top, float(found[2] or found[1]) * CM


@dataclass
class PageSpace:
    page: int  # 1-based, as a PDF viewer counts
    label: str  # the printed page number ("" when none is printed)
    share: float  # empty share of the text block, 0-1
    holes: list[tuple[float, float]]  # (top, height) in pt of each hole
    kind: str  # "body", "chapter end" or "front matter"


def _spans(page, top: float, bottom: float) -> list[tuple[float, float]]:
    spans = []
    for obj in page.chars + page.rects + page.lines + page.curves + page.images:
        t, b = max(obj["top"], top), min(obj["bottom"], bottom)
        if obj["top"] < bottom and obj["bottom"] > top and b >= t:
            spans.append((t, b))
    return sorted(spans)


def measure(pdf_path: Path) -> list[PageSpace]:
    import pdfplumber

    top_margin, bottom_margin = vmargin_pt()
    results = []
    with pdfplumber.open(pdf_path) as pdf:
        titles = []  # per page: the foot of a chapter's title on it, or None
        for page in pdf.pages:
            big = [
                c
                for c in page.chars
                if c["size"] > CHAPTER_TITLE_PT and c["top"] > top_margin and "Bold" in c["fontname"]
            ]
            titles.append(max(c["bottom"] for c in big) if big else None)
        chapter_starts = [t is not None for t in titles]
        first_chapter = chapter_starts.index(True) if True in chapter_starts else 0
        for index, page in enumerate(pdf.pages):
            # a chapter's opening page is measured from below its title (the title's own space is design)
            top, bottom = titles[index] or top_margin, page.height - bottom_margin
            holes, reached = [], top
            for t, b in _spans(page, top, bottom):
                if t - reached >= HOLE_PT:
                    holes.append((reached, t - reached))
                reached = max(reached, b)
            if bottom - reached >= HOLE_PT:
                holes.append((reached, bottom - reached))
            foot = "".join(c["text"] for c in page.chars if c["top"] > bottom).strip()
            last = index + 1 == len(pdf.pages)
            kind = (
                "front matter"
                if index < first_chapter
                else "chapter end"
                if last or chapter_starts[index + 1]
                else "body"
            )
            share = sum(h for _, h in holes) / (bottom - top_margin)
            results.append(PageSpace(index + 1, foot, share, [(round(t), round(h)) for t, h in holes], kind))
    return results


def report(pages: list[PageSpace], over: float = 0.20, show_all: bool = False) -> str:
    body = [p for p in pages if p.kind == "body"]
    lines = [f"{'pdf p.':>6} {'printed':>7} {'empty':>6}  holes (top pt, height pt)  kind"]
    shown = pages if show_all else sorted(body, key=lambda p: -p.share)[:10]
    for p in shown:
        lines.append(f"{p.page:>6} {p.label:>7} {p.share:>6.1%}  {p.holes}  {p.kind}")
    over_pages = [p for p in body if p.share > over]
    lines.append(
        f"body pages: {len(body)}; over {over:.0%} empty: {len(over_pages)} "
        f"({', '.join(f'p. {p.label or p.page} {p.share:.0%}' for p in over_pages) or 'none'}); "
        f"mean {sum(p.share for p in body) / max(len(body), 1):.1%}; total pages {len(pages)}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=ROOT / "_build" / "pdf" / "book.pdf")
    parser.add_argument("--over", type=float, default=20.0, help="count the body pages more than this %% empty")
    parser.add_argument("--all", action="store_true", help="every page, in order (default: the 10 emptiest)")
    args = parser.parse_args(argv)
    if not args.pdf.exists():
        raise SystemExit(f"no PDF at {args.pdf}: run `make pdf` first")
    print(report(measure(args.pdf), args.over / 100, args.all))
    return 0


if __name__ == "__main__":
    sys.exit(main())
