"""The build pipeline: never stale, incremental, never half-published.

Each build test works on a private copy of the built repository (conftest's ``repo``),
so the real tree and its _build/ are not touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_sources, run_build

from bookbuild import build

ROOT = Path(__file__).resolve().parent.parent


def site_hash(repo: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((repo / "_build" / "html").rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(repo)).encode() + path.read_bytes())
    return digest.hexdigest()


def executed(result: subprocess.CompletedProcess) -> list[str]:
    return [line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("[")]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the notebook key, unit by unit (no build) ------------------------------------------


@pytest.fixture
def keyed(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the sources, with bookbuild.build pointed at it."""
    src = copy_sources(tmp_path / "repo")
    monkeypatch.setattr(build, "ROOT", src)
    monkeypatch.setattr(build, "NOTEBOOK_PACKAGE", src / "techreport")
    return src


def key_of(repo: Path, reads=("indicators.csv",)) -> str:
    return build.notebook_key(repo / "book" / "overview.ipynb", list(reads), build.package_digest())


@pytest.mark.parametrize("path", ["techreport/present.py", "requirements.txt"])
def test_what_notebooks_import_is_part_of_every_key(keyed, path):
    before = key_of(keyed)
    (keyed / path).write_text((keyed / path).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert key_of(keyed) != before


@pytest.mark.parametrize("path", ["bookbuild/build.py", "measure/web.py", "tests/helpers.py", "README.md"])
def test_the_build_and_the_measurements_are_not(keyed, path):
    before = key_of(keyed)
    (keyed / path).write_text((keyed / path).read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert key_of(keyed) == before


def test_a_key_holds_the_data_read_and_the_package_descriptor_only(keyed):
    before = key_of(keyed)
    for name in ["milestones.csv", "sections.csv"]:  # not among the reads given
        (keyed / "data" / name).write_text((keyed / "data" / name).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert key_of(keyed) == before
    for name in ["indicators.csv", "datapackage.json"]:
        (keyed / "data" / name).write_text((keyed / "data" / name).read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert key_of(keyed) != before
        before = key_of(keyed)


def test_a_key_holds_code_and_outputs_but_not_prose(keyed):
    path = keyed / "book" / "overview.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    before = key_of(keyed)
    prose = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    prose["source"] = "".join(prose["source"]) + "\n补充一句。"
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert key_of(keyed) == before
    code = next(c for c in nb["cells"] if c["cell_type"] == "code" and c["outputs"])
    code["outputs"] = []
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert key_of(keyed) != before, "clearing outputs makes a notebook stale"


# --- builds -----------------------------------------------------------------------------


def overview(repo: Path) -> str:
    return (repo / "_build" / "html" / "book" / "overview.html").read_text(encoding="utf-8")


def test_a_no_change_rebuild_does_nothing(repo):
    before = site_hash(repo)
    result = run_build(repo)
    assert result.returncode == 0 and "nothing changed" in result.stdout
    assert executed(result) == [] and site_hash(repo) == before


def test_a_csv_edit_reaches_tables_charts_prose_and_search(repo):
    assert "超过2000名" in overview(repo)
    edit(
        repo / "data" / "indicators.csv",
        "platforms_talent,2.3,platforms,集聚人才,People the platforms have brought together,2000,",
        "platforms_talent,2.3,platforms,集聚人才,People the platforms have brought together,2500,",
    )
    result = run_build(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    html = overview(repo)
    assert "超过2500名" in html and "超过2000名" not in html
    # only notebooks that read indicators.csv were re-executed
    state = json.loads((repo / "_build" / "state.json").read_text(encoding="utf-8"))
    readers = sorted(nb for nb, rec in state["notebooks"].items() if "indicators.csv" in rec["reads"])
    assert sorted(executed(result)) == readers
    # the stored outputs (what nbval checks) were updated in place too
    assert "超过2500名" in (repo / "book" / "overview.ipynb").read_text(encoding="utf-8")


def test_a_csv_edit_re_executes_only_the_notebooks_that_read_it(repo):
    state = json.loads((repo / "_build" / "state.json").read_text(encoding="utf-8"))
    readers = {}
    for nb, record in state["notebooks"].items():
        for name in record["reads"]:
            readers.setdefault(name, []).append(nb)
    name, expected = min(((n, r) for n, r in readers.items() if n.endswith(".csv")), key=lambda item: len(item[1]))
    assert len(expected) < len(state["notebooks"]), "some table is read by only some notebooks"
    path = repo / "data" / name
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run_build(repo)
    assert result.returncode == 0 and sorted(executed(result)) == sorted(expected)


def test_a_page_removed_from_the_book_leaves_the_site(repo):
    toc = repo / "_toc.yml"
    original = toc.read_text(encoding="utf-8")
    (repo / "book" / "extra.md").write_text("# 临时页面\n\n用于测试。\n", encoding="utf-8")
    toc.write_text(original + "  - caption: 附录\n    chapters:\n      - file: book/extra\n", encoding="utf-8")
    assert run_build(repo).returncode == 0
    page = repo / "_build" / "html" / "book" / "extra.html"
    assert page.exists()
    toc.write_text(original, encoding="utf-8")
    (repo / "book" / "extra.md").unlink()
    result = run_build(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not page.exists(), "Sphinx's incremental build would keep the page of a removed source"


def test_bad_data_fails_and_leaves_the_site_as_it_was(repo):
    before = site_hash(repo)
    edit(repo / "data" / "indicators.csv", ",2000,", ",2千,")
    result = run_build(repo)
    assert result.returncode != 0
    assert "indicators.csv, row" in result.stderr and "'2千'" in result.stderr and "expected a number" in result.stderr
    assert site_hash(repo) == before


def test_a_notebook_exception_fails_and_leaves_the_site_as_it_was(repo):
    before = site_hash(repo)
    nb_path = repo / "book" / "overview.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    code = next(c for c in nb["cells"] if c["cell_type"] == "code" and "load_table" in "".join(c["source"]))
    code["source"] = "".join(code["source"]) + "\nraise RuntimeError('deliberate failure')\n"
    nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    result = run_build(repo)
    assert result.returncode != 0 and "deliberate failure" in result.stderr
    assert site_hash(repo) == before


def test_a_sphinx_warning_fails_and_leaves_the_site_as_it_was(repo):
    before = site_hash(repo)
    # in a page's prose: the notebook is not re-executed and Sphinx re-reads that page only
    nb_path = repo / "book" / "2-2-key-fields" / "index.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    prose = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    prose["source"] = "".join(prose["source"]) + "\n\n见 {numref}`fig-does-not-exist`。\n"
    nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    result = run_build(repo)
    assert result.returncode != 0 and "fig-does-not-exist" in result.stderr
    assert site_hash(repo) == before
    # and it keeps failing until fixed: the warning is not forgotten by an incremental rebuild
    assert run_build(repo).returncode != 0


def test_a_one_page_change_rewrites_only_its_pages_in_the_site(repo):
    """Unchanged pages keep their bytes and dates in _build/html (the site is synced, not copied)."""
    site = repo / "_build" / "html"
    # (conftest's ``repo`` was built twice at its path, so web.css existed when its pages were
    # written: Sphinx stamps its checksum into each page, and a first rebuild after a clean
    # build would rewrite every page once to add it, see bookbuild/sphinx/web.py.)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    edit(repo / "data" / "industry_clusters.csv", "北斗导航", "北斗导航与位置服务")
    result = run_build(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    # the page, and 原文对照, which reads every page's outputs to link the report's words to them
    assert executed(result) == ["book/2-3-platforms/index.ipynb", "book/concordance.ipynb"]
    assert "北斗导航与位置服务" in (site / "book" / "2-3-platforms" / "index.html").read_text(encoding="utf-8")
    rewritten = {str(p.relative_to(site)) for p, mtime in before.items() if p.stat().st_mtime_ns != mtime}
    # the page, and the pages whose table of contents lists it (Sphinx rewrites those)
    assert "book/2-3-platforms/index.html" in rewritten
    expected = {
        "book/2-3-platforms/index.html",
        "book/concordance.html",
        "book/overview.html",
        "index.html",
        "search.html",
    }
    assert rewritten <= expected, rewritten


# --- the record of file digests (no build) ----------------------------------------------


def _digest(path: Path, known: dict, monkeypatch, later_s: float = 0) -> bytes:
    """file_digests of one file, as if run ``later_s`` seconds from now."""
    now = build.time.time_ns()
    monkeypatch.setattr(build.time, "time_ns", lambda: now + int(later_s * 1e9))
    return build.file_digests([path], known)[path]


def test_a_file_recorded_long_after_its_last_change_is_not_read_again(keyed, monkeypatch):
    path = keyed / "data" / "indicators.csv"
    known = {}
    real = _digest(path, known, monkeypatch, later_s=10)
    known["data/indicators.csv"][2] = "00" * 32  # were the file read, the real digest would come back
    assert _digest(path, known, monkeypatch, later_s=10) == bytes(32) != real


def test_a_same_size_edit_with_its_old_date_is_still_seen(keyed, monkeypatch):
    path = keyed / "data" / "indicators.csv"
    known, st = {}, path.stat()
    before = _digest(path, known, monkeypatch, later_s=10)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",2000,", ",2500,", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old modification time
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert _digest(path, known, monkeypatch, later_s=10) != before  # its change time moved


def test_a_file_recorded_as_it_was_written_is_read_again(keyed, monkeypatch):
    """A save in the same clock tick as the record could keep date and size: such a record is not trusted."""
    path = keyed / "data" / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    known = {}
    real = _digest(path, known, monkeypatch)
    known["data/indicators.csv"][2] = "00" * 32
    assert _digest(path, known, monkeypatch) == real


def test_the_report_text_is_a_source_of_the_build(keyed):
    """Next year's text in data/source/ must start a build, not meet "nothing changed"."""
    assert keyed / "data" / "source" / "chapter-2.txt" in build.source_files()


def test_a_table_is_checked_again_when_a_table_it_points_to_changes(keyed, monkeypatch):
    checked = []
    monkeypatch.setattr("techreport.data.load_table", lambda name, *a: checked.append(name))
    monkeypatch.setattr("techreport.data.DATA_DIR", keyed / "data")
    state = {}
    build.validate_data(state, build.file_digests(build.source_files()))
    assert "platform_districts" in checked and "districts" in checked
    checked.clear()
    build.validate_data(state, build.file_digests(build.source_files()))
    assert checked == [], "nothing changed: nothing is checked again"
    districts = keyed / "data" / "districts.csv"
    districts.write_text(districts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build.validate_data(state, build.file_digests(build.source_files()))
    assert "districts" in checked and "platform_districts" in checked  # it points to districts
    assert "ships" not in checked


NUMBERS_BOTH_WAYS = """
import copy, json
from bookbuild import build
from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as Collector
sphinx = build.HtmlSphinx(build.TARGETS["html"]["stage"])
sphinx._thread.join()
env = sphinx._app.env
Collector().assign_figure_numbers(env)  # from the pages' outlines
outlined = copy.deepcopy(env.toc_fignumbers)
env.techreport_outlines = {}
Collector().assign_figure_numbers(env)  # from the pages' doctrees, as Sphinx does
print(json.dumps([outlined, env.toc_fignumbers], sort_keys=True, ensure_ascii=False))
sphinx.close()
"""


def test_figure_numbers_from_page_outlines_are_sphinx_own(built_repo):
    """Figures are numbered from small page outlines kept in the environment, not from every
    page's doctree: the numbers must be those Sphinx's own walk over the doctrees gives."""
    result = subprocess.run(
        [sys.executable, "-c", NUMBERS_BOTH_WAYS],
        cwd=built_repo,
        env={**os.environ, "PYTHONPATH": str(built_repo)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outlined, walked = json.loads(result.stdout.strip().splitlines()[-1])
    assert outlined == walked
    numbered = sum(len(ids) for page in walked.values() for ids in page.values())
    assert numbered >= 20, walked  # the chapter's figures and tables, 图 2-1 ... 表 2-N
