"""Build the book: never stale, only re-run what changed, never publish a broken site.

    python -m bookbuild html     # what `make book` runs
    python -m bookbuild pdf      # what `make pdf` runs
    python -m bookbuild html --force   # re-execute every notebook

This module runs the steps (see README, "How the build works"); each job is a module of its own:

* :mod:`bookbuild.sources`: the source files, their digests and the build state;
* :mod:`bookbuild.config`: ``_config.yml`` and ``_toc.yml``, read first;
* :mod:`bookbuild.keys`: notebook keys (code, package, the rows and files each notebook read);
* :mod:`bookbuild.kernels`: the pool of warm kernels that executes stale notebooks in place;
* :mod:`bookbuild.sphinx_app`: the in-process Sphinx of the HTML build;
* :mod:`bookbuild.publish`: copying a clean build over the published folder;
* :mod:`bookbuild.errors`: what a person reads when a build stops.

1. If no source changed since the last good build, nothing is done.
2. The configuration, the table of contents and ``datapackage.json`` are read; then every
   table whose inputs changed is validated, and every problem of every table is reported.
3. Stale notebooks run in parallel, in place: their stored outputs are both the cache and
   what nbval checks. Kernels start, and Sphinx starts, while the data is validated.
4. Sphinx builds into a staging folder with warnings as errors; only a clean build is
   copied over the published folder (``_build/html``), so a failure leaves the last good
   site exactly as it was.

The preview (``bookbuild.preview``) runs the same steps in a :class:`Session` that keeps
the kernels and the Sphinx application between builds, runs the pages open in a browser
first and publishes after each notebook.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path

from .config import check_config, toc_notebooks
from .errors import BuildError, for_stream, say
from .kernels import KernelPool
from .keys import package_digest, record_run, stale_notebooks
from .pdf import LATEX_ENV, PdfError, errors, finish, forget_layout_fixes
from .publish import publish
from .sources import (
    BUILD,
    ROOT,
    combine,
    file_digests,
    read_state,
    sha256,
    source_files,
    structure,
    tree_env,
    write_state,
)
from .sphinx_app import HtmlSphinx

TARGETS = {
    "html": {"builder": "html", "stage": BUILD / "stage-html", "built": "_build/html", "publish": BUILD / "html"},
    "pdf": {"builder": "pdflatex", "stage": BUILD / "stage-pdf", "built": "_build/latex", "publish": BUILD / "pdf"},
}
DESCRIPTOR = Path("data") / "datapackage.json"
ENVIRONMENT = TARGETS["html"]["stage"] / "_build" / ".doctrees" / "environment.pickle"


def published_print(target: str, digests: dict[Path, bytes]) -> str:
    """What a published ``target`` was built from: the sources, and for the site whether the PDF
    edition it links (only when built, bookbuild/sphinx/web.py) is there, and which one."""
    print_ = combine(digests)
    pdf = TARGETS["pdf"]["publish"] / "book.pdf"
    if target == "html" and pdf.is_file():
        st = pdf.stat()
        print_ = sha256(print_.encode(), f"{st.st_size}:{st.st_mtime_ns}".encode())
    return print_


def check_descriptor() -> None:
    """``data/datapackage.json`` parses (before any kernel imports the package that reads it)."""
    try:
        json.loads((ROOT / DESCRIPTOR).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(
            "not found", file=DESCRIPTOR.as_posix(), hint="restore it: git checkout data/datapackage.json"
        ) from None
    except json.JSONDecodeError as exc:
        raise BuildError(
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            file=DESCRIPTOR.as_posix(),
            line=exc.lineno,
            hint="look for a missing or extra comma or quote at or just before that place",
        ) from None


def validate_data(state: dict, digests: dict[Path, bytes]) -> None:
    """Validate every table whose inputs changed since it last passed; report every bad table at once.

    A table's inputs: its CSV, the CSVs its foreign keys point to, the descriptor, the
    report's text (quotes are checked against it) and the loader (``techreport/``). A
    large book re-checks the tables an edit touched, not all of them. Row-level reads do
    not change this: a table is validated whole, against the whole tables it points to.
    """
    from techreport.data import PACKAGE_FILE, DataError, load_table, package, table_names
    from techreport.source import SOURCE_FILE

    data = ROOT / "data"
    common = sha256(*(digests.get(data / name, b"missing") for name in (PACKAGE_FILE, SOURCE_FILE)), package_digest())
    try:
        resources = {r["name"]: r for r in package()["resources"]}
        names = table_names()
    except DataError as exc:
        raise BuildError(f"bad data, nothing was built or published:\n{exc}", problems=exc.problems) from None
    passed = state.setdefault("valid", {})
    failed = []
    for name in names:
        schema = resources[name].get("schema", {})
        inputs = [name, *(fk["reference"]["resource"] or name for fk in schema.get("foreignKeys", []))]
        key = sha256(common.encode(), *(digests.get(data / resources[t]["path"], b"missing") for t in inputs))
        if passed.get(name) == key:
            continue
        try:
            load_table(name)
        except DataError as exc:
            passed.pop(name, None)
            failed.append((name, exc))
            continue
        passed[name] = key
    if failed:
        # a table whose foreign key points to a bad table repeats that table's problems: shown once
        seen, shown = set(), []
        for _, exc in failed:
            if str(exc) not in seen:
                seen.add(str(exc))
                shown.append(exc)
        raise BuildError(
            f"bad data in {len(shown)} table(s); nothing was built or published:\n"
            + "\n".join(str(exc) for exc in shown),
            problems=[p for exc in shown for p in exc.problems],
            hint="fix each file, row and column named above, then build again",
        )


def doc(path: Path) -> str:
    """A page's document name (``book/x/page``)."""
    return path.relative_to(ROOT).with_suffix("").as_posix()


def open_first(stale: list[Path], open_pages: Iterable[str]) -> list[Path]:
    """The stale notebooks, those of the pages open in a browser (``book/x/page``) first; else in book order."""
    shown = set(open_pages)
    return sorted(stale, key=lambda p: doc(p) not in shown)


def publish_now(finished: list[Path], running: list[Path], watched: set[str]) -> bool:
    """Whether to publish now, while ``running`` notebooks still run: yes, unless an open page
    (``watched``) is still running and none just finished (Sphinx now would only delay it)."""
    return bool({doc(p) for p in finished} & watched) or not {doc(p) for p in running} & watched


def execute_stale(
    stale: list[Path],
    total: int,
    state: dict,
    pool: KernelPool | None,
    after: Callable[[list[Path], list[Path]], None] | None = None,
    first: Iterable[str] = (),
) -> int:
    """Run the stale notebooks on the pool's kernels in the order given; record each one's reads and key.

    ``after(finished, waiting)`` (the preview) is called whenever notebooks finished and others
    still run or wait, so their pages can be published before the rest is done. With it, the
    notebooks of the pages ``first`` (open in a browser) run alone first: the others start once
    ``after`` has published those (on a shared 2-core machine they would slow the open page's
    notebook and its Sphinx build), and ``after`` is called for them even when no other is stale."""
    if not stale:
        return 0
    say(f"notebooks: executing {len(stale)} of {total} on {min(pool.size, len(stale))} kernel(s)")
    package = package_digest()
    shown = set(first)
    alone = [p for p in stale if doc(p) in shown] if after is not None else []
    later = [p for p in stale if p not in alone] if alone else []
    futures = {pool.submit(path): path for path in alone or stale}
    pending, done = set(futures), 0
    try:
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            batch = sorted((futures[f] for f in finished), key=stale.index)
            for future in sorted(finished, key=lambda f: stale.index(futures[f])):
                reads, seconds = future.result()  # a BuildError stops here; the rest are cancelled
                path = futures[future]
                record_run(path, reads, state, package)
                write_state(state)
                done += 1
                say(f"  [{done}/{len(stale)}] {path.relative_to(ROOT)}  {seconds:.1f} s  ({len(stale) - done} left)")
            waiting = sorted([futures[f] for f in pending] + later, key=stale.index)
            if after is not None and (waiting or any(doc(p) in shown for p in batch)):
                after(batch, waiting)
            if later and not pending:  # the open pages are published: now the rest
                futures.update({pool.submit(path): path for path in later})
                pending, later = {f for f in futures if not f.done()}, []
    except BaseException:
        for future in futures:
            future.cancel()
        for future in futures:  # let the running ones finish before anything else happens
            with contextlib.suppress(BaseException):
                future.exception()
        raise
    return len(stale)


def fresh_stage(target: str, state: dict, files: list[Path]) -> bool:
    """Empty the staging folder when the book's structure changed; True if it did."""
    shape = structure(files)
    if state.get(f"structure-{target}") == shape and TARGETS[target]["stage"].exists():
        return False
    shutil.rmtree(TARGETS[target]["stage"], ignore_errors=True)
    state[f"structure-{target}"] = shape
    return True


class Session:
    """What builds can share: warm kernels and the in-process Sphinx application.

    ``make book`` uses one for a single build; the preview keeps one open, so a CSV edit
    costs the stale notebooks and Sphinx's incremental build, nothing more.
    """

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs or os.cpu_count() or 1
        self.kernels: KernelPool | None = None
        self._sphinx: HtmlSphinx | None = None

    def warm_kernels(self, needed: int) -> KernelPool | None:
        if needed and self.kernels is None:
            self.kernels = KernelPool(min(self.jobs, needed))
        return self.kernels

    def start_sphinx(self, state: dict, files: list[Path]) -> HtmlSphinx:
        if fresh_stage("html", state, files) or (self._sphinx is not None and self._sphinx.failed):
            self.drop_sphinx()  # a new structure (config, toc, pages), or it did not start: a new application
        if self._sphinx is None:
            self._sphinx = HtmlSphinx(TARGETS["html"]["stage"], state.get("sphinx-recheck"))
        return self._sphinx

    def drop_sphinx(self) -> None:
        if self._sphinx is not None:
            self._sphinx.close()
            self._sphinx = None

    def close(self) -> None:
        self.drop_sphinx()
        if self.kernels is not None:
            self.kernels.close()
            self.kernels = None


def html(state: dict, files: list[Path], session: Session, only: set[str] | None = None) -> Path:
    """The in-process HTML build into the staging folder; return the built folder.

    ``only`` (the preview's open pages): build those pages now and the other out-of-date ones at
    the next build. After warnings the environment is kept and the pages they name are read
    again next time (so the next good build is incremental); a failure that names no page starts afresh."""
    spec = TARGETS["html"]
    say("sphinx: html build (warnings are errors)" + (f" of {', '.join(sorted(only))} first" if only else ""))
    started = time.perf_counter()
    try:
        built = session.start_sphinx(state, files).build(only)
    except BuildError as exc:
        if exc.docs is None:
            session.drop_sphinx()
            shutil.rmtree(spec["stage"], ignore_errors=True)
            state.pop("sphinx-recheck", None)
        else:
            state["sphinx-recheck"] = exc.docs
        write_state(state)
        exc.message = f"the html build failed; {spec['publish'].relative_to(ROOT)} was left as it was: {exc.message}"
        raise BuildError(exc.message, hint=exc.hint, docs=exc.docs) from None
    state.pop("sphinx-recheck", None)
    say(f"sphinx: built in {time.perf_counter() - started:.1f} s")
    return built


def pdf(state: dict, files: list[Path]) -> Path:
    """Jupyter Book's LaTeX build (a subprocess) into the staging folder; return the built folder."""
    spec = TARGETS["pdf"]
    say("sphinx: pdflatex build (warnings are errors)")
    stage = spec["stage"]
    fresh_stage("pdf", state, files)
    forget_layout_fixes(stage / spec["built"] / "book.aux")
    cmd = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(ROOT),
        "--path-output",
        str(stage),
        "--builder",
        spec["builder"],
        "--warningiserror",
        "--nitpick",
        "--keep-going",
        "--quiet",
    ]
    env = {**tree_env(), **LATEX_ENV}
    # The title page shows the build date: a SOURCE_DATE_EPOCH inherited from the caller's
    # environment (reproducible-build tooling sets one) would fix it to that date instead.
    env.pop("SOURCE_DATE_EPOCH", None)
    # Jupyter Book's banner (stdout) points at the staging folder: shown only on failure.
    result = subprocess.run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        print(for_stream(result.stdout, sys.stdout), flush=True)
        detail = f"\nLaTeX says:\n{errors(stage / spec['built'])}" if (stage / spec["built"]).exists() else ""
        shutil.rmtree(stage, ignore_errors=True)
        raise BuildError(
            f"the {spec['builder']} build failed (see the messages above); "
            f"{spec['publish'].relative_to(ROOT)} was left as it was{detail}"
        )
    return stage / spec["built"]


def build(
    target: str = "html",
    force: bool = False,
    jobs: int | None = None,
    session: Session | None = None,
    first: Callable[[], Iterable[str]] | None = None,
    shown: Callable[[int], None] | None = None,
) -> int:
    """One build; with a ``session`` (the preview), kernels and Sphinx stay warm afterwards.

    The preview's hooks: ``first()`` names the pages open in a browser (``book/x/page``), whose
    notebooks run first; ``shown(files changed)`` is called each time the site is published
    while other notebooks still run, so a page shows as soon as its notebook is done.
    Returns how many published files changed (0 when nothing changed)."""
    started = time.perf_counter()
    spec = TARGETS[target]
    state = read_state()
    files = source_files()
    known = state.setdefault("files", {})
    for gone in set(known) - {p.relative_to(ROOT).as_posix() for p in files}:
        del known[gone]
    digests = file_digests(files, known)  # the sources as this build reads them
    print_ = published_print(target, digests)
    if not force and state.get(f"published-{target}") == print_ and any(spec["publish"].glob("*")):
        say(
            f"nothing changed since the last {target} build: {spec['publish'].relative_to(ROOT)} is up to date "
            f"({time.perf_counter() - started:.2f} s)"
        )
        return 0
    check_config()
    notebooks = toc_notebooks()
    check_descriptor()
    own = session is None
    session = session or Session(jobs)
    try:
        stale = stale_notebooks(notebooks, state, force)
        watched = set(first()) if first is not None else set()
        stale = open_first(stale, watched)
        pool = session.warm_kernels(len(stale))  # kernels start while the data is validated
        if target == "html":
            session.start_sphinx(state, files)  # and Sphinx while the notebooks run
        # Published page by page (the preview) when Sphinx's saved environment makes that an
        # incremental build: on a first or fresh build each would rebuild every page.
        early = shown is not None and target == "html" and (ENVIRONMENT.exists() and any(spec["publish"].glob("*")))
        validate_data(state, digests)
        say(f"data: every table valid ({time.perf_counter() - started:.1f} s)")
        if not stale:
            say(f"notebooks: all {len(notebooks)} up to date")

        def publish_so_far(finished: list[Path], running: list[Path]) -> None:
            if publish_now(finished, running, watched):
                # the open pages whose notebooks just finished: Sphinx builds those alone first
                only = {doc(p) for p in finished} & watched
                shown(publish(html(state, files, session, only=only or None), spec["publish"]))

        executed = execute_stale(
            stale, len(notebooks), state, pool, after=publish_so_far if early else None, first=watched
        )
        if own and session.kernels is not None:
            session.kernels.close()  # no kernel outlives its use in a one-shot build
            session.kernels = None
        built = html(state, files, session) if target == "html" else pdf(state, files)
        if target == "pdf":
            try:
                built = finish(built)
            except PdfError as exc:
                raise BuildError(str(exc)) from None
        changed = publish(built, spec["publish"])
        # The sources as read, with the notebooks as executed in place: a file saved while this
        # build ran keeps its old digest here, so the next build sees it changed.
        state[f"published-{target}"] = published_print(target, {**digests, **file_digests(stale, known)})
        write_state(state)
    finally:
        if own:
            session.close()
    say(
        f"done in {time.perf_counter() - started:.1f} s ({executed} notebook(s) executed, "
        f"{changed} published file(s) changed)"
    )
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=sorted(TARGETS), nargs="?", default="html")
    parser.add_argument("--force", action="store_true", help="re-execute every notebook")
    parser.add_argument("-j", "--jobs", type=int, help="notebooks executed at once (default: cores)")
    args = parser.parse_args(argv)
    try:
        build(args.target, args.force, args.jobs)
    except BuildError as exc:
        print(for_stream(f"\nBUILD FAILED: {exc}"), file=sys.stderr, flush=True)
        return 1
    if args.target == "html":
        say(f"open {TARGETS['html']['publish'] / 'index.html'}")
    else:
        say(f"the PDF: {TARGETS['pdf']['publish'] / 'book.pdf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
