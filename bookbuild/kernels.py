"""A pool of warm Jupyter kernels that execute notebooks in place and report what each one read.

Each worker keeps one kernel for the notebooks it runs, with a fresh namespace, folder and
execution count for each (:data:`PREAMBLE`), so imports and the CJK font load once per worker.
nbval runs every notebook in a new kernel, so a notebook that leaned on another's state
would fail there.
"""

from __future__ import annotations

import logging
import queue
import tempfile
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from .errors import BuildError, plain
from .keys import parse_reads
from .sources import ROOT, tree_env

#: The environment variable the loader reads to know where to record reads (techreport.data.READS_ENV).
READS_ENV = "TECHREPORT_READS"

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

KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# Run once in each new kernel while the data is validated: what every notebook imports first
# (what a reused kernel already holds; each notebook still imports and sets up, and the
# PREAMBLE resets the namespace and matplotlib's settings before it).
WARM_UP = """\
import io as _io, matplotlib.pyplot as _plt, pandas, techreport.data, techreport.maps, techreport.present, techreport.style
techreport.style.setup()  # and draw Chinese text once: the CJK font is loaded before the first notebook needs it
_fig = _plt.figure()
_fig.text(0.1, 0.1, "上海")
_fig.savefig(_io.BytesIO(), format="svg")
_fig.savefig(_io.BytesIO(), format="png")
_plt.close(_fig)
import gc as _gc
_gc.freeze()  # what is loaded now stays: the collections (the PREAMBLE's %reset runs one) skip it, 0.3 s a notebook
"""

QUIET = logging.getLogger("bookbuild.notebooks")  # nbclient's INFO lines are not news
QUIET.setLevel(logging.WARNING)


def kernel_env() -> dict[str, str]:
    return tree_env(PYDEVD_DISABLE_FILE_VALIDATION="1")


def number_as_a_new_kernel(nb) -> None:
    """Execution counts 1, 2, ... as a new kernel gives them (the reused one counts on)."""
    cells = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    for number, cell in enumerate(cells, start=1):
        cell.execution_count = number
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = number


def execute(path: Path, km) -> tuple[list, float]:
    """Run a notebook in place in kernel ``km``; return what it read (see :mod:`bookbuild.keys`) and its seconds."""
    import nbclient
    import nbformat
    from nbclient.exceptions import CellExecutionError

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
                f"raised an exception; its stored outputs were kept and nothing was published:\n{exc}",
                file=path.relative_to(ROOT).as_posix(),
                hint="fix the cell shown above (or the data it names), then build again",
            ) from None
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        nb.cells.pop(0)
        number_as_a_new_kernel(nb)
        files = parse_reads(reads.read().splitlines())
    text = nbformat.writes(nb) + "\n"
    if path.read_text(encoding="utf-8") != text:
        fresh = path.with_name(path.name + ".new")  # atomic: Sphinx never reads half of it
        fresh.write_text(text, encoding="utf-8")
        fresh.replace(path)
    return files, time.perf_counter() - start


class KernelPool:
    """Kernels started at once and kept until :meth:`close`: one worker thread (and event
    loop) per kernel, fed notebooks through a queue (first in, first run). A kernel that
    died is restarted; one that failed to start or warm up fails the notebooks it takes."""

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
                    future.set_exception(
                        BuildError(
                            f"a kernel did not start: {started}",
                            hint="the message names the file to fix; `make book` again afterwards",
                        )
                    )
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
        """Run :data:`WARM_UP`; its output is not shown (an error is raised as one line: name and value)."""
        client = km.client()
        client.start_channels()
        errors = []

        def keep_errors(msg) -> None:
            if msg["header"]["msg_type"] == "error":
                errors.append(plain(f"{msg['content']['ename']}: {msg['content']['evalue']}"))

        try:
            await client.wait_for_ready(timeout=120)
            reply = await client.execute_interactive(WARM_UP, store_history=False, timeout=120, output_hook=keep_errors)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(errors[0] if errors else "the warm-up failed")
        finally:
            client.stop_channels()

    def close(self) -> None:
        """Stop every kernel (the workers finish the notebook they are running first)."""
        for _ in self._threads:
            self._todo.put(None)
        for thread in self._threads:
            thread.join()
