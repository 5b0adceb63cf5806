"""A one-row data edit rebuilds the pages that show the row, and only them (issue 18, "Re-execution is
per file"; bookbuild/sphinx/datafiles.py and the 数据表 record of bookbuild/sphinx/figures.py).

Every page links the CSV files it reads; Sphinx's own ``{download}`` made each link a dependency,
so an edit of one row of indicators.csv had Sphinx read and write again every page linking the file.
"""

from __future__ import annotations

import csv
import io
import pickle
import re
from pathlib import Path
from types import SimpleNamespace

from helpers import build_book

CSV = "data/indicators.csv"
ROW = "biomed_nmpa_approvals"  # a biomedicine row: its page, its section's page and the overview show it
OLD, NEW = "全年获国家药监局药品批件", "全年获国家药监局药品批件（改）"
SHOW = ["book/2-1-three-fields/biomed", "book/2-1-three-fields/index", "book/overview"]
#: links indicators.csv (图 2-3 draws four AI rows of it) and shows nothing of the biomedicine row
UNRELATED = "book/2-1-three-fields/ai"
STAGE = Path("_build/stage-html/_build")


def edit_name(repo: Path, row: str, old: str, new: str) -> None:
    """Set ``name_zh`` of indicators.csv's row ``row`` from ``old`` to ``new`` (nothing else of the file changes)."""
    path = repo / CSV
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (i,) = [k for k, line in enumerate(lines) if line.startswith(row + ",")]
    assert f",{old}," in lines[i], lines[i]
    lines[i] = lines[i].replace(f",{old},", f",{new},", 1)
    path.write_text("".join(lines), encoding="utf-8")


def data_table_cells(html: str, label: str) -> list[str]:
    """The cells of the 数据表 panels under figure ``label``."""
    panels = re.findall(rf'<caption id="data-{label}-\d+">.*?</table>', html, re.S)
    return [cell for panel in panels for cell in re.findall(r"<td>(.*?)</td>", panel)]


def test_a_row_edit_rebuilds_the_pages_that_show_it_and_no_other(repo: Path):
    site, doctrees = repo / "_build" / "html", repo / STAGE / ".doctrees"
    read_at = {doc: (doctrees / f"{doc}.doctree").stat().st_mtime_ns for doc in [*SHOW, UNRELATED]}
    unrelated_page = (site / f"{UNRELATED}.html").read_bytes()
    assert OLD in data_table_cells((site / f"{SHOW[0]}.html").read_text(encoding="utf-8"), "fig-biomed-approvals")

    edit_name(repo, ROW, OLD, NEW)
    build_book("html", repo)

    for doc in SHOW:
        html = (site / f"{doc}.html").read_text(encoding="utf-8")
        assert NEW in html, f"{doc} does not show the edited row"
    biomed = (site / f"{SHOW[0]}.html").read_text(encoding="utf-8")
    cells = data_table_cells(biomed, "fig-biomed-approvals")
    assert NEW in cells and OLD not in cells, f"图 2-5's 数据表 does not show the edited row: {cells}"
    # the file the pages link is the edited CSV
    (href,) = set(re.findall(r'href="([^"]*indicators\.csv)" download="indicators\.csv"', biomed))
    linked = (site / SHOW[0]).parent / href
    assert linked.resolve().read_bytes() == (repo / CSV).read_bytes(), f"{href} is not the current {CSV}"
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(linked.read_text(encoding="utf-8")))}
    assert rows[ROW]["name_zh"] == NEW

    # the page that shows nothing of the row: neither read again by Sphinx nor written
    assert (doctrees / f"{UNRELATED}.doctree").stat().st_mtime_ns == read_at[UNRELATED], (
        f"{UNRELATED} was read again although it does not show {ROW}"
    )
    assert (site / f"{UNRELATED}.html").read_bytes() == unrelated_page
    for doc in SHOW:
        assert (doctrees / f"{doc}.doctree").stat().st_mtime_ns != read_at[doc], f"{doc} was not read again"


def test_a_page_is_outdated_when_its_data_table_rows_change(repo: Path):
    """The 数据表 record alone (no notebook runs here): Sphinx's saved environment and the edited data
    name the pages whose figures' 数据表 rows changed, and not the pages that link the file."""
    from bookbuild.sphinx import figures

    with (repo / STAGE / ".doctrees" / "environment.pickle").open("rb") as fh:
        env = pickle.load(fh)
    app = SimpleNamespace(srcdir=str(repo), env=env)

    def outdated() -> list[str]:
        return figures._data_outdated(app, env, set(), set(), set())

    assert outdated() == []
    rows = csv.DictReader(io.StringIO((repo / CSV).read_text(encoding="utf-8")))
    ai_row = next(r for r in rows if r["topic"] == "ai")
    cells = data_table_cells(
        (repo / "_build" / "html" / f"{UNRELATED}.html").read_text(encoding="utf-8"), "fig-ai-structure"
    )
    assert ai_row["name_zh"] in cells, "图 2-3 no longer shows the first AI indicator: pick another row"
    edit_name(repo, ai_row["id"], ai_row["name_zh"], ai_row["name_zh"] + "（改）")
    app.techreport_only = {SHOW[0]}  # a build of the open page only (the preview's) leaves the check
    assert outdated() == []
    app.techreport_only = None  # to the next build
    assert outdated() == [UNRELATED]
    edit_name(repo, ROW, OLD, NEW)  # and the biomedicine row, which 图 2-5 shows
    assert outdated() == sorted([UNRELATED, SHOW[0]])


# The preview's build (bookbuild.preview: a Session, the open pages named by ``first``), run in the
# copy; at each publish it notes which pages show the edit and whether 原文对照 was read again.
PREVIEW_BUILD = """
import json, sys
from pathlib import Path
from bookbuild.build import Session, build
pages, new = json.loads(sys.argv[1]), sys.argv[2]
site, doctrees = Path("_build/html"), Path("_build/stage-html/_build/.doctrees")
seen = []
def shown(changed):
    seen.append({
        "shows": sorted(doc for doc in pages if new in (site / f"{doc}.html").read_text(encoding="utf-8")),
        "concordance read at": (doctrees / "book/concordance.doctree").stat().st_mtime_ns,
    })
session = Session()
try:
    build("html", session=session, first=lambda: [pages[0]], shown=shown)
finally:
    session.close()
print("PUBLISHES " + json.dumps(seen))
"""


def test_the_preview_publishes_the_open_page_first(repo: Path):
    """The open page's notebook runs alone and Sphinx builds that page alone: it is published
    before the other pages that show the row and before 原文对照 is read again; they follow."""
    import json
    import os
    import subprocess
    import sys

    concordance = repo / STAGE / ".doctrees" / "book" / "concordance.doctree"
    before = concordance.stat().st_mtime_ns
    edit_name(repo, ROW, OLD, NEW)
    result = subprocess.run(
        [sys.executable, "-c", PREVIEW_BUILD, json.dumps(SHOW), NEW],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ran = re.findall(r"\[\d+/\d+\] (\S+)\.ipynb", result.stdout)
    assert ran[0] == SHOW[0] and sorted(ran) == sorted(SHOW), f"notebooks ran in this order: {ran}"
    publishes = json.loads(result.stdout.split("PUBLISHES ", 1)[1])
    assert publishes, f"nothing was published before the build ended:\n{result.stdout}"
    first = publishes[0]
    assert first["shows"] == [SHOW[0]], f"at the first publish, these pages show the edit: {first['shows']}"
    assert first["concordance read at"] == before, "原文对照 was read again before the open page was published"
    site = repo / "_build" / "html"
    for doc in SHOW:  # and at the end, every page
        assert NEW in (site / f"{doc}.html").read_text(encoding="utf-8"), f"{doc} does not show the edit"
    assert concordance.stat().st_mtime_ns != before, "原文对照 was not read again at the end"


def test_a_warm_kernel_has_frozen_what_it_loaded(tmp_path: Path):
    """The pool's warm-up ends with gc.freeze(): the modules it loaded (pandas, matplotlib, the CJK
    font) are left out of every later garbage collection, and the full collection that %reset runs
    before each notebook (bookbuild.kernels.PREAMBLE) took 0.3 s of a one-row edit's preview."""
    import subprocess
    import sys

    import nbformat

    path = tmp_path / "probe.ipynb"
    probe = nbformat.v4.new_code_cell("import gc\nprint(gc.get_freeze_count())")
    nbformat.write(nbformat.v4.new_notebook(cells=[probe]), path)
    run = "from bookbuild.kernels import KernelPool\npool = KernelPool(1)\npool.submit(Path(sys.argv[1])).result(timeout=300)\npool.close()"
    result = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\n" + run, str(path)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    frozen = int(nbformat.read(path, as_version=4).cells[0].outputs[0]["text"])
    assert frozen > 10_000, f"{frozen} objects frozen after the warm-up"


def test_a_runnable_notebook_zip_is_deflated_once_per_content(monkeypatch):
    """Every build (each of the preview's) makes every page's runnable zip: the same files are not
    deflated again (about 0.2 s a build), and changed files give a new zip."""
    from bookbuild.sphinx import downloads

    made = []
    deflate = downloads._deflate
    monkeypatch.setattr(downloads, "_deflate", lambda files: made.append(1) or deflate(files))
    monkeypatch.setattr(downloads, "_ZIPS", {})
    notebook = Path(__file__).resolve().parent.parent / "book" / "2-1-three-fields" / "ic.ipynb"
    first = downloads.runnable_notebook(notebook, "集成电路", "书", ["ic_focus.csv"])
    assert downloads.runnable_notebook(notebook, "集成电路", "书", ["ic_focus.csv"]) == first and len(made) == 1
    other = downloads.runnable_notebook(notebook, "集成电路", "另一本书", ["ic_focus.csv"])
    assert other != first and len(made) == 2


# A page's doctree resolved by the built book's own Sphinx, with numref's shared doctrees and with
# Sphinx's own lookup (a doctree unpickled per reference): the references and the unpicklings.
RESOLVE = """
import json, pickle, sys
from sphinx import addnodes
from bookbuild import build, sphinx_app
from bookbuild.sphinx import numref
sphinx = sphinx_app.HtmlSphinx(build.TARGETS["html"]["stage"])
app = sphinx.app()
loads, real = [], pickle.loads
pickle.loads = lambda data, *a, **k: loads.append(1) or real(data, *a, **k)
if sys.argv[2] == "sphinx":
    numref._doctree = lambda env, docname: type(env).get_doctree(env, docname)
tree = app.env.get_and_resolve_doctree(sys.argv[1], app.builder)
refs = [(n.get("refuri", ""), n.astext()) for n in tree.findall(addnodes.number_reference)]
print(json.dumps({"refs": refs, "loads": len(loads)}, ensure_ascii=False))
sphinx.close()
"""


def test_numref_unpickles_each_target_page_once_and_links_as_sphinx_does(built_repo: Path):
    import json
    import os
    import subprocess
    import sys

    def resolve(how: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", RESOLVE, SHOW[0], how],
            cwd=built_repo,
            env={**os.environ, "PYTHONPATH": str(built_repo)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    ours, sphinx = resolve("ours"), resolve("sphinx")
    assert len(ours["refs"]) >= 4, f"{SHOW[0]} has {len(ours['refs'])} numbered references: pick another page"
    assert ours["refs"] == sphinx["refs"]
    # the page itself (unpickled to be resolved) and the pages its references point to, once each
    targets = {uri.split("#")[0] for uri, _ in ours["refs"]}
    assert ours["loads"] <= 1 + len(targets) < sphinx["loads"], (ours["loads"], sphinx["loads"], targets)


def test_an_omission_edit_rebuilds_the_concordance(repo: Path):
    """原文对照 prints the passages left out with their reasons, and no notebook reads
    source_omissions.csv: an edit of it alone shows on the page (Sphinx knew nothing of the file before)."""
    page = repo / "_build" / "html" / "book" / "concordance.html"
    omissions = repo / "data" / "source_omissions.csv"
    old, new = "栏目标题：下列逐月成果各有数据行", "栏目标题：下列逐月成果各有数据行（改）"
    assert old in page.read_text(encoding="utf-8") and new not in page.read_text(encoding="utf-8")
    omissions.write_text(omissions.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    build_book("html", repo)
    assert new in page.read_text(encoding="utf-8")
