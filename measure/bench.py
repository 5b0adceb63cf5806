"""Benchmark the build, side by side with stock Jupyter Book, on this machine (not a test).

    python -m measure [--repeats 3] [--write-readme]
    python -m measure --scale [--sizes 12,48,192]     # `make bench ARGS=--scale`
    python -m measure --lighthouse [--presets mobile,desktop]   # measure.lighthouse
    python -m measure --pdf-space [book.pdf]          # measure.pdfspace: empty share of each PDF page

Every measurement runs on a fresh copy of the repository in a temporary folder:

* clean build: ours (no outputs, no _build) vs stock ``jupyter-book build`` with
  ``execute_notebooks: force`` on the same sources;
* no-change rebuild: ours vs stock with ``execute_notebooks: cache`` (second run);
* one CSV edited, one row of indicators.csv edited, and every row of it: our rebuild vs our
  clean build, and which notebooks re-ran;
* the live preview's save-to-visible seconds for the one-row edit and a one-cell edit, with
  the edited page held open (:mod:`measure.preview`);
* the nbval suite, and ``make pdf`` where TeX is installed;
* page weight and requests of the built site (``measure.web``), where Chromium is installed.

Prints one Markdown table (medians of the repeats); ``--write-readme`` also puts it in
README.md between the ``bench`` markers.

``--scale`` measures growth instead, on synthetic books (:mod:`measure.scale`), and
``--preview`` only the live preview's edit-to-visible times (:mod:`measure.preview`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bookbuild.sources import ROOT

from .preview import preview_latency
from .run import BIN, edit_line, executed, fresh_copy, ours, timed
from .scale import measure_scale, scale_table
from .web import measure_pages

#: The one-row edit: a value of one biomedicine row of indicators.csv (read by the pages that show it)
# a row's name (its value must agree with its quote, and the quote with the report)
ROW_EDIT = (
    "indicators.csv",
    "biomed_nmpa_approvals,",
    ",全年获国家药监局药品批件,",
    ",全年获国家药监局药品批件（测）,",
)


def stock(repo: Path, mode: str) -> float:
    config = repo / "_config.yml"
    config.write_text(
        re.sub(r'execute_notebooks: "off"', f'execute_notebooks: "{mode}"', config.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    return timed([str(BIN / "jupyter-book"), "build", ".", "--builder", "html"], repo)[0]


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(repeats: int, with_pdf: bool = True, with_preview: bool = True, with_stock: bool = True) -> dict:
    results: dict[str, list[float]] = {
        k: []
        for k in (
            "ours_clean",
            "stock_force",
            "ours_nochange",
            "stock_nochange",
            "ours_csv",
            "ours_row",
            "ours_indicators",
            "nbval",
        )
    }
    reexecuted: dict[str, list[str]] = {}
    edited = ""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        for i in range(repeats):
            print(f"repeat {i + 1}/{repeats}", flush=True)
            repo = fresh_copy(tmp, "ours")
            results["ours_clean"].append(ours(repo, "html")[0])
            results["ours_nochange"].append(ours(repo, "html")[0])
            # a section's table (the CSV fewest notebooks read), one row of indicators.csv, then
            # a change to every row of it (a line appended: every page that reads it runs)
            edited = least_read_csv(repo)
            for key in ("ours_csv", "ours_row", "ours_indicators"):
                if key == "ours_row":
                    name, start, old, new = ROW_EDIT
                    edit_line(repo / "data" / name, start, old, new)
                else:
                    csv = repo / "data" / (edited if key == "ours_csv" else "indicators.csv")
                    csv.write_text(csv.read_text(encoding="utf-8") + "\n", encoding="utf-8")
                seconds, out = ours(repo, "html")
                results[key].append(seconds)
                reexecuted[key] = executed(out)
            results["nbval"].append(
                timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "book"], ROOT)[0]
            )

            if not with_stock:
                continue
            repo = fresh_copy(tmp, "stock-force")
            results["stock_force"].append(stock(repo, "force"))
            repo = fresh_copy(tmp, "stock-cache")
            stock(repo, "cache")
            results["stock_nochange"].append(
                timed([str(BIN / "jupyter-book"), "build", ".", "--builder", "html"], repo)[0]
            )
        pdf = None
        if with_pdf and shutil.which("xelatex"):
            repo = fresh_copy(tmp, "pdf", strip_outputs=False)
            pdf = ours(repo, "pdf")[0]
        web = None
        try:
            web = measure_pages(ROOT / "_build" / "html")
        except Exception as exc:  # no Chromium, no built site: reported, not fatal
            print(f"page weight not measured: {exc}", flush=True)
    preview = None
    if with_preview:
        try:
            preview = preview_latency(repeats)
        except (Exception, SystemExit) as exc:  # reported, not fatal: the other figures stand
            print(f"preview not measured: {exc}", flush=True)
    notebooks = len(list((ROOT / "book").rglob("*.ipynb")))
    return {
        "results": {k: median(v) for k, v in results.items() if v},
        "reexecuted": reexecuted,
        "edited": edited,
        "notebooks": notebooks,
        "pdf": pdf,
        "web": web,
        "preview": preview,
        "repeats": repeats,
    }


def least_read_csv(repo: Path) -> str:
    """The data file that the fewest notebooks read (by the build's own record)."""
    state = json.loads((repo / "_build" / "state.json").read_text(encoding="utf-8"))
    readers: dict[str, int] = {}
    for record in state["notebooks"].values():
        for name in {e if isinstance(e, str) else e["file"] for e in record["reads"]}:
            readers[name] = readers.get(name, 0) + 1
    return min(sorted(n for n in readers if n.endswith(".csv")), key=lambda n: readers[n])


def table(m: dict) -> str:
    r = m["results"]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    stocked = "stock_force" in r
    rows = [
        (
            "Clean build (no outputs, no caches)",
            f"{r['ours_clean']:.1f} s",
            f"{r['stock_force']:.1f} s (force)" if stocked else "not run",
            f"{r['ours_clean'] / r['stock_force']:.2f}x stock" if stocked else "",
        ),
        (
            "No-change rebuild",
            f"{r['ours_nochange']:.2f} s",
            f"{r['stock_nochange']:.1f} s (cache)" if stocked else "not run",
            f"{r['ours_nochange'] / r['stock_nochange']:.3f}x stock" if stocked else "",
        ),
        (
            f"Rebuild after editing one CSV ({m['edited']})",
            f"{r['ours_csv']:.1f} s",
            "stale numbers (not re-run)",
            f"{r['ours_csv'] / r['ours_clean']:.2f}x our clean build; "
            f"{len(m['reexecuted']['ours_csv'])} of {m['notebooks']} notebooks re-executed",
        ),
        (
            "Rebuild after editing one biomedicine row of indicators.csv (a value)",
            f"{r['ours_row']:.1f} s",
            "stale numbers (not re-run)",
            f"{r['ours_row'] / r['ours_clean']:.2f}x our clean build; "
            f"{len(m['reexecuted']['ours_row'])} of {m['notebooks']} notebooks re-executed: "
            + ", ".join(Path(p).with_suffix("").as_posix().removeprefix("book/") for p in m["reexecuted"]["ours_row"]),
        ),
        (
            "Rebuild after a change to every row of indicators.csv (a line appended)",
            f"{r['ours_indicators']:.1f} s",
            "stale numbers (not re-run)",
            f"{r['ours_indicators'] / r['ours_clean']:.2f}x our clean build; "
            f"{len(m['reexecuted']['ours_indicators'])} of {m['notebooks']} notebooks re-executed",
        ),
        ("nbval over every notebook", f"{r['nbval']:.1f} s", "", ""),
    ]
    for name, what in (("row", "one indicators.csv row"), ("cluster", "one industry_clusters.csv cell")):
        p = (m.get("preview") or {}).get(name)
        if p:
            rows.append(
                (
                    f"Preview: {what} edited, save to visible on the open page ({p['page']})",
                    f"{median(p['edit_to_visible']):.1f} s",
                    "",
                    "median of "
                    + ", ".join(f"{s:.1f}" for s in p["edit_to_visible"])
                    + " s; notebooks re-run "
                    + "/".join(map(str, p["notebooks"])),
                )
            )
    if m["pdf"] is not None:
        rows.append(("`make pdf` (notebooks up to date)", f"{m['pdf']:.1f} s", "", ""))
    if m["web"]:
        pages = m["web"]
        worst = max(pages, key=lambda p: p["code_gzip_bytes"])
        content = [p for p in pages if p["page"] != "search.html"]
        heaviest = max(content, key=lambda p: p["code_gzip_bytes"])
        rows.append(
            (
                "Page weight, HTML+CSS+JS gzipped: heaviest content page / search page",
                f"{heaviest['code_gzip_bytes'] / 1000:.0f} kB / "
                f"{next(p for p in pages if p['page'] == 'search.html')['code_gzip_bytes'] / 1000:.0f} kB",
                "about 870 kB",
                f"{heaviest['page']}; {worst['page']} heaviest of {len(pages)} pages",
            )
        )
        rows.append(
            (
                "Requests per page (max); off-site requests (all pages)",
                f"{max(p['requests'] for p in pages)}; {sum(len(p['offsite_requests']) for p in pages)}",
                "about 30; CDN (jsdelivr)",
                "",
            )
        )
    lines = [
        f"Measured by `make bench` on {machine}; medians of {m['repeats']} runs.",
        "",
        "| What | Ours | Stock Jupyter Book | Ratio / note |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    body = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in body:
        raise SystemExit("README.md has no <!-- bench:start --> marker")
    before, rest = body.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF timing")
    parser.add_argument("--no-preview", action="store_true", help="skip the preview's edit-to-visible timing")
    parser.add_argument("--no-stock", action="store_true", help="skip stock Jupyter Book (its columns read 'not run')")
    parser.add_argument("--from-json", action="store_true", help="re-print the last run (_build/bench.json)")
    parser.add_argument("--scale", action="store_true", help="growth with the book's size, ours vs stock")
    parser.add_argument("--sizes", default="12,48,192", help="pages of the synthetic books (with --scale)")
    parser.add_argument("--stock-max", type=int, help="with --scale: stock Jupyter Book only up to this many pages")
    parser.add_argument("--preview", action="store_true", help="the live preview's edit-to-visible seconds")
    parser.add_argument("--lighthouse", action="store_true", help="Lighthouse on every built page (measure.lighthouse)")
    parser.add_argument("--pdf-space", action="store_true", help="empty share of each PDF page (measure.pdfspace)")
    args, rest = parser.parse_known_args(argv)
    if args.lighthouse or args.pdf_space:
        from . import lighthouse, pdfspace

        return (lighthouse if args.lighthouse else pdfspace).main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.scale or args.preview:
        raw = ROOT / "_build" / ("bench-scale.json" if args.scale else "bench-preview.json")
        if args.from_json:
            measured = json.loads(raw.read_text(encoding="utf-8"))
        elif args.scale:
            measured = measure_scale([int(n) for n in args.sizes.split(",")], args.stock_max)
        else:
            measured = preview_latency(args.repeats)
        raw.parent.mkdir(exist_ok=True)
        raw.write_text(json.dumps(measured, indent=1), encoding="utf-8")
        print(scale_table(measured) if args.scale else json.dumps(measured))
        return 0
    raw = ROOT / "_build" / "bench.json"
    if args.from_json:
        measured = json.loads(raw.read_text(encoding="utf-8"))
    else:
        measured = measure(
            args.repeats, with_pdf=not args.no_pdf, with_preview=not args.no_preview, with_stock=not args.no_stock
        )
        raw.parent.mkdir(exist_ok=True)
        raw.write_text(json.dumps(measured, indent=1, default=str), encoding="utf-8")
    text = table(measured)
    print(text)
    if args.write_readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
