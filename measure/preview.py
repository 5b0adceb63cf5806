"""How fast the live preview shows an edit on the page open in a browser tab (not a test).

    python -m measure --preview [--repeats 3]      # both edits below

The preview runs on a fresh copy. A tab is held open on the edited page the way a browser's
is (the page's event stream, which names the page), then a value is saved several times
and each save is timed until the served page shows it:

* ``cluster``: a cell of ``industry_clusters.csv``, on the platforms page (its heaviest notebook);
* ``row``: one biomedicine row of ``indicators.csv`` (the name of the count of drug approvals), on the
  biomedicine page; its section's page and the overview read the row too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from functools import partial
from pathlib import Path

from .run import ROOT, edit_line, fresh_copy

EDITS = {
    # name: (file, start of the edited line (None: the first match in the file), the text of
    # repeat i (i = -1: as committed), the page, what the page shows after repeat i)
    "cluster": (
        "data/industry_clusters.csv",
        None,
        lambda i: "北斗导航" + "测" * (i + 1),
        "book/2-3-platforms/index.html",
        lambda i: "北斗导航" + "测" * (i + 1),
    ),
    "row": (  # the row's name: a value must agree with its quote, and the quote with the report
        "data/indicators.csv",
        "biomed_nmpa_approvals,",
        lambda i: ",全年获国家药监局药品批件," if i < 0 else f",全年获国家药监局药品批件{'测' * (i + 1)},",
        "book/2-1-three-fields/biomed.html",
        lambda i: "全年获国家药监局药品批件" + "测" * (i + 1),
    ),
}


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def hold_open(url: str, page: str, stop: threading.Event) -> None:
    """Keep the page's event stream open, as its browser tab does (the preview runs open pages first)."""
    with urllib.request.urlopen(f"{url}_preview/events?page=/{page}", timeout=600) as stream:
        while not stop.is_set() and stream.readline():
            pass


def finished(log: Path, mark: int):
    """The build's last line ("done in ... (N notebook(s) executed ...)") after ``mark``, once written."""
    return re.search(r"done in .*", log.read_text(encoding="utf-8")[mark:])


def wait(check, proc, log: Path, poll: float = 0.3, limit: float = 900):
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the preview exited:\n{log.read_text(encoding='utf-8')[-3000:]}")
        value = check()
        if value:
            return value
        time.sleep(poll)
    raise SystemExit(f"the preview did not get there:\n{log.read_text(encoding='utf-8')[-3000:]}")


def preview_latency(repeats: int = 3, edits: tuple[str, ...] = ("row", "cluster")) -> dict:
    """Seconds from saving a value to the served page showing it, in a running preview, per edit."""
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        repo = fresh_copy(Path(tmp), "repo", strip_outputs=False)
        log = Path(tmp) / "preview.log"
        with log.open("w", encoding="utf-8") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bookbuild.preview", "--port", "0"],
                cwd=repo,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        stop = threading.Event()
        try:
            url = wait(
                lambda: (m := re.search(r"serving (http://\S+/)", log.read_text(encoding="utf-8"))) and m.group(1),
                proc,
                log,
            )
            time.sleep(3)  # kernels warm
            for name in edits:
                file, start, text, page, shows = EDITS[name]
                tab = threading.Thread(target=hold_open, args=(url, page, stop), daemon=True)
                tab.start()
                time.sleep(1)  # the tab's stream is open (as a browser's is long before an edit)
                path = repo / file
                original = path.read_text(encoding="utf-8")
                seconds, executed = [], []
                for i in range(repeats):
                    mark = len(log.read_text(encoding="utf-8"))
                    if start is None:
                        path.write_text(
                            path.read_text(encoding="utf-8").replace(text(i - 1), text(i), 1), encoding="utf-8"
                        )
                    else:
                        edit_line(path, start, text(i - 1), text(i))
                    saved = time.perf_counter()
                    wait(lambda: shows(i) in get(url + page), proc, log, poll=0.05)  # noqa: B023 (used at once)
                    seconds.append(time.perf_counter() - saved)
                    # then the build's end (the other stale pages): its notebooks
                    done = wait(partial(finished, log, mark), proc, log)
                    executed.append(int(re.search(r"\((\d+) notebook", done.group(0)).group(1)))
                    time.sleep(1)
                mark = len(log.read_text(encoding="utf-8"))
                path.write_text(original, encoding="utf-8")  # and wait for that build too
                wait(partial(finished, log, mark), proc, log)
                time.sleep(1)
                out[name] = {"page": page, "edit_to_visible": seconds, "notebooks": executed}
            # A save that changes nothing: the build is skipped (the fingerprint is equal).
            csv = repo / EDITS["cluster"][0]
            before = log.read_text(encoding="utf-8").count("sphinx: built")
            csv.write_text(csv.read_text(encoding="utf-8"), encoding="utf-8")
            time.sleep(3)
            out["no_change_builds"] = log.read_text(encoding="utf-8").count("sphinx: built") - before
        finally:
            stop.set()
            proc.terminate()
            proc.wait(timeout=120)
            kept = ROOT / "_build" / "bench-preview.log"  # what the preview printed, for a look afterwards
            kept.parent.mkdir(exist_ok=True)
            shutil.copy2(log, kept)
    return out
