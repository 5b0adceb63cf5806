"""Live preview: serve the book, rebuild on every save, reload the open tabs.

    python -m bookbuild.preview [--port 8000]     # what `make preview` runs (PORT=...)

It watches the sources ``make book`` fingerprints (data/, the pages, the config, the
package) and on each save runs the same build as ``make book`` (:func:`bookbuild.build.build`):
the same staleness keys, so a CSV edit re-runs exactly the notebooks that read it, the same
validation, the same warnings-are-errors Sphinx build. What differs is that it keeps a
:class:`~bookbuild.build.Session` open: the kernels stay warm and Sphinx (with its
environment, extensions and jieba's dictionary) stays in memory between builds; that the
notebooks of the pages open in a browser tab run first (each tab's event stream names its
page); and that the site is published, and the tabs reloaded, as soon as each notebook is
done, not once all are.

A failed build (bad data, a notebook that raises, a Sphinx warning) publishes nothing: the
last good pages stay served, with an overlay that shows the error (file, row, column and
value for bad data); the terminal shows it too. The next good save clears it.

Why not sphinx-autobuild: it runs every rebuild as a new ``sphinx-build`` process (in a new
worker process each time), so nothing stays warm; it builds straight into the folder it
serves, so a failed build is half-published; it knows nothing of notebooks or data; and it
brings starlette, uvicorn and watchfiles. What this module takes from it: the injected
reload script, ``Cache-Control: no-cache`` on every response, the ignore list. Here the
server is the standard library's, the reload channel is Server-Sent Events, and the
watcher polls file dates (a few hundred files: well under a millisecond of work a poll).
"""

from __future__ import annotations

import argparse
import errno
import html
import signal
import sys
import threading
import time
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .build import TARGETS, Session, build
from .errors import BuildError, plain, say
from .sources import source_files

SITE = TARGETS["html"]["publish"]
EVENTS = "/_preview/events"
POLL_SECONDS = 0.1

# Injected before </body> of every HTML page: reload when the build generation moves on. The
# event stream's address names the page, so the preview knows which pages are open and runs
# their notebooks first.
CLIENT = """<script>(function () {{
  var seen = {generation};
  var source = new EventSource("{events}?page=" + encodeURIComponent(location.pathname));
  source.onmessage = function (event) {{ if (Number(event.data) !== seen) location.reload(); }};
}})();</script>"""
OVERLAY = """<div id="preview-error" role="alert" style="position:fixed;inset:0;z-index:99999;overflow:auto;
background:rgba(20,20,20,.92);color:#fff;padding:2rem;font:15px/1.5 system-ui,sans-serif">
<h2 style="color:#ff8a80;margin-top:0;font-size:1.25rem">预览：构建失败，以下是上一次成功的页面 (build failed; the last good pages are served)</h2>
<pre style="white-space:pre-wrap;font:14px/1.45 ui-monospace,monospace;color:#fff;background:#000;border:1px solid #ff8a80;padding:1rem">{message}</pre>
<p>保存修正后自动刷新 (fix and save: this page reloads by itself).
<button onclick="this.closest('#preview-error').remove()">关闭 (close)</button></p></div>"""


class Status:
    """The build generation (it moves on after every good build or new error), the error, and
    the pages open in a browser (one count per event stream)."""

    def __init__(self):
        self.generation = 0
        self.error: str | None = None
        self.changed = threading.Condition()
        self.open: Counter[str] = Counter()

    def open_pages(self) -> list[str]:
        """The documents shown in open tabs (``book/x/page``), most-watched first."""
        with self.changed:
            return [doc for doc, n in self.open.most_common() if n > 0]

    def publish(self, error: str | None) -> None:
        with self.changed:
            self.generation += 1
            self.error = error
            self.changed.notify_all()

    def wait(self, generation: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout)
            return self.generation


class Handler(SimpleHTTPRequestHandler):
    """The published site, every HTML page with the reload script (and the error overlay)."""

    status: Status
    stopping: threading.Event

    def log_message(self, format, *args):  # quiet: the terminal shows builds, not requests
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self):
        if self.path.split("?")[0] == EVENTS:
            return self.events()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self.page(path)
        return super().do_GET()

    def page(self, path: Path) -> None:
        status = self.status
        text = path.read_text(encoding="utf-8")
        extra = CLIENT.format(generation=status.generation, events=EVENTS)
        if status.error:
            extra = OVERLAY.format(message=html.escape(status.error)) + extra
        body = (text.replace("</body>", extra + "</body>", 1) if "</body>" in text else text + extra).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def events(self) -> None:
        """Server-Sent Events: the current generation now and after every change. The
        ``page`` parameter (the tab's path) counts the page as open while the stream lasts."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        doc = page_doc(parse_qs(urlsplit(self.path).query).get("page", [""])[0])
        with self.status.changed:
            self.status.open[doc] += 1
        generation = None
        try:
            while not self.stopping.is_set():
                current = self.status.generation
                if current != generation:
                    generation = current
                    self.wfile.write(f"data: {generation}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                self.status.wait(generation, timeout=1.0)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.status.changed:
                self.status.open[doc] -= 1
                if self.status.open[doc] <= 0:
                    del self.status.open[doc]


def page_doc(path: str) -> str:
    """The document a served path shows: ``/book/x/page.html`` -> ``book/x/page``, ``/`` -> ``index``."""
    path = unquote(path).split("?")[0].split("#")[0].strip("/")
    if not path or path.endswith("/"):
        path += "index.html"
    if not path.endswith(".html"):
        path += "/index.html" if path else "index.html"
    return path[: -len(".html")]


def snapshot() -> dict[str, tuple[int, int]]:
    """Date and size of every source file: a save shows as a change here."""
    out = {}
    for path in source_files():
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        out[str(path)] = (st.st_mtime_ns, st.st_size)
    return out


class Preview:
    """Watch, build in a warm session, serve. :meth:`close` stops kernels and the port."""

    def __init__(self, port: int = 8000, jobs: int | None = None):
        self.status = Status()
        self.stopping = threading.Event()
        handler = type("PreviewHandler", (Handler,), {"status": self.status, "stopping": self.stopping})
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(SITE)))
        except OSError as exc:
            raise PortError(port, exc) from None
        self.session = Session(jobs)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._serving = threading.Thread(target=self.server.serve_forever, name="preview-http", daemon=True)

    def rebuild(self) -> None:
        started = time.perf_counter()
        try:
            changed = build(
                "html", session=self.session, first=self.status.open_pages, shown=partial(self.shown, started)
            )
        except BuildError as exc:
            message = plain(str(exc)).strip()
            print(
                f"\nBUILD FAILED: {message}\n(the last good pages stay served at {self.url})",
                file=sys.stderr,
                flush=True,
            )
            self.status.publish(message)
            return
        except Exception as exc:  # a bug in the build must not stop the preview
            message = f"{type(exc).__name__}: {exc}"
            print(f"\nBUILD FAILED: {message}", file=sys.stderr, flush=True)
            self.session.drop_sphinx()
            self.status.publish(message)
            return
        self.shown(started, changed)

    def shown(self, started: float, changed: int) -> None:
        """A good build was published (or the pages whose notebooks are done, while others run): reload the tabs."""
        if changed or self.status.error:
            self.status.publish(None)
            say(f"preview: updated in {time.perf_counter() - started:.1f} s; open tabs reload ({self.url})")

    def run(self) -> None:
        """Build once, serve, then rebuild after every change until :meth:`close`."""
        seen = snapshot()
        self.session.warm_kernels(self.session.jobs)  # warm before the first edit, not at it
        self.rebuild()
        self._serving.start()
        say(f"preview: serving {self.url} (Ctrl-C stops it)")
        while not self.stopping.wait(POLL_SECONDS):
            now = snapshot()
            if now == seen:
                continue
            # Let a burst of saves (an editor writing a file in steps) settle first.
            while not self.stopping.wait(POLL_SECONDS) and (later := snapshot()) != now:
                now = later
            if self.stopping.is_set():
                break
            self.rebuild()  # a no-change save: the fingerprint matches and nothing is done
            # The build rewrites the notebooks it executed: not the author's change. Any other
            # file saved during the build keeps its old date here, so the next poll sees it.
            after = snapshot()
            seen = {k: v if k.endswith(".ipynb") else now.get(k, v) for k, v in after.items()}

    def close(self) -> None:
        self.stopping.set()
        if self._serving.is_alive():
            self.server.shutdown()
        self.server.server_close()
        self.session.close()


class PortError(OSError):
    """The preview's port cannot be used: the message says what to do."""

    def __init__(self, port: int, exc: OSError):
        self.port = port
        if exc.errno == errno.EADDRINUSE:
            what = f"port {port} on 127.0.0.1 is in use (another preview, or another server)"
            todo = f"stop the other one, or pick a free port: make preview PORT={port + 1}"
        else:
            what = f"port {port} on 127.0.0.1 cannot be used: {exc.strerror or exc}"
            todo = "pick a port above 1024: make preview PORT=8000"
        super().__init__(exc.errno, f"{what}\n  What to do: {todo}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("-j", "--jobs", type=int, help="kernels kept warm (default: cores)")
    args = parser.parse_args(argv)
    try:
        preview = Preview(args.port, args.jobs)
    except PortError as exc:
        print(f"PREVIEW NOT STARTED: {exc.strerror}", file=sys.stderr, flush=True)
        return 1
    # Ctrl-C even when started from a shell that ignores SIGINT for background jobs, and SIGTERM
    # (a test, a process manager) as Ctrl-C: kernels shut down, port closed.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        preview.run()
    except KeyboardInterrupt:
        pass
    finally:
        say("preview: stopping (kernels, server)")
        preview.close()
        say("preview: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
