"""Build the book: never stale, only re-run what changed, never publish a broken site.

    python -m bookbuild html     # what `make book` runs
    python -m bookbuild pdf      # what `make pdf` runs
    python -m bookbuild html --force   # re-execute every notebook

How it works (see README, "How the build works"):

1. A fingerprint of every source (pages, data, config, helper package) is compared with
   the one of the last good build; if equal and the output exists, nothing is done. A file
   whose inode, size and times are as recorded is not read again (:func:`file_digests`).
2. Every table is validated: bad data stops here, with file, row, column and value.
3. A notebook is re-executed when its key changes. The key hashes its code cells, the
   data files it read last time (the validated loader records them, see
   ``techreport.data.READS_ENV``), datapackage.json, the helper package and the pinned
   requirements. Stale notebooks run in parallel, in place: their stored outputs are
   both the cache and what nbval checks. Kernels start while the data is validated.
4. Sphinx builds into a staging folder with warnings as errors; only a clean build is
   copied over the published folder (``_build/html``), so a failure leaves the last good
   site exactly as it was. The HTML build runs Sphinx in this process: it starts (imports,
   environment, extensions, jieba's dictionary) while the notebooks execute, and only the
   files that changed are copied to the published folder.

The preview (``bookbuild.preview``) runs the same steps in a :class:`Session` that keeps
the kernels and the Sphinx application between builds.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import glob
import hashlib
import io
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STATE = BUILD / "state.json"
# What notebooks import: the only code that shapes their outputs (the build, the Sphinx
# extension and the measurements live in other packages, so they never re-run a notebook).
NOTEBOOK_PACKAGE = ROOT / "techreport"
SOURCE_GLOBS = [
    "_config.yml",
    "_toc.yml",
    "*.md",
    "book/**/*.md",
    "book/**/*.ipynb",
    "data/**/*",  # the tables, their descriptor, the map and the report's text (data/source/)
    "techreport/*.py",
    "bookbuild/**/*.py",
    "requirements.txt",
    "tools/web/**/*",
    "tools/latex/*",
]
TARGETS = {
    "html": {"builder": "html", "stage": BUILD / "stage-html", "built": "_build/html", "publish": BUILD / "html"},
    "pdf": {"builder": "pdflatex", "stage": BUILD / "stage-pdf", "built": "_build/latex", "publish": BUILD / "pdf"},
}


def tree_env(**extra: str) -> dict[str, str]:
    """The environment for kernels and Sphinx: ``techreport`` imported from this tree."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def say(message: str) -> None:
    print(message, flush=True)


def sha256(*chunks: bytes) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def read_state() -> dict:
    try:
        return json.loads(STATE.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def write_state(state: dict) -> None:
    STATE.parent.mkdir(parents=True, exist_ok=True)
    STATE.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")


def source_files() -> list[Path]:
    # glob.glob on names, not Path.glob: a large book's no-change build is mostly this walk
    names = {n for pattern in SOURCE_GLOBS for n in glob.glob(pattern, root_dir=ROOT, recursive=True)}
    return sorted(ROOT / n for n in names if ".ipynb_checkpoints" not in n and os.path.isfile(os.path.join(ROOT, n)))


#: A file changed less than this before its digest was recorded is read again next time: a
#: save in the same clock tick could leave its date and size as they were (git's "racy" case).
RACY_NS = 2_000_000_000


def file_digests(files: list[Path], known: dict | None = None) -> dict[Path, bytes]:
    """sha256 of each file's path and bytes.

    With ``known`` (the build state's record of earlier digests, updated here), a file whose
    inode, size, modification and change times are as recorded is not read again, as git's
    index does: a no-change build of a large book costs a ``stat`` per file, not a read.
    """
    out = {}
    now = time.time_ns()
    prefix = str(ROOT) + os.sep
    for path in files:
        name = str(path)
        rel = name[len(prefix) :] if name.startswith(prefix) else path.relative_to(ROOT).as_posix()
        if known is None:
            out[path] = hashlib.sha256(rel.encode() + b"\0" + path.read_bytes()).digest()
            continue
        st = path.stat()
        stamp = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        entry = known.get(rel)
        if entry and entry[0] == stamp and entry[1] - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            out[path] = bytes.fromhex(entry[2])
            continue
        out[path] = hashlib.sha256(rel.encode() + b"\0" + path.read_bytes()).digest()
        known[rel] = [stamp, now, out[path].hex()]
    return out


def combine(digests: dict[Path, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(digests):
        digest.update(digests[path])
    return digest.hexdigest()


def published_print(target: str, digests: dict[Path, bytes]) -> str:
    """What a published ``target`` was built from: the sources, and for the site whether the PDF
    edition it links (only when built, bookbuild/sphinx/web.py) is there, and which one."""
    print_ = combine(digests)
    pdf = TARGETS["pdf"]["publish"] / "book.pdf"
    if target == "html" and pdf.is_file():
        st = pdf.stat()
        print_ = sha256(print_.encode(), f"{st.st_size}:{st.st_mtime_ns}".encode())
    return print_


def toc_documents() -> list[str]:
    """Every document of _toc.yml in book order (root first), read by sphinx-external-toc as Sphinx reads it."""
    from sphinx_external_toc.api import FileItem
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(ROOT / "_toc.yml")

    def visit(name: str) -> list[str]:
        children = [item for tree in site[name].subtrees for item in tree.items if isinstance(item, FileItem)]
        return [name, *(doc for child in children for doc in visit(child))]

    return visit(site.root.docname)


def toc_notebooks() -> list[Path]:
    """Every notebook listed in _toc.yml, in book order."""
    return [path for doc in toc_documents() if (path := ROOT / f"{doc}.ipynb").exists()]


def package_digest() -> bytes:
    files = sorted(NOTEBOOK_PACKAGE.glob("*.py"))
    return b"".join(p.name.encode() + p.read_bytes() for p in files) + (ROOT / "requirements.txt").read_bytes()


def code_digest(path: Path) -> str:
    """A notebook's code, tags and stored outputs (clearing its outputs makes it stale too), and
    its kernel: not its prose, so a prose edit re-runs nothing."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [
        ("".join(c["source"]), c.get("metadata", {}).get("tags", []), c.get("outputs", []))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    return sha256(json.dumps(code, sort_keys=True).encode(), json.dumps(nb["metadata"].get("kernelspec", {})).encode())


def notebook_key(
    path: Path, reads: list[str], package: bytes, code: str | None = None, known: dict | None = None
) -> str:
    """What a notebook's outputs follow from: its code (``code_digest``), the data it read and
    the package it imports. ``known``: the record of file digests (see :func:`file_digests`)."""
    names = sorted(set(reads) | {"datapackage.json"})
    files = {name: Path(os.path.normpath(ROOT / "data" / name)) for name in names}  # ../book/x.ipynb: a page
    digests = file_digests([f for f in files.values() if f.is_file()], known)
    data = [name.encode() + digests.get(files[name], b"<missing>") for name in names]
    return sha256((code or code_digest(path)).encode(), *data, package)


def notebook_code(path: Path, state: dict) -> tuple[str, str]:
    """(file digest, code digest) of a notebook: the code digest is parsed again only when the
    file's digest is not the one recorded with it (a large book's notebooks are not all re-read)."""
    digest = file_digests([path], state.setdefault("files", {}))[path].hex()
    record = state.get("notebooks", {}).get(path.relative_to(ROOT).as_posix(), {})
    return digest, record["code"] if record.get("file") == digest and "code" in record else code_digest(path)


def validate_data(state: dict, digests: dict[Path, bytes]) -> None:
    """Validate every table whose inputs changed since it last passed.

    A table's inputs: its CSV, the CSVs its foreign keys point to, the descriptor, the
    report's text (quotes are checked against it) and the loader (``techreport/``). A
    large book re-checks the tables an edit touched, not all of them.
    """
    from techreport.data import PACKAGE_FILE, DataError, load_table, package, table_names
    from techreport.provenance import SOURCE_FILE

    data = ROOT / "data"
    common = sha256(*(digests.get(data / name, b"missing") for name in (PACKAGE_FILE, SOURCE_FILE)), package_digest())
    try:
        resources = {r["name"]: r for r in package()["resources"]}
    except DataError as exc:
        raise BuildError(f"bad data, nothing was built or published:\n{exc}") from None
    passed = state.setdefault("valid", {})
    try:
        for name in table_names():
            schema = resources[name].get("schema", {})
            inputs = [name, *(fk["reference"]["resource"] or name for fk in schema.get("foreignKeys", []))]
            key = sha256(common.encode(), *(digests.get(data / resources[t]["path"], b"missing") for t in inputs))
            if passed.get(name) != key:
                load_table(name)
                passed[name] = key
    except DataError as exc:
        raise BuildError(f"bad data, nothing was built or published:\n{exc}") from None


class BuildError(RuntimeError):
    pass


# Run in a reused kernel before each notebook: what a new kernel would give it.
PREAMBLE = """\
get_ipython().run_line_magic("reset", "-f")
import os as _os, sys as _sys
if "matplotlib" in _sys.modules:
    import matplotlib.pyplot as _plt
    _plt.close("all")
    _plt.rcdefaults()
_os.chdir({folder!r})
_os.environ[{env!r}] = {reads!r}
del _os, _sys
"""


def number_as_a_new_kernel(nb) -> None:
    """Execution counts 1, 2, ... as a new kernel gives them (the reused one counts on)."""
    cells = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    for number, cell in enumerate(cells, start=1):
        cell.execution_count = number
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = number


KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# Run once in each new kernel while the data is validated: what every notebook imports first
# (what a reused kernel already holds; each notebook still imports and sets up, and the
# PREAMBLE resets the namespace and matplotlib's settings before it).
WARM_UP = """\
import io as _io, matplotlib.pyplot as _plt, pandas, techreport.data, techreport.maps, techreport.present, techreport.style
import myst_nb.ext.glue  # glue_text's import: nbformat's schema checks load a grammar, about 1 s
techreport.style.setup()  # and draw Chinese text once: the CJK font is loaded before the first notebook needs it
_fig = _plt.figure()
_fig.text(0.1, 0.1, "上海")
_fig.savefig(_io.BytesIO(), format="svg")
_fig.savefig(_io.BytesIO(), format="png")
_plt.close(_fig)
"""


def execute(path: Path, km) -> tuple[list[str], float]:
    """Run a notebook in place in kernel ``km``; return the data files it read and its seconds.

    The kernel is reused across notebooks (imports and the CJK font are loaded once per
    worker), with a fresh namespace, folder and execution count for each. nbval runs every
    notebook in a new kernel, so a notebook that leaned on another's state would fail there.
    """
    import nbclient
    import nbformat
    from nbclient.exceptions import CellExecutionError

    from techreport.data import READS_ENV

    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    with tempfile.NamedTemporaryFile("r", suffix=".reads", encoding="utf-8") as reads:
        nb.cells.insert(
            0, nbformat.v4.new_code_cell(PREAMBLE.format(folder=str(path.parent), env=READS_ENV, reads=reads.name))
        )
        client = nbclient.NotebookClient(
            nb,
            km=km,
            timeout=600,
            allow_errors=False,
            record_timing=False,
            extra_arguments=KERNEL_ARGS,
            log=QUIET,
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute(env=kernel_env())
        except CellExecutionError as exc:
            raise BuildError(
                f"{path.relative_to(ROOT)} raised an exception; its stored outputs were kept "
                f"and nothing was published:\n{exc}"
            ) from None
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        nb.cells.pop(0)
        number_as_a_new_kernel(nb)
        files = sorted({line.strip() for line in reads.read().splitlines() if line.strip()})
    text = nbformat.writes(nb) + "\n"
    if path.read_text(encoding="utf-8") != text:
        fresh = path.with_name(path.name + ".new")  # atomic: a page reading this one never sees half of it
        fresh.write_text(text, encoding="utf-8")
        fresh.replace(path)
    return files, time.perf_counter() - start


QUIET = logging.getLogger("bookbuild.notebooks")  # nbclient's INFO lines are not news
QUIET.setLevel(logging.WARNING)


def kernel_env() -> dict[str, str]:
    return tree_env(PYDEVD_DISABLE_FILE_VALIDATION="1")


class KernelPool:
    """Kernels started at once and kept until :meth:`close`: one worker thread (and event
    loop) per kernel, fed notebooks through a queue. A kernel that died is restarted."""

    def __init__(self, size: int):
        self._todo: queue.SimpleQueue = queue.SimpleQueue()
        self._kernels: list = []
        self._threads = [threading.Thread(target=self._work, name=f"kernel-{i}", daemon=True) for i in range(size)]
        for thread in self._threads:
            thread.start()

    @property
    def size(self) -> int:
        return len(self._threads)

    def pids(self) -> list[int]:
        return [pid for km in self._kernels if (pid := getattr(getattr(km, "provisioner", None), "pid", None))]

    def submit(self, path: Path) -> Future:
        future: Future = Future()
        self._todo.put((path, future))
        return future

    def _work(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        self._kernels.append(km)
        started: BaseException | None = None
        try:
            try:
                run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGS, env=kernel_env(), cwd=str(ROOT))
                run_sync(self._warm_up)(km)
            except Exception as exc:  # reported on the first notebook this worker takes
                started = exc
            while (item := self._todo.get()) is not None:
                path, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                if started is not None:
                    future.set_exception(BuildError(f"a kernel did not start: {started}"))
                    continue
                try:
                    future.set_result(execute(path, km))
                except BaseException as exc:
                    future.set_exception(exc)
                    if not run_sync(km.is_alive)():
                        run_sync(km.restart_kernel)(now=True)
        finally:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)

    @staticmethod
    async def _warm_up(km) -> None:
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=120)
            await client.execute_interactive(WARM_UP, store_history=False, timeout=120)
        finally:
            client.stop_channels()

    def close(self) -> None:
        """Stop every kernel (the workers finish the notebook they are running first)."""
        for _ in self._threads:
            self._todo.put(None)
        for thread in self._threads:
            thread.join()


def stale_notebooks(notebooks: list[Path], state: dict, force: bool) -> list[Path]:
    package = package_digest()
    records = state.setdefault("notebooks", {})
    stale = []
    for path in notebooks:
        record = records.get(str(path.relative_to(ROOT)))
        if (
            force
            or not record
            or record["key"]
            != notebook_key(path, record["reads"], package, notebook_code(path, state)[1], state["files"])
        ):
            stale.append(path)
    return stale


def reads_pages(path: Path, state: dict) -> bool:
    """Whether the notebook read other notebooks the last time it ran (the 原文对照 page does)."""
    record = state.get("notebooks", {}).get(str(path.relative_to(ROOT)), {})
    return any(r.endswith(".ipynb") for r in record.get("reads", []))


def execute_stale(stale: list[Path], total: int, state: dict, pool: KernelPool | None) -> int:
    """Run the stale notebooks on the pool's kernels; record each one's reads and key."""
    if not stale:
        return 0
    say(f"notebooks: executing {len(stale)} of {total} on {min(pool.size, len(stale))} kernel(s)")
    package = package_digest()
    records = state.setdefault("notebooks", {})
    futures = {pool.submit(path): path for path in stale}
    done = 0
    try:
        for future in as_completed(futures):
            reads, seconds = future.result()  # a BuildError stops here; the rest are cancelled
            path = futures[future]
            rel = str(path.relative_to(ROOT))
            digest, code = file_digests([path], state.setdefault("files", {}))[path].hex(), code_digest(path)
            records[rel] = {
                "reads": reads,
                "key": notebook_key(path, reads, package, code, state["files"]),
                "file": digest,
                "code": code,
            }
            write_state(state)
            done += 1
            say(f"  [{done}/{len(stale)}] {rel}  {seconds:.1f} s  ({len(stale) - done} left)")
    except BaseException:
        for future in futures:
            future.cancel()
        for future in futures:  # let the running ones finish before anything else happens
            with contextlib.suppress(BaseException):
                future.exception()
        raise
    return len(stale)


def structure(files: list[Path]) -> str:
    """What decides which pages exist: config, toc and the list of page files."""
    shape = [p for p in files if p.name in {"_config.yml", "_toc.yml"}]
    names = "\n".join(str(p.relative_to(ROOT)) for p in files)
    return sha256(names.encode(), *(p.read_bytes() for p in shape))


class Tee(io.TextIOBase):
    """Sphinx's warning stream: shown on stderr and kept for the error message."""

    def __init__(self):
        self.text = io.StringIO()

    def write(self, text: str) -> int:
        sys.stderr.write(text)
        return self.text.write(text)

    def take(self) -> str:
        value = self.text.getvalue()
        self.text = io.StringIO()
        return value


class HtmlSphinx:
    """Jupyter Book's HTML build as a Sphinx application in this process.

    It is created in a background thread (imports, extensions, the pickled environment,
    jieba's dictionary: about 3 s) so that this overlaps the notebooks' execution, and it
    can build again and again (the preview keeps one). Configured as ``jupyter-book build
    --builder html --warningiserror --nitpick --keep-going`` would configure it.
    """

    def __init__(self, stage: Path):
        self.stage = stage
        self.warnings = Tee()
        self._stack = contextlib.ExitStack()
        self._app = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._create, name="sphinx-start", daemon=True)
        self._thread.start()

    def _create(self) -> None:
        try:
            import yaml
            from jupyter_book.config import get_final_config
            from sphinx.application import Sphinx
            from sphinx.util.docutils import docutils_namespace, patch_docutils

            config, _ = get_final_config(
                user_yaml=ROOT / "_config.yml",
                sourcedir=ROOT,
                use_external_toc=True,
                cli_config={
                    "external_toc_path": (ROOT / "_toc.yml").as_posix(),
                    "latex_individualpages": False,
                    "nitpicky": True,
                },
            )
            self._stack.enter_context(patch_docutils(str(ROOT)))
            self._stack.enter_context(docutils_namespace())
            out = self.stage / "_build"
            app = Sphinx(
                srcdir=str(ROOT),
                confdir=None,
                outdir=str(out / "html"),
                doctreedir=str(out / ".doctrees"),
                buildername="html",
                confoverrides=config,
                status=None,
                warning=self.warnings,
                freshenv=False,
                warningiserror=True,
                keep_going=True,
            )
            # As jupyter_book.sphinx.build_sphinx does: multitoc numbering when a part is numbered.
            if app.config["use_multitoc_numbering"] and "numbered: true" in yaml.dump(
                app.config.external_site_map.as_json()
            ):
                app.setup_extension("sphinx_multitoc_numbering")
            import jieba

            jieba.initialize()  # the search index's segmenter: its dictionary loads once per process
            self._app = app
        except BaseException as exc:
            self._error = exc

    @property
    def failed(self) -> bool:
        return not self._thread.is_alive() and self._error is not None

    def build(self) -> Path:
        """Build what changed; return the built folder or raise BuildError."""
        self._thread.join()
        if self._error is not None:
            raise BuildError(f"Sphinx did not start: {type(self._error).__name__}: {self._error}") from None
        app = self._app
        app.statuscode, app._warncount = 0, 0
        self.warnings.take()
        try:
            app.build()
        except Exception as exc:
            raise BuildError(f"Sphinx stopped: {type(exc).__name__}: {exc}") from None
        if app.statuscode:
            raise BuildError(f"Sphinx warnings (warnings are errors):\n{self.warnings.take().strip()}")
        return Path(app.outdir)

    def close(self) -> None:
        self._thread.join()
        self._stack.close()


def sphinx(target: str, state: dict, files: list[Path], session: Session) -> Path:
    """Build into the staging folder with warnings as errors; return the built folder.

    Sphinx never deletes the output of a page that no longer exists, so the staging
    folder starts afresh whenever the book's structure changed; otherwise it builds
    incrementally.
    """
    spec = TARGETS[target]
    say(f"sphinx: {spec['builder']} build (warnings are errors)")
    if target == "html":
        try:
            started = time.perf_counter()
            built = session.html_sphinx(state, files).build()
            say(f"sphinx: built in {time.perf_counter() - started:.1f} s")
            return built
        except BuildError as exc:
            # Forget the environment so the next build re-reads every page and reports again.
            session.drop_sphinx()
            shutil.rmtree(spec["stage"], ignore_errors=True)
            raise BuildError(
                f"the html build failed; {spec['publish'].relative_to(ROOT)} was left as it was: {exc}"
            ) from None
    stage = spec["stage"]
    fresh_stage(target, state, files)
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
    env = tree_env()
    detail = ""
    from .pdf import LATEX_ENV

    env.update(LATEX_ENV)
    env.pop("SOURCE_DATE_EPOCH", None)  # set by style.setup() in-process; the title page shows the build date
    # Jupyter Book's banner (stdout) points at the staging folder: shown only on failure.
    result = subprocess.run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        print(result.stdout, flush=True)
        if (stage / spec["built"]).exists():
            from .pdf import errors

            detail = f"\nLaTeX says:\n{errors(stage / spec['built'])}"
        shutil.rmtree(stage, ignore_errors=True)
        raise BuildError(
            f"the {spec['builder']} build failed (see the messages above); "
            f"{spec['publish'].relative_to(ROOT)} was left as it was{detail}"
        )
    return stage / spec["built"]


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

    def start_sphinx(self, state: dict, files: list[Path]) -> None:
        if fresh_stage("html", state, files) or (self._sphinx is not None and self._sphinx.failed):
            self.drop_sphinx()  # a new structure (config, toc, pages), or it did not start: a new application
        if self._sphinx is None:
            self._sphinx = HtmlSphinx(TARGETS["html"]["stage"])

    def html_sphinx(self, state: dict, files: list[Path]) -> HtmlSphinx:
        self.start_sphinx(state, files)
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


def publish(built: Path, target: Path) -> int:
    """Make ``target`` a copy of ``built``, writing only the files that changed (and
    removing the ones that are gone); return how many files were written or removed.

    A build's unchanged pages keep their bytes and dates, so a one-page change costs one
    page (plus the files Sphinx rewrites every time, such as the search index).
    """
    changed = 0
    target.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for src in built.rglob("*"):
        rel = src.relative_to(built)
        wanted.add(rel)
        dst = target / rel
        if src.is_dir():
            dst.mkdir(exist_ok=True)
            continue
        if dst.is_file():
            a, b = src.stat(), dst.stat()
            if a.st_size == b.st_size and (a.st_mtime_ns == b.st_mtime_ns or filecmp.cmp(src, dst, shallow=False)):
                continue
        tmp = dst.with_name(dst.name + ".publishing")
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)  # a reader sees the old file or the new one, never half of one
        changed += 1
    for old in sorted(target.rglob("*"), reverse=True):
        if old.relative_to(target) not in wanted:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
            changed += 1
    return changed


def build(
    target: str = "html",
    force: bool = False,
    jobs: int | None = None,
    session: Session | None = None,
    early: Callable[[int], None] | None = None,
) -> int:
    """One build; with a ``session`` (the preview), kernels and Sphinx stay warm afterwards.

    ``early`` (the preview): when pages that read other pages (原文对照) must run again, the
    site is first published without them and ``early(files changed)`` is called, so the page
    an edit changed shows before the back matter that cites it is brought up to date.
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
    own = session is None
    session = session or Session(jobs)
    try:
        notebooks = toc_notebooks()
        stale = stale_notebooks(notebooks, state, force)
        pool = session.warm_kernels(len(stale))  # kernels start while the data is validated
        if target == "html":
            session.start_sphinx(state, files)  # and Sphinx while the notebooks run
        validate_data(state, digests)
        say(f"data: every table valid ({time.perf_counter() - started:.1f} s)")
        if not stale:
            say(f"notebooks: all {len(notebooks)} up to date")
        first = [p for p in stale if not reads_pages(p, state)]  # pages that read other pages go last
        executed = execute_stale(first, len(notebooks), state, pool)
        later = [p for p in stale if p not in first]
        if early is not None and first and later and target == "html":
            early(publish(sphinx(target, state, files, session), spec["publish"]))
        executed += execute_stale(later, len(notebooks), state, pool)
        # A page that reads other pages' outputs (原文对照) is stale again if one of them changed
        # after it ran (a clean build knows no reads yet): run until every key holds.
        for _ in notebooks:
            again = stale_notebooks(notebooks, state, force=False)
            if not again:
                break
            executed += execute_stale(again, len(notebooks), state, pool)
            stale += [p for p in again if p not in stale]
        else:
            raise BuildError("notebooks keep changing what other notebooks read; see their reads in _build/state.json")
        if own and session.kernels is not None:
            session.kernels.close()  # no kernel outlives its use in a one-shot build
            session.kernels = None
        built = sphinx(target, state, files, session)
        if target == "pdf":
            from .pdf import PdfError, finish

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
        print(f"\nBUILD FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    if args.target == "html":
        say(f"open {TARGETS['html']['publish'] / 'index.html'}")
    else:
        say(f"the PDF: {TARGETS['pdf']['publish'] / 'book.pdf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
