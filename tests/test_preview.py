"""The live preview (``make preview``, bookbuild/preview.py) in a scratch copy of the repository:
a CSV edit shows on the served page without restarting anything; bad data shows an overlay
naming the file and row while the last good page stays served; the fix clears it; stopping
leaves no kernel and no port behind. Checked twice: over HTTP, and in a Chromium tab left
open from the start, which must update by itself. Timings are the benchmark's business
(``make bench ARGS=--preview``).
"""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = "book/2-3-platforms/index.html"  # the page that reads industry_clusters.csv
CSV = "data/industry_clusters.csv"
OLD, NEW = "北斗导航", "北斗导航与位置服务"
WAIT = 300  # seconds: a slow shared machine, not a timing claim


def kernels_of(pid: int) -> list[int]:
    """The ipykernel processes below ``pid`` (Linux /proc: the preview's own children)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    below, found = {pid}, True
    while found:
        found = {p for p, parent in parents.items() if parent in below and p not in below}
        below |= found
    return [p for p in below - {pid} if b"ipykernel" in cmdline(p)]


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def until(what: str, check, proc: subprocess.Popen, log: Path) -> str:
    """Poll ``check()`` until it returns a truthy value; fail with the preview's output."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the preview exited:\n{log.read_text(encoding='utf-8')[-4000:]}"
        value = check()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text(encoding='utf-8')[-4000:]}")


def test_preview_edit_error_fix_stop(repo: Path, tmp_path: Path):
    pytest.importorskip("playwright")
    from measure import web

    log = tmp_path / "preview.log"
    browser = contextlib.ExitStack()
    # Playwright's sync API runs in a thread of its own: another module's session browser may
    # hold this thread's event loop. Every call on the tab goes through ``in_browser``.
    thread = ThreadPoolExecutor(max_workers=1)

    def in_browser(call):
        return thread.submit(call).result()

    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bookbuild.preview", "--port", "0", "--jobs", "1"],
            cwd=repo,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        url = until(
            "the preview to serve",
            lambda: (
                (m := re.search(r"serving (http://127\.0\.0\.1:\d+/)", log.read_text(encoding="utf-8"))) and m.group(1)
            ),
            proc,
            log,
        )
        port = int(url.rsplit(":", 1)[1].strip("/"))
        page = fetch(url + PAGE)
        assert OLD in page and NEW not in page and "preview-error" not in page
        assert "EventSource" in page  # open tabs reload themselves
        kernels = until("a warm kernel", lambda: kernels_of(proc.pid), proc, log)
        tab = in_browser(lambda: browser.enter_context(web.browser()).new_page())
        in_browser(lambda: tab.goto(url + PAGE))
        assert OLD in in_browser(lambda: tab.inner_text("main"))
        assert not in_browser(lambda: tab.query_selector("#preview-error"))
        ms = WAIT * 1000

        # An edit: the served page shows the new value; same process, same kernel.
        csv = repo / CSV
        good = csv.read_text(encoding="utf-8")
        # the industry cell only: the row's source_quote keeps the report's words (checked at load)
        csv.write_text(good.replace(f",{OLD},", f",{NEW},"), encoding="utf-8")
        page = until(
            "the new value on the page", lambda: (text := fetch(url + PAGE)) and NEW in text and text, proc, log
        )
        # The same Sphinx application built twice: the numbering still starts at chapter 2.
        assert re.search(r"图 2-\d+", page) and not re.search(r"图 3-\d+", page)
        assert proc.poll() is None and all(running(pid) for pid in kernels)
        in_browser(
            lambda: tab.wait_for_function(f"document.querySelector('main')?.innerText.includes({NEW!r})", timeout=ms)
        )

        # Bad data: the overlay names file, row, column and value; the last good page stays.
        edited = csv.read_text(encoding="utf-8")
        csv.write_text(edited.replace("2,青浦", "二,青浦"), encoding="utf-8")
        page = until(
            "the error overlay", lambda: (text := fetch(url + PAGE)) and "preview-error" in text and text, proc, log
        )
        overlay = page.split('id="preview-error"', 1)[1].split("</div>", 1)[0]
        assert "data/industry_clusters.csv" in overlay and "row 3" in overlay
        assert "order" in overlay and "二" in overlay
        assert NEW in page.split('id="preview-error"', 1)[0] or NEW in page.split("</div>", 1)[1]
        assert "row 3" in log.read_text(encoding="utf-8")  # and in the terminal
        # it reloaded (a locator, not an element: the open page's build and the rest's may each reload the tab)
        shown = in_browser(lambda: tab.locator("#preview-error").inner_text(timeout=ms))
        assert "data/industry_clusters.csv" in shown and "row 3" in shown
        assert NEW in in_browser(lambda: tab.inner_text("main"))

        # The fix clears the overlay.
        csv.write_text(edited, encoding="utf-8")
        page = until(
            "the overlay to go", lambda: (text := fetch(url + PAGE)) and "preview-error" not in text and text, proc, log
        )
        assert NEW in page
        in_browser(lambda: tab.wait_for_selector("#preview-error", state="detached", timeout=ms))
    finally:
        in_browser(browser.close)
        thread.shutdown()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            proc.wait(timeout=120)
    assert proc.returncode == 0, log.read_text(encoding="utf-8")[-4000:]
    assert "preview: stopped" in log.read_text(encoding="utf-8")
    time.sleep(0.5)
    left = [pid for pid in kernels if running(pid)]
    assert not left, f"kernels left running: {left}"
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
    with socket.socket() as sock:
        # Free for the next preview (which, like any server, reuses an address whose old
        # connections are in TIME_WAIT; Linux refuses this bind while anything listens there).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


# --- which pages are open, and a port in use (no build) ---------------------------------------


@pytest.mark.parametrize(
    ("path", "doc"),
    [
        ("/book/2-1-three-fields/biomed.html", "book/2-1-three-fields/biomed"),
        ("/", "index"),
        ("/index.html", "index"),
        ("/book/2-3-platforms/", "book/2-3-platforms/index"),
        ("/book/2-1-three-fields/biomed.html#fig-x", "book/2-1-three-fields/biomed"),
    ],
)
def test_a_served_path_names_its_page(path, doc):
    from bookbuild.preview import page_doc

    assert page_doc(path) == doc


def test_the_preview_knows_which_pages_are_open(tmp_path):
    """Each tab's event stream names its page: those pages' notebooks run first (bookbuild.build.open_first)."""
    from bookbuild.preview import CLIENT, Preview

    assert "?page=" in CLIENT and "location.pathname" in CLIENT
    preview = Preview(port=0, jobs=1)
    serving = threading.Thread(target=preview.server.serve_forever, daemon=True)
    serving.start()
    try:
        assert preview.status.open_pages() == []
        stream = urllib.request.urlopen(preview.url + "_preview/events?page=%2Fbook%2F2-1-three-fields%2Fbiomed.html")
        assert stream.readline().startswith(b"data:")
        assert preview.status.open_pages() == ["book/2-1-three-fields/biomed"]
        stream.close()  # the tab is closed: the stream's next keep-alive finds no reader
        deadline = time.monotonic() + 10
        while preview.status.open_pages() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert preview.status.open_pages() == []
    finally:
        preview.close()


def test_a_port_in_use_says_what_to_do():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bookbuild.preview", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and f"PORT={port + 1}" in result.stderr
