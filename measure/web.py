"""Measure the built web edition the way a reader's browser loads it.

Shared by the tests (tests/test_web.py) and the benchmark (measure/bench.py):

* :func:`serve` - a static server for ``_build/html`` on 127.0.0.1 (a free port), gzipping
  text as any real web host does, so transfer sizes and Lighthouse see what readers get.
* :func:`browser` - Debian's headless Chromium (``/usr/bin/chromium``, see
  tools/install-browser.sh) driven by Playwright; never a browser download.
* :func:`measure_pages` - open every HTML page of the site and record each request, its
  size raw and gzipped, what went off-site, and every console error or warning.

"Page weight" is HTML + CSS + JS (+ fonts, if ever) gzipped, the code a reader must fetch
before the page is usable; a page's own figures are counted apart (``image_bytes``).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Budget per page: HTML + CSS + JS gzipped (figures not counted). The stock Jupyter Book 1
# page weighs about 0.87 MB gzipped; this book's stay under 150 kB: ~120 kB is the theme
# (its CSS alone is 66 kB), the rest leaves room for the page itself and the growing nav.
BUDGET_GZIP_BYTES = 150_000
# The search page alone also loads the search scripts and the whole index (20 kB gzipped
# for this book, growing with it): its own, larger budget, still a fifth of stock.
SEARCH_BUDGET_GZIP_BYTES = 180_000


def budget(page: str) -> int:
    """The gzipped HTML+CSS+JS budget of a page of the site."""
    return SEARCH_BUDGET_GZIP_BYTES if page == "search.html" else BUDGET_GZIP_BYTES


TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
CODE_KINDS = {"document", "stylesheet", "script", "font", "xhr", "fetch"}


def html_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root (sorted).

    Sphinx's theme fragments under ``_static`` are templates, not pages.
    """
    site = Path(site)
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip for text when asked, quiet."""

    def log_message(self, *args):  # no access log on stderr
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        if (
            not path.is_file()
            or "gzip" not in self.headers.get("Accept-Encoding", "")
            or not ctype.startswith(TEXT_TYPES)
        ):
            return super().send_head()
        body = _gzip(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        import io

        return io.BytesIO(body)


_Handler.extensions_map = {
    **http.server.SimpleHTTPRequestHandler.extensions_map,
    ".js": "application/javascript",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
    ".ipynb": "application/json",
    ".woff2": "font/woff2",
}


@functools.lru_cache(maxsize=4096)
def _gzip_cached(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def _gzip(data: bytes) -> bytes:
    return _gzip_cached(data)


@contextlib.contextmanager
def serve(site_dir):
    """Serve ``site_dir`` on 127.0.0.1 at a free port; yield the base URL (ending in /)."""
    handler = functools.partial(_Handler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def browser():
    """Headless Debian Chromium through Playwright (no browser download, ever)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: run tools/install-browser.sh")
    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chrome
        finally:
            chrome.close()


def _scroll_through(page) -> None:
    """Scroll to the end and back so lazy-loaded figures load too (and get checked)."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
            window.scrollTo(0, y); await new Promise(r => setTimeout(r, 30));
        }
        window.scrollTo(0, 0);
    }""")
    page.wait_for_load_state("networkidle")


def open_page(chrome, url: str, *, viewport=(412, 823), scroll: bool = True):
    """Load ``url`` in a fresh context; return (page, record) with every request and message.

    ``record`` has ``requests`` (list of dict url/kind/status/raw/gzip) and ``console``
    (errors and warnings, page exceptions, failed requests). The caller closes
    ``page.context``.
    """
    context = chrome.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    record = {"requests": [], "console": []}

    def on_console(msg):
        if msg.type in ("error", "warning"):
            record["console"].append(f"{msg.type}: {msg.text}")

    def on_finished(request):
        response = request.response()
        try:
            body = response.body() if response else b""
        except Exception:  # a redirect or an aborted body
            body = b""
        record["requests"].append(
            {
                "url": request.url,
                "kind": request.resource_type,
                "status": response.status if response else None,
                "raw": len(body),
                "gzip": len(_gzip(body)),
            }
        )

    def on_failed(request):
        record["requests"].append(
            {"url": request.url, "kind": request.resource_type, "status": None, "raw": 0, "gzip": 0}
        )
        record["console"].append(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: record["console"].append(f"exception: {exc}"))
    page.on("requestfinished", on_finished)
    page.on("requestfailed", on_failed)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    if scroll:
        _scroll_through(page)
    return page, record


def summarise(page_name: str, base: str, record: dict) -> dict:
    host = urlsplit(base).netloc
    requests = [r for r in record["requests"] if not r["url"].startswith("data:")]
    offsite = sorted({r["url"] for r in requests if urlsplit(r["url"]).netloc != host})
    code = [r for r in requests if r["kind"] in CODE_KINDS]
    images = [r for r in requests if r["kind"] == "image"]
    return {
        "page": page_name,
        "requests": len(requests),
        "offsite_requests": offsite,
        "raw_bytes": sum(r["raw"] for r in requests),
        "gzip_bytes": sum(r["gzip"] if r["kind"] != "image" else r["raw"] for r in requests),
        "code_gzip_bytes": sum(r["gzip"] for r in code),
        "image_bytes": sum(r["raw"] for r in images),
        "http_errors": sorted(r["url"] for r in requests if r["status"] and r["status"] >= 400),
        "console_errors": list(record["console"]),
    }


def measure_pages(site_dir, pages: list[str] | None = None) -> list[dict]:
    """Open every page of the built site (phone viewport) and measure it.

    Returns one dict per page: page, requests, offsite_requests (URLs), raw_bytes,
    gzip_bytes (text gzipped, images as served), code_gzip_bytes (HTML+CSS+JS gzipped:
    the budgeted figure), image_bytes, http_errors, console_errors.
    """
    site_dir = Path(site_dir)
    pages = pages if pages is not None else html_pages(site_dir)
    results = []
    with serve(site_dir) as base, browser() as chrome:
        for name in pages:
            page, record = open_page(chrome, base + name)
            page.context.close()
            results.append(summarise(name, base, record))
    return results


def lighthouse(url: str, binary: str = "lighthouse", preset: str = "mobile") -> dict[str, int]:
    """Lighthouse's scores (0-100) for ``url`` on a phone (``preset="mobile"``, Lighthouse's
    default) or a desktop: a benchmark, never a test (:mod:`measure.lighthouse` runs it on every page).

    ``binary`` is an installed ``lighthouse`` (npm ``lighthouse@12.2.3`` runs on Node 20);
    it drives /usr/bin/chromium through CHROME_PATH.
    """
    import json
    import subprocess

    flags = " ".join(CHROMIUM_ARGS)
    result = subprocess.run(
        [
            binary,
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--chrome-flags={flags}",
            "--only-categories=performance,accessibility,best-practices,seo",
            *([f"--preset={preset}"] if preset != "mobile" else []),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    scores = {k: round((v["score"] or 0) * 100) for k, v in report["categories"].items()}
    failed = sorted(
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
    )
    audits = report["audits"]
    timings = {
        name: round(audits[key]["numericValue"], 3 if key == "cumulative-layout-shift" else 0)
        for name, key in (
            ("fcp_ms", "first-contentful-paint"),
            ("lcp_ms", "largest-contentful-paint"),
            ("tbt_ms", "total-blocking-time"),
            ("cls", "cumulative-layout-shift"),
            ("si_ms", "speed-index"),
        )
        if audits.get(key, {}).get("numericValue") is not None
    }
    return {**scores, "failed_audits": failed, **timings}


def format_table(rows: list[dict]) -> str:
    """A plain-text table of :func:`measure_pages` results."""
    lines = [f"{'page':<40} {'req':>4} {'raw KB':>8} {'gzip KB':>8} {'code gz KB':>10} {'img KB':>7} offsite"]
    for r in rows:
        lines.append(
            f"{r['page']:<40} {r['requests']:>4} {r['raw_bytes'] / 1000:>8.1f} "
            f"{r['gzip_bytes'] / 1000:>8.1f} {r['code_gzip_bytes'] / 1000:>10.1f} "
            f"{r['image_bytes'] / 1000:>7.1f} {len(r['offsite_requests'])}"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m measure.web [site]: print the weight table
    import sys

    site = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "_build" / "html")
    rows = measure_pages(site)
    print(format_table(rows))
    for r in rows:
        for line in r["offsite_requests"] + r["console_errors"]:
            print(f"  {r['page']}: {line}")
