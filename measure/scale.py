"""How build costs grow with the book (not a test).

    python -m measure --scale [--sizes 12,48,192]   # `make bench-scale` (SIZES=12,48)

A synthetic book of N pages is the real one copied: the front page, then as many whole
copies of the chapter's 10 notebook pages as fit, then single copies of self-contained pages
(no link to another page) for the rest; the back matter (原文对照) is left out. Every copy gets its own renamed data: each table
``x`` it reads becomes ``x_cK`` (a new CSV file and datapackage resource, foreign keys
renamed along), and every figure and table label gets the suffix ``-cK``, so no two pages
share a data file or a label by accident. (The district boundaries that techreport.maps
reads by a fixed name stay shared: no edit touches them.)

For each size: the clean build (no outputs, no _build), the no-change rebuild and the rebuild
after a value edit in one CSV (``industry_clusters.csv``, read by one page of the first copy),
ours against stock Jupyter Book. Stock runs with ``execute_notebooks: cache``: its first run
executes everything (its clean build), its second is its no-change rebuild, and after the
edit it rebuilds without re-running the page (its cache keys on code: stale numbers).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from .run import BIN, executed, fresh_copy, ours, timed

CHAPTER = "book"
EDIT_CSV, EDIT_OLD, EDIT_NEW = "industry_clusters.csv", "北斗导航", "北斗导航与位置服务"
EDIT_PAGE = "book/2-3-platforms/index.html"
NOCHANGE_RUNS = 5  # a no-change rebuild takes tens of milliseconds: the median of a few runs
LABEL = re.compile(r"\b((?:tbl|fig)-[a-z0-9-]+)")


def chapter_pages(repo: Path) -> list[str]:
    """The chapter's notebook pages in toc order (paths without suffix)."""
    files = re.findall(r"^\s*-?\s*file:\s*(\S+)\s*$", (repo / "_toc.yml").read_text(encoding="utf-8"), re.M)
    return [f for f in files if (repo / f"{f}.ipynb").exists()]


def self_contained(repo: Path, page: str) -> bool:
    """A page that links to no other page ({doc} role or a relative .md/.ipynb link)."""
    text = (repo / f"{page}.ipynb").read_text(encoding="utf-8")
    return "{doc}" not in text and not re.search(r"\]\((?!https?:)[^)]*\.(?:md|ipynb)", text)


def rename_notebook(source: Path, target: Path, tables: set[str], suffix: str) -> None:
    """Copy a notebook with its tables and labels renamed (``_cK`` and ``-cK``)."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        text = LABEL.sub(lambda m: f"{m.group(1)}-{suffix}", text)
        if cell["cell_type"] == "code":
            # Table names where the code names a table: load_table("x") and tables=[...] (the CSV links).
            name = re.compile(
                r"""(["'])({})\1""".format("|".join(map(re.escape, sorted(tables, key=len, reverse=True))))
            )
            rename = lambda m: name.sub(lambda n: f"{n.group(1)}{n.group(2)}_{suffix}{n.group(1)}", m.group(0))  # noqa: E731, B023 (used at once)
            text = re.sub(r"""load_table\([^)]*\)|tables\s*=\s*(\[[^\]]*\]|"[^"]*"|'[^']*')""", rename, text)
        cell["source"] = text
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def copy_tables(repo: Path, suffix: str) -> set[str]:
    """Add a renamed copy of every CSV table to data/ and datapackage.json; return the names."""
    package_file = repo / "data" / "datapackage.json"
    package = json.loads(package_file.read_text(encoding="utf-8"))
    originals = [
        r
        for r in package["resources"]
        if r.get("profile") == "tabular-data-resource" and not re.search(r"_[cl]\d+$", r["name"])
    ]
    names = {r["name"] for r in originals}
    for res in originals:
        new = json.loads(json.dumps(res))
        new["name"] = f"{res['name']}_{suffix}"
        new["path"] = f"{Path(res['path']).stem}_{suffix}{Path(res['path']).suffix}"
        for fk in new.get("schema", {}).get("foreignKeys", []):
            if fk["reference"].get("resource") in names:
                fk["reference"]["resource"] = f"{fk['reference']['resource']}_{suffix}"
        shutil.copy2(repo / "data" / res["path"], repo / "data" / new["path"])
        package["resources"].append(new)
    package_file.write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return names


def synthetic_book(parent: Path, pages: int, name: str) -> Path:
    """A copy of the repository whose book has ``pages`` pages (see the module docstring)."""
    repo = fresh_copy(parent, name)
    toc = yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))
    # The back matter (原文对照) goes, at every size, as it went before it became a Sphinx page
    # built from the records: its cost would otherwise grow with the copies' records.
    for part in toc["parts"][1:]:
        for entry in part["chapters"]:
            for page in (repo / entry["file"]).parent.glob(Path(entry["file"]).name + ".*"):
                page.unlink()
    toc["parts"] = toc["parts"][:1]
    (repo / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    chapter = chapter_pages(repo)
    whole, rest = divmod(pages - 1 - len(chapter), len(chapter))
    leaves = [p for p in chapter if self_contained(repo, p)]
    if pages - 1 < len(chapter) or not leaves:
        raise SystemExit(f"a synthetic book needs at least {len(chapter) + 1} pages")
    units = [("whole", k) for k in range(1, whole + 1)] + [("leaf", k) for k in range(1, rest + 1)]
    for kind, k in units:
        suffix = f"c{k}" if kind == "whole" else f"l{k}"
        tables = copy_tables(repo, suffix)
        if kind == "whole":
            for page in chapter:
                target = page.replace(f"{CHAPTER}/", f"{CHAPTER}/copy-{k}/", 1)
                rename_notebook(repo / f"{page}.ipynb", repo / f"{target}.ipynb", tables, suffix)
            part = json.loads(json.dumps(toc["parts"][0]).replace(f'"{CHAPTER}/', f'"{CHAPTER}/copy-{k}/'))
            part["caption"] = f"{part['caption']}（副本 {k}）"
            part.pop("numbered", None)
            toc["parts"].append(part)
        else:
            page = leaves[(k - 1) % len(leaves)]
            target = f"{CHAPTER}/leaf-{k}/{Path(page).name}"
            rename_notebook(repo / f"{page}.ipynb", repo / f"{target}.ipynb", tables, suffix)
            toc["parts"].append({"caption": f"附页 {k}", "chapters": [{"file": target}]})
    (repo / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return repo


def edit_value(repo: Path) -> None:
    csv = repo / "data" / EDIT_CSV
    text = csv.read_text(encoding="utf-8")
    assert EDIT_OLD in text, f"{EDIT_CSV} no longer holds {EDIT_OLD!r}: pick another edit"
    csv.write_text(text.replace(EDIT_OLD, EDIT_NEW, 1), encoding="utf-8")


def stock_build(repo: Path) -> float:
    return timed([str(BIN / "jupyter-book"), "build", ".", "--builder", "html"], repo)[0]


def measure_size(parent: Path, pages: int, stock: bool = True) -> dict:
    row: dict = {"pages": pages}
    started = time.perf_counter()
    repo = synthetic_book(parent, pages, f"ours-{pages}")
    row["notebooks"] = len(list((repo / CHAPTER).rglob("*.ipynb")))
    row["ours_clean"] = ours(repo, "html")[0]
    row["ours_nochange"] = statistics.median(ours(repo, "html")[0] for _ in range(NOCHANGE_RUNS))
    edit_value(repo)
    seconds, out = ours(repo, "html")
    row["ours_edit"], row["ours_edit_executed"] = seconds, len(executed(out))
    assert EDIT_NEW in (repo / "_build" / "html" / EDIT_PAGE).read_text(encoding="utf-8")
    shutil.rmtree(repo)
    row["ours_total"] = time.perf_counter() - started
    if not stock:
        print(json.dumps(row), flush=True)
        return row
    started = time.perf_counter()
    repo = synthetic_book(parent, pages, f"stock-{pages}")
    config = repo / "_config.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('execute_notebooks: "off"', 'execute_notebooks: "cache"'),
        encoding="utf-8",
    )
    row["stock_clean"] = stock_build(repo)
    row["stock_nochange"] = stock_build(repo)
    edit_value(repo)
    row["stock_edit"] = stock_build(repo)
    shutil.rmtree(repo)
    row["stock_total"] = time.perf_counter() - started
    print(json.dumps(row), flush=True)
    return row


def measure_scale(sizes: list[int], stock_max: int | None = None) -> dict:
    """Rows per size; stock Jupyter Book only up to ``stock_max`` pages (it executes serially)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        rows = [measure_size(Path(tmp), n, stock_max is None or n <= stock_max) for n in sizes]
    return {"rows": rows, "seconds": time.perf_counter() - started}


def scale_table(m: dict) -> str:
    rows = m["rows"]
    first, last = rows[0], rows[-1]
    lines = [
        "| Pages | Clean: ours / stock (ratio) | No change: ours / stock | One CSV value edited: ours "
        "(notebooks re-run) / stock (not re-run) |",
        "| --- | --- | --- | --- |",
    ]

    def s_(r, key, fmt=".1f"):
        return f"{r[key]:{fmt}} s" if key in r else "not run"

    for r in rows:
        ratio = f" ({r['ours_clean'] / r['stock_clean']:.2f}x)" if "stock_clean" in r else ""
        lines.append(
            f"| {r['pages']} | {r['ours_clean']:.1f} s / {s_(r, 'stock_clean')}{ratio} | "
            f"{r['ours_nochange']:.2f} s / {s_(r, 'stock_nochange')} | {r['ours_edit']:.1f} s "
            f"({r['ours_edit_executed']}) / {s_(r, 'stock_edit')} |"
        )
    if len(rows) > 1:

        def g(key, r=last):
            return f"{r[key] / first[key]:.2f}x" if key in r and key in first else "—"

        lines.append(
            f"| growth {first['pages']}->{last['pages']} | {g('ours_clean')} / {g('stock_clean')} | "
            f"{g('ours_nochange')} / {g('stock_nochange')} | {g('ours_edit')} / {g('stock_edit')} |"
        )
        stocked = [r for r in rows if "stock_clean" in r]
        if len(stocked) > 1 and stocked[-1] is not last:
            top = stocked[-1]
            lines.append(
                f"| growth {first['pages']}->{top['pages']} | {g('ours_clean', top)} / "
                f"{g('stock_clean', top)} | {g('ours_nochange', top)} / {g('stock_nochange', top)} | "
                f"{g('ours_edit', top)} / {g('stock_edit', top)} |"
            )
    lines += [
        "",
        f"Whole `--scale` run: {m['seconds'] / 60:.0f} min (ours {sum(r['ours_total'] for r in rows) / 60:.1f} "
        f"min, stock {sum(r.get('stock_total', 0) for r in rows) / 60:.1f} min).",
    ]
    return "\n".join(lines)
