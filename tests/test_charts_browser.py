"""Charts as a phone shows them (issue 12, part 2): headless Chromium at 390x844, touch, device scale 2.

Each chart of the built site is scrolled into view; the test reads which SVG the ``<picture>``
chose (``currentSrc``), fetches it, and computes its smallest text in CSS px at the width the
page renders it (``charts.svg_min_text_px``: the SVG's font sizes scaled by rendered width over
the SVG's own width). Then a tap on a chart must open it full size: the wide SVG on its own,
wider than the phone's screen (the reader pans and zooms).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

pytest.importorskip("playwright")
from measure import web
from techreport import charts

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


@pytest.fixture(scope="module")
def chart_pages(site) -> list[str]:
    """The pages that show a chart (a figure that opens full size)."""
    return [name for name in web.html_pages(site) if 'class="figure-full"' in (site / name).read_text(encoding="utf-8")]


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def phone_charts(chrome, url: str, device: dict = PHONE) -> list[dict]:
    """Every chart of the page on ``device`` (a 390 px phone): figure id, chosen source, rendered
    width and the SVG text."""
    context = chrome.new_context(**device)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        found = []
        for link in page.query_selector_all("a.figure-full"):
            link.scroll_into_view_if_needed()
            img = link.query_selector("img")
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img)
            facts = img.evaluate("""async img => ({
                id: img.closest('figure').id,
                src: img.currentSrc,
                width: img.getBoundingClientRect().width,
                svg: await (await fetch(img.currentSrc)).text(),
            })""")
            found.append(facts)
        return found
    finally:
        context.close()


@pytest.fixture(scope="module")
def measured(chrome, base, chart_pages) -> dict[str, dict]:
    return {f"{name}#{chart['id']}": chart for name in chart_pages for chart in phone_charts(chrome, base + name)}


@pytest.fixture(scope="module")
def measured_desktop(chrome, base, chart_pages) -> dict[str, dict]:
    return {
        f"{name}#{chart['id']}": chart for name in chart_pages for chart in phone_charts(chrome, base + name, DESKTOP)
    }


def test_no_chart_text_under_12_css_px_on_a_desktop(measured_desktop):
    """At 1280 px the page shows the wide figure in its column (672 px): no text under 12 CSS px."""
    assert len(measured_desktop) >= 10
    assert not [n for n, c in measured_desktop.items() if "-phone-" in c["src"]], "a desktop got a phone chart"
    sizes = {name: charts.svg_min_text_px(c["svg"], c["width"]) for name, c in measured_desktop.items()}
    small = {name: round(px, 1) for name, px in sizes.items() if px < charts.MIN_DESKTOP_TEXT_PX}
    assert not small, f"chart text under {charts.MIN_DESKTOP_TEXT_PX} CSS px at 1280 px: {small}"
    print(f"smallest chart text at 1280 px: {min(sizes.values()):.1f} CSS px ({min(sizes, key=sizes.get)})")


def test_every_chart_is_measured_in_its_phone_rendering(measured):
    assert len(measured) >= 10
    wide = [name for name, chart in measured.items() if "-phone-" not in chart["src"]]
    assert not wide, f"the phone was given the wide chart: {wide}"
    assert all(300 <= chart["width"] <= 390 for chart in measured.values())


def test_no_chart_text_under_11_css_px_on_a_phone(measured):
    sizes = {name: charts.svg_min_text_px(chart["svg"], chart["width"]) for name, chart in measured.items()}
    small = {name: round(px, 1) for name, px in sizes.items() if px < charts.MIN_PHONE_TEXT_PX}
    assert not small, f"chart text under {charts.MIN_PHONE_TEXT_PX} CSS px at 390 px: {small}"
    print(f"smallest chart text at 390 px: {min(sizes.values()):.1f} CSS px ({min(sizes, key=sizes.get)})")


def test_a_tapped_chart_opens_full_size(chrome, base, chart_pages):
    context = chrome.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(base + chart_pages[0], wait_until="load")
        link = page.query_selector("a.figure-full")
        link.scroll_into_view_if_needed()
        shown = link.query_selector("img").evaluate("img => img.getBoundingClientRect().width")
        href = link.get_attribute("href")
        # A tap opens the viewer (tests/test_reader.py); the link itself, for a reader without
        # scripts, leads to the wide SVG at its own size.
        link.tap()
        page.wait_for_timeout(300)
        assert page.evaluate("() => document.querySelector('dialog.fig-viewer').open")
        page.goto(urljoin(page.url, href), wait_until="load")
        svg = page.evaluate("""() => ({tag: document.documentElement.tagName,
                                       width: document.documentElement.getBoundingClientRect().width,
                                       natural: document.documentElement.getAttribute('width')})""")
        assert svg["tag"] == "svg"
        natural = float(re.match(r"([\d.]+)pt", svg["natural"]).group(1)) * 4 / 3
        assert svg["width"] == pytest.approx(natural, rel=0.01)  # at its own size, not fitted to the screen
        assert svg["width"] > max(shown, 390) * 1.5
    finally:
        context.close()
