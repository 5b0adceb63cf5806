"""Build the book: never stale, only re-run what changed, never publish a broken site.

    python -m bookbuild html     # what `make book` runs
    python -m bookbuild pdf      # what `make pdf` runs
    python -m bookbuild html --force   # re-execute every notebook

How it works (see README, "How the build works"):

1. A fingerprint of every source (pages, data, config, helper package) is compared with
   the one of the last good build; if equal and the output exists, nothing is done.
2. Every table is validated: bad data stops here, with file, row, column and value.
3. A notebook is re-executed when its key changes. The key hashes its code cells, the
   data files it read last time (the validated loader records them, see
   ``techreport.data.READS_ENV``), datapackage.json, the helper package and the pinned
   requirements. Stale notebooks run in parallel, in place: their stored outputs are
   both the cache and what nbval checks.
4. Sphinx builds into a staging folder with warnings as errors; only a clean build is
   copied over the published folder (``_build/html``), so a failure leaves the last good
   site exactly as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
STATE = BUILD / "state.json"
# What notebooks import: the only code that shapes their outputs (the build, the Sphinx
# extension and the measurements live in other packages, so they never re-run a notebook).
NOTEBOOK_PACKAGE = ROOT / "techreport"
SOURCE_GLOBS = ["_config.yml", "_toc.yml", "*.md", "book/**/*.md", "book/**/*.ipynb", "data/*",
                "techreport/*.py", "bookbuild/**/*.py", "requirements.txt", "tools/web/**/*", "tools/latex/*"]
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
    files = {p for pattern in SOURCE_GLOBS for p in ROOT.glob(pattern) if p.is_file()}
    return sorted(p for p in files if ".ipynb_checkpoints" not in p.parts)


def fingerprint(files: list[Path]) -> str:
    return sha256(*(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() for p in files))


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


def notebook_key(path: Path, reads: list[str], package: bytes) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    # Code, tags and stored outputs: clearing a notebook's outputs makes it stale too.
    code = [("".join(c["source"]), c.get("metadata", {}).get("tags", []), c.get("outputs", []))
            for c in nb["cells"] if c["cell_type"] == "code"]
    data = [(r, (ROOT / "data" / r).read_bytes() if (ROOT / "data" / r).exists() else b"<missing>")
            for r in sorted(set(reads) | {"datapackage.json"})]
    return sha256(json.dumps(code, sort_keys=True).encode(), json.dumps(nb["metadata"].get("kernelspec", {})).encode(),
                  *(name.encode() + blob for name, blob in data), package)


def validate_data() -> None:
    from techreport.data import DataError, load_table, table_names

    try:
        for name in table_names():
            load_table(name)
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
        nb.cells.insert(0, nbformat.v4.new_code_cell(PREAMBLE.format(folder=str(path.parent), env=READS_ENV,
                                                                     reads=reads.name)))
        client = nbclient.NotebookClient(nb, km=km, timeout=600, allow_errors=False, record_timing=False,
                                         extra_arguments=["--IPKernelApp.log_level=ERROR"],
                                         resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute(env=tree_env(PYDEVD_DISABLE_FILE_VALIDATION="1"))
        except CellExecutionError as exc:
            raise BuildError(f"{path.relative_to(ROOT)} raised an exception; its stored outputs were kept "
                             f"and nothing was published:\n{exc}") from None
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        nb.cells.pop(0)
        number_as_a_new_kernel(nb)
        files = sorted({line.strip() for line in reads.read().splitlines() if line.strip()})
    text = nbformat.writes(nb) + "\n"
    if path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return files, time.perf_counter() - start


def execute_stale(notebooks: list[Path], state: dict, force: bool, jobs: int) -> int:
    package = package_digest()
    records = state.setdefault("notebooks", {})
    stale = []
    for path in notebooks:
        rel = str(path.relative_to(ROOT))
        record = records.get(rel)
        if force or not record or record["key"] != notebook_key(path, record["reads"], package):
            stale.append(path)
    if not stale:
        say(f"notebooks: all {len(notebooks)} up to date")
        return 0
    workers = min(jobs, len(stale))
    say(f"notebooks: executing {len(stale)} of {len(notebooks)} on {workers} worker(s)")
    todo: queue.SimpleQueue[Path] = queue.SimpleQueue()
    for path in stale:
        todo.put(path)
    lock, failed, done = threading.Lock(), threading.Event(), []

    def worker() -> None:
        """One kernel per worker thread (and so per event loop), shut down at the end."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        try:
            while not failed.is_set():
                try:
                    path = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    reads, seconds = execute(path, km)
                except BaseException:
                    failed.set()
                    raise
                rel = str(path.relative_to(ROOT))
                with lock:
                    done.append(rel)
                    records[rel] = {"reads": reads, "key": notebook_key(path, reads, package)}
                    write_state(state)
                    say(f"  [{len(done)}/{len(stale)}] {rel}  {seconds:.1f} s  ({len(stale) - len(done)} left)")
        finally:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(worker) for _ in range(workers)]:
            future.result()  # a BuildError propagates once every worker has stopped
    return len(stale)


def structure(files: list[Path]) -> str:
    """What decides which pages exist: config, toc and the list of page files."""
    shape = [p for p in files if p.name in {"_config.yml", "_toc.yml"}]
    names = "\n".join(str(p.relative_to(ROOT)) for p in files)
    return sha256(names.encode(), *(p.read_bytes() for p in shape))


def sphinx(target: str, state: dict, files: list[Path]) -> Path:
    """Build into the staging folder with warnings as errors; return the built folder.

    Sphinx never deletes the output of a page that no longer exists, so the staging
    folder starts afresh whenever the book's structure changed; otherwise it builds
    incrementally.
    """
    spec = TARGETS[target]
    stage = spec["stage"]
    shape = structure(files)
    if state.get(f"structure-{target}") != shape:
        shutil.rmtree(stage, ignore_errors=True)
        state[f"structure-{target}"] = shape
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(stage),
           "--builder", spec["builder"], "--warningiserror", "--nitpick", "--keep-going", "--quiet"]
    say(f"sphinx: {spec['builder']} build (warnings are errors)")
    env = tree_env()
    detail = ""
    if target == "pdf":
        from .pdf import LATEX_ENV

        env.update(LATEX_ENV)
        env.pop("SOURCE_DATE_EPOCH", None)  # set by style.setup() in-process; the title page shows the build date
    # Jupyter Book's banner (stdout) points at the staging folder: shown only on failure.
    result = subprocess.run(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        print(result.stdout, flush=True)
        if target == "pdf" and (stage / spec["built"]).exists():
            from .pdf import errors

            detail = f"\nLaTeX says:\n{errors(stage / spec['built'])}"
        # Forget the environment so the next build re-reads every page and reports again.
        shutil.rmtree(stage, ignore_errors=True)
        raise BuildError(f"the {spec['builder']} build failed (see the messages above); "
                         f"{spec['publish'].relative_to(ROOT)} was left as it was{detail}")
    return stage / spec["built"]


def publish(built: Path, target: Path) -> None:
    """Swap the new build in: copy beside, then two renames."""
    fresh = target.with_name(target.name + ".new")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.copytree(built, fresh)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def build(target: str = "html", force: bool = False, jobs: int | None = None) -> int:
    started = time.perf_counter()
    spec = TARGETS[target]
    state = read_state()
    files = source_files()
    print_ = fingerprint(files)
    if not force and state.get(f"published-{target}") == print_ and spec["publish"].exists():
        say(f"nothing changed since the last {target} build: {spec['publish'].relative_to(ROOT)} is up to date "
            f"({time.perf_counter() - started:.2f} s)")
        return 0
    validate_data()
    executed = execute_stale(toc_notebooks(), state, force, jobs or os.cpu_count() or 1)
    built = sphinx(target, state, files)
    if target == "pdf":
        from .pdf import PdfError, finish

        try:
            built = finish(built)
        except PdfError as exc:
            raise BuildError(str(exc)) from None
    publish(built, spec["publish"])
    state[f"published-{target}"] = fingerprint(source_files())  # notebooks were executed in place
    write_state(state)
    say(f"done in {time.perf_counter() - started:.1f} s ({executed} notebook(s) executed)")
    return 0


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
