"""Lighthouse over every page of the built site, phone and desktop: a benchmark, not a test.

    python -m measure.lighthouse [--site _build/html] [--presets mobile,desktop] [--pages a.html,b.html]
    make bench ARGS=--lighthouse

Lighthouse is an npm package, installed on first use into ``tools/lighthouse`` (git-ignored, outside the book) with
the ordinary client (``npm install lighthouse@LIGHTHOUSE_VERSION``); it drives Debian's
``/usr/bin/chromium`` through CHROME_PATH with the house flags (:data:`measure.web.CHROMIUM_ARGS`),
and never downloads a browser. The site is served as :func:`measure.web.serve` serves it
(gzipped, as any host would). Prints one row per page and preset: performance, accessibility,
best practices, SEO (0-100), the paint and blocking timings behind performance, and the binary
audits that failed; the raw scores go to
``_build/lighthouse.json``.

The scores depend on the machine's load (performance most): on a busy machine run it alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from bookbuild.sources import ROOT

from .web import html_pages, lighthouse, serve

LIGHTHOUSE_VERSION = "12.2.3"  # runs on Node 20 (Debian's nodejs)
CACHE = ROOT / "tools" / "lighthouse"  # git-ignored; tools/ lies outside the book (_config.yml)
BINARY = CACHE / "node_modules" / ".bin" / "lighthouse"
PRESETS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def install() -> Path:
    """The lighthouse binary, installed into tools/lighthouse on first use."""
    if BINARY.exists():
        return BINARY
    if shutil.which("npm") is None:
        raise SystemExit("measure.lighthouse needs npm (Debian: apt-get install npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )
    return BINARY


def run(site: Path, presets: list[str], pages: list[str] | None = None) -> list[dict]:
    binary = install()
    rows = []
    with serve(site) as base:
        for page in pages or html_pages(site):
            for preset in presets:
                scores = lighthouse(base + page, binary=str(binary), preset=preset)
                rows.append({"page": page, "preset": preset, **scores})
                print(format_row(rows[-1]), flush=True)
    return rows


def format_row(row: dict) -> str:
    scores = " ".join(f"{row.get(c, '-'):>5}" for c in CATEGORIES)
    timings = " ".join(f"{row.get(k, '-'):>6}" for k in ("fcp_ms", "lcp_ms", "tbt_ms", "cls"))
    failed = ", ".join(row.get("failed_audits", []))
    return f"{row['page']:<44} {row['preset']:<8} {scores} {timings}  {failed}"


def header() -> str:
    return (
        f"{'page':<44} {'preset':<8} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} "
        f"{'FCP ms':>6} {'LCP ms':>6} {'TBT ms':>6} {'CLS':>6}  failed audits"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--pages", help="comma-separated pages relative to the site (default: every page)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        raise SystemExit(f"no built site in {args.site}: run `make book` first")
    print(header(), flush=True)
    rows = run(args.site, args.presets.split(","), args.pages.split(",") if args.pages else None)
    out = ROOT / "_build" / "lighthouse.json"
    out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    for preset in args.presets.split(","):
        mine = [r for r in rows if r["preset"] == preset]
        lows = {c: min(r[c] for r in mine) for c in CATEGORIES}
        print(f"lowest ({preset}, {len(mine)} pages): " + ", ".join(f"{c} {v}" for c, v in lows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
