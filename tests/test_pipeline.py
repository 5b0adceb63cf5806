"""The build pipeline: never stale, incremental, never half-published.

Each build test works on a private copy of the built repository (conftest's ``repo``),
so the real tree and its _build/ are not touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import copy_sources, run_build

from bookbuild import build, config, errors, keys, sources, sphinx_app

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


def point_build_at(root: Path, monkeypatch) -> None:
    """bookbuild's modules (and the loader) read the repository at ``root``."""
    for module in (build, config, keys, sources, sphinx_app):
        monkeypatch.setattr(module, "ROOT", root)
    monkeypatch.setattr(sources, "STATE", root / "_build" / "state.json")  # never the real tree's state
    monkeypatch.setattr(keys, "NOTEBOOK_PACKAGE", root / "techreport")
    monkeypatch.setattr("techreport.data.DATA_DIR", root / "data")


@pytest.fixture
def keyed(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the sources, with bookbuild pointed at it."""
    src = copy_sources(tmp_path / "repo")
    point_build_at(src, monkeypatch)
    return src


def key_of(repo: Path, reads=("indicators.csv",)) -> str:
    return keys.notebook_key(repo / "book" / "overview.ipynb", list(reads), keys.package_digest())


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
    # A figure's value must agree with its quote (the loader checks it), so the edit is to the
    # figure's name: it reaches the overview's table of every figure.
    assert "超过2000名" in overview(repo) and "平台集聚的人才" not in overview(repo)
    edit(
        repo / "data" / "indicators.csv",
        "platforms_talent,2.3,platforms,集聚人才,",
        "platforms_talent,2.3,platforms,平台集聚的人才,",
    )
    result = run_build(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    html = overview(repo)
    assert "平台集聚的人才" in html and "超过2000名" in html
    # only notebooks that read that row of indicators.csv were re-executed (the 2.3 pages, the overview)
    state = json.loads((repo / "_build" / "state.json").read_text(encoding="utf-8"))
    row = {"id": "platforms_talent", "section": "2.3", "topic": "platforms"}
    readers = sorted(
        nb for nb, rec in state["notebooks"].items() if any(keys.covers(e, "indicators.csv", row) for e in rec["reads"])
    )
    assert sorted(executed(result)) == readers
    assert "book/2-1-three-fields/biomed.ipynb" not in readers and "book/overview.ipynb" in readers
    # the stored outputs (what nbval checks) were updated in place too
    assert "平台集聚的人才" in (repo / "book" / "overview.ipynb").read_text(encoding="utf-8")


def test_a_csv_edit_re_executes_only_the_notebooks_that_read_it(repo):
    state = json.loads((repo / "_build" / "state.json").read_text(encoding="utf-8"))
    readers = {}
    for nb, record in state["notebooks"].items():
        for name in {keys.read_file(e) for e in record["reads"]}:
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
    again = run_build(repo)
    assert again.returncode != 0 and "fig-does-not-exist" in again.stderr
    # the fix: an incremental build (the other pages' doctrees are not read and written again)
    doctrees = repo / "_build" / "stage-html" / "_build" / ".doctrees"
    other = doctrees / "book" / "overview.doctree"
    stamp = other.stat().st_mtime_ns
    prose["source"] = "".join(prose["source"]).replace("\n\n见 {numref}`fig-does-not-exist`。\n", "")
    nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    fixed = run_build(repo)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert other.stat().st_mtime_ns == stamp, "a good build after warnings re-read every page"
    assert (doctrees / "book" / "2-2-key-fields" / "index.doctree").stat().st_mtime_ns > stamp


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
    # the page alone: no page reads another page's outputs (原文对照 is built by Sphinx from the records)
    assert sorted(executed(result)) == ["book/2-3-platforms/index.ipynb"]
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
    now = sources.time.time_ns()
    monkeypatch.setattr(sources.time, "time_ns", lambda: now + int(later_s * 1e9))
    return sources.file_digests([path], known)[path]


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
    assert keyed / "data" / "source" / "chapter-2.txt" in sources.source_files()


def test_a_table_is_checked_again_when_a_table_it_points_to_changes(keyed, monkeypatch):
    checked = []
    monkeypatch.setattr("techreport.data.load_table", lambda name, *a: checked.append(name))
    state = {}
    build.validate_data(state, sources.file_digests(sources.source_files()))
    assert "platform_districts" in checked and "districts" in checked
    checked.clear()
    build.validate_data(state, sources.file_digests(sources.source_files()))
    assert checked == [], "nothing changed: nothing is checked again"
    districts = keyed / "data" / "districts.csv"
    districts.write_text(districts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build.validate_data(state, sources.file_digests(sources.source_files()))
    assert "districts" in checked and "platform_districts" in checked  # it points to districts
    assert "ships" not in checked


NUMBERS_BOTH_WAYS = """
import copy, json
from bookbuild import build, sphinx_app
from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as Collector
sphinx = sphinx_app.HtmlSphinx(build.TARGETS["html"]["stage"])
env = sphinx.app().env
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


# --- re-execution by row -------------------------------------------------------------------

BIOMED = "biomed_nmpa_approvals,2.1,biomed,"
AI = "ai_projects_signed,2.1,ai,"
BIOMED_ROWS = {"file": "indicators.csv", "where": {"topic": ["biomed"]}}


def edit_row(repo: Path, start: str, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the one line of indicators.csv that starts with ``start``."""
    path = repo / "data" / "indicators.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    (i,) = [i for i, line in enumerate(lines) if line.startswith(start)]
    assert old in lines[i], lines[i]
    lines[i] = lines[i].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_key_on_some_rows_holds_those_rows_only(keyed):
    rows_key, whole_key = key_of(keyed, [BIOMED_ROWS]), key_of(keyed)
    edit_row(keyed, AI, ",36,", ",37,")  # a row the page does not read
    assert key_of(keyed, [BIOMED_ROWS]) == rows_key
    assert key_of(keyed) != whole_key, "a page that reads the whole table re-runs on any change"
    edit_row(keyed, BIOMED, ",177,", ",178,")  # a row it reads
    assert key_of(keyed, [BIOMED_ROWS]) != rows_key
    rows_key = key_of(keyed, [BIOMED_ROWS])
    edit_row(keyed, AI, ",2.1,ai,", ",2.1,biomed,")  # a row that joins the page's rows
    assert key_of(keyed, [BIOMED_ROWS]) != rows_key


def test_the_loader_records_the_rows_it_was_asked_for(tmp_path, monkeypatch):
    from bookbuild import kernels
    from techreport.data import READS_ENV, DataError, load_table

    assert kernels.READS_ENV == READS_ENV  # the build and the loader name the same variable
    record = tmp_path / "reads"
    monkeypatch.setenv(READS_ENV, str(record))
    bio = load_table("indicators", topic="biomed")
    assert len(bio) and set(bio["topic"]) == {"biomed"} and list(bio.index) == list(range(len(bio)))
    both = load_table("indicators", section="2.1", topic=["ai", "ic"])
    assert set(both["topic"]) == {"ai"}
    load_table("topics")
    reads = keys.parse_reads(record.read_text(encoding="utf-8").splitlines())
    assert "topics.csv" in reads and "indicators.csv" not in reads
    assert [e for e in reads if not isinstance(e, str)] == [
        {"file": "indicators.csv", "where": {"section": ["2.1"], "topic": ["ai", "ic"]}},
        BIOMED_ROWS,
    ]
    with pytest.raises(DataError) as caught:
        load_table("indicators", value="177")  # a number column: its text is not what the build compares
    assert caught.value.problems[0].column == "value"


def test_a_one_row_edit_re_runs_only_the_pages_that_read_the_row(repo, monkeypatch):
    """By the build's own record of what each page read: the stale pages after a one-row edit
    are exactly those whose reads include that row (before or after the edit)."""
    point_build_at(repo, monkeypatch)
    state = json.loads((repo / "_build" / "state.json").read_text(encoding="utf-8"))
    notebooks = config.toc_notebooks()
    assert keys.stale_notebooks(notebooks, json.loads(json.dumps(state)), force=False) == []
    before = {"id": "biomed_nmpa_approvals", "section": "2.1", "topic": "biomed"}
    edit_row(repo, BIOMED, ",177,", ",178,")
    stale = {p.relative_to(repo).as_posix() for p in keys.stale_notebooks(notebooks, state, force=False)}
    readers = {
        nb
        for nb, record in state["notebooks"].items()
        if any(keys.covers(e, "indicators.csv", before) for e in record["reads"])
    }
    assert stale == readers
    # the page that shows the row, its section's page and the overview (原文对照 is a Sphinx page)
    assert {"book/2-1-three-fields/biomed.ipynb", "book/2-1-three-fields/index.ipynb", "book/overview.ipynb"} <= stale
    assert "book/2-1-three-fields/ai.ipynb" not in stale and "book/2-3-platforms/index.ipynb" not in stale
    assert len(stale) <= 3


# --- the preview's order: open pages first, published as each notebook is done -------------


def test_open_pages_run_first(keyed):
    book = [keyed / f"book/{n}.ipynb" for n in ("overview", "2-1-three-fields/index", "2-1-three-fields/biomed")]
    assert build.open_first(book, ["book/2-1-three-fields/biomed"]) == [book[2], book[0], book[1]]
    assert build.open_first(book, []) == book
    # while the open page's notebook runs, no other page is published (that would delay it)
    watched = {"book/2-1-three-fields/biomed"}
    assert not build.publish_now([book[0]], [book[2], book[1]], watched)
    assert build.publish_now([book[2]], [book[0]], watched)
    assert build.publish_now([book[0]], [book[1]], watched) and build.publish_now([book[0]], [book[1]], set())


class DonePool:
    """A kernel pool whose notebooks finish one after another, each when the previous publish is done."""

    size = 2

    def __init__(self):
        self.futures = []

    def submit(self, path):
        from concurrent.futures import Future

        future = Future()
        self.futures.append(future)
        if len(self.futures) == 1:
            future.set_result(([], 0.1))
        else:  # should nothing be published in between, the test fails rather than waits for ever
            threading.Timer(5, lambda: future.done() or future.set_result(([], 0.1))).start()
        return future

    def finish_next(self):
        pending = [f for f in self.futures if not f.done()]
        if pending:
            pending[0].set_result(([], 0.1))


def test_the_site_is_published_after_each_notebook_while_others_run(keyed):
    assert sources.STATE == keyed / "_build" / "state.json"
    pool, published = DonePool(), []
    stale = [keyed / f"book/{n}.ipynb" for n in ("2-1-three-fields/biomed", "2-1-three-fields/index", "overview")]

    def after(finished, running):
        assert finished and running and not set(finished) & set(running)
        published.append(sorted(state["notebooks"]))
        pool.finish_next()

    state = {}
    assert build.execute_stale(stale, 11, state, pool, after=after) == 3
    assert published == [
        ["book/2-1-three-fields/biomed.ipynb"],
        ["book/2-1-three-fields/biomed.ipynb", "book/2-1-three-fields/index.ipynb"],
    ]  # and the last one is published by the build itself


# --- errors a person can act on -------------------------------------------------------------


def test_a_malformed_toc_names_the_file_and_line(keyed):
    toc = keyed / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8").replace("parts:", "parts:\n  - bad: [", 1), encoding="utf-8")
    with pytest.raises(errors.BuildError) as caught:
        config.toc_documents()
    # the flow list opened on line 6 meets the next entry on line 7
    assert (caught.value.file, caught.value.line) == ("_toc.yml", 7) and "jb-book" in caught.value.hint


def test_a_toc_entry_without_a_file_names_its_line(keyed):
    toc = keyed / "_toc.yml"
    lines = toc.read_text(encoding="utf-8").split("\n")
    (i,) = [i for i, line in enumerate(lines) if line.strip() == "- file: book/overview"]
    lines[i] = lines[i].replace("file:", "fil:")
    toc.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(errors.BuildError) as caught:
        config.toc_documents()
    assert (caught.value.file, caught.value.line) == ("_toc.yml", i + 1)


def test_a_malformed_config_names_the_file_and_line(keyed):
    path = keyed / "_config.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, "title: [未闭合")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(errors.BuildError) as caught:
        config.check_config()
    assert caught.value.file == "_config.yml" and caught.value.line is not None and caught.value.line >= 4


def test_a_descriptor_syntax_error_names_the_file_and_line(keyed):
    path = keyed / "data" / "datapackage.json"
    lines = path.read_text(encoding="utf-8").split("\n")
    (i,) = [i for i, line in enumerate(lines) if '"name": "indicators"' in line]
    lines[i] = lines[i].replace('"indicators"', '"indicators",,')
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(errors.BuildError) as caught:
        build.check_descriptor()
    assert (caught.value.file, caught.value.line) == ("data/datapackage.json", i + 1)


def test_every_bad_table_is_reported_in_one_run(keyed):
    edit_row(keyed, "platforms_talent,", ",2000,", ",2千,")
    clusters = keyed / "data" / "industry_clusters.csv"
    clusters.write_text(clusters.read_text(encoding="utf-8").replace("2,青浦", "二,青浦"), encoding="utf-8")
    with pytest.raises(errors.BuildError) as caught:
        build.validate_data({}, sources.file_digests(sources.source_files()))
    where = {(p.file, p.row, p.column, p.value) for p in caught.value.problems}
    assert ("data/industry_clusters.csv", 3, "order", "二") in where
    assert any(f == "data/indicators.csv" and c == "value" and v == "2千" for f, _, c, v in where)
    assert len(caught.value.problems) == 2, caught.value.problems  # each once, though other tables point to them


def test_colour_codes_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    red = "\x1b[31mWARNING\x1b[39;49;00m: x"
    assert errors.for_stream(red, io.StringIO()) == "WARNING: x"
    assert errors.for_stream(red, Terminal()) == red


def test_a_bad_toc_stops_the_build_with_one_short_message(keyed):
    """The one message test: the whole text a person reads, no traceback, exit status 1."""
    toc = keyed / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8").replace("parts:", "parts:\n  - bad: [", 1), encoding="utf-8")
    result = run_build(keyed)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip() == (
        "BUILD FAILED: _toc.yml, line 7: not valid YAML: expected the node content, but found '-' "
        "(while parsing a flow node), column 3\n"
        "  What to do: " + config.TOC_HELP
    )
    assert "\x1b[" not in result.stderr


@pytest.mark.parametrize("bad", ["descriptor", "config"])
def test_bad_configuration_stops_the_build_without_a_traceback(keyed, bad):
    if bad == "descriptor":
        path = keyed / "data" / "datapackage.json"
        path.write_text(path.read_text(encoding="utf-8").replace('"indicators"', '"indicators",,', 1), encoding="utf-8")
    else:
        path = keyed / "_config.yml"
        path.write_text(path.read_text(encoding="utf-8") + '\ntitle: "未闭合\n', encoding="utf-8")
    result = run_build(keyed)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 3 and str(path.relative_to(keyed)) in lines[0] and ", line " in lines[0], lines
