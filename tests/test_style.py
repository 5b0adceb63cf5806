"""The house style: every character of the book renders, output is byte-stable."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from techreport import style

ROOT = Path(__file__).resolve().parent.parent


def book_characters() -> str:
    """Every distinct non-space character in data/ and in the notebooks' cells."""
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "data").glob("*.csv")]
    for nb in (ROOT / "book").rglob("*.ipynb"):
        texts += ["".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]]
    return "".join(sorted({ch for text in texts for ch in text if ch.isprintable() and not ch.isspace()}))


@pytest.fixture(autouse=True)
def house_style():
    style.setup()
    yield
    plt.close("all")


def test_the_cjk_font_is_registered_from_the_wheel():
    found = font_manager.findfont(font_manager.FontProperties(family=style.FONT), fallback_to_default=False)
    assert Path(found).name == "NotoSansCJK-Regular.ttc"
    assert plt.rcParams["font.sans-serif"][0] == style.FONT


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_every_character_renders_without_missing_glyphs(fmt):
    chars = book_characters()
    assert len(chars) > 500 and "石" in chars and "烯" in chars and "³" in chars
    fig = plt.figure(figsize=(12, 12))
    for i in range(0, len(chars), 60):
        fig.text(0.01, 1 - (i // 60 + 1) * 0.02, chars[i : i + 60], fontsize=8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format=fmt)
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert not missing, missing[:5]


def test_a_missing_glyph_would_be_caught():
    """The check above can fail: a character no font has raises the warning it looks for."""
    fig = plt.figure()
    fig.text(0.1, 0.5, "\U0001f9ff\ue000")  # private-use character: in no font
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing" in str(w.message).lower() for w in caught)


def _chart() -> plt.Figure:
    fig, ax = plt.subplots()
    ax.bar(["集成电路", "人工智能"], [1, 2], color=[style.TOPIC_COLORS["ic"], style.TOPIC_COLORS["ai"]])
    style.add_source(fig, "indicators")
    return fig


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_vector_output_is_byte_stable(fmt, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # stable without the environment's help
    outputs = [style.save(_chart(), fmt) for _ in range(2)]
    assert outputs[0] == outputs[1]
    assert b"CreationDate" not in outputs[0] and b"<dc:date>" not in outputs[0]


def test_setup_changes_nothing_outside_matplotlib(monkeypatch):
    """No backend switch (Jupyter keeps inline display), no environment variables."""
    import os

    import matplotlib

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    backend, environ = matplotlib.get_backend(), dict(os.environ)
    style.setup()
    assert matplotlib.get_backend() == backend and dict(os.environ) == environ


def test_source_line_names_the_report_and_the_file():
    fig = _chart()
    text = fig._supxlabel.get_text()
    assert text.startswith("资料来源：《2020上海科技进步报告》第2章") and "data/indicators.csv" in text


def test_palette_gives_each_topic_its_own_colour():
    from techreport.data import load_table

    topics = set(load_table("topics")["id"])
    assert set(style.TOPIC_COLORS) == topics
    assert len(set(style.TOPIC_COLORS.values())) == len(topics)


def test_zero_based_bars():
    _fig, ax = plt.subplots()
    ax.barh(["a"], [5])
    ax.set_xlim(3, 6)
    style.zero_based(ax, "x")
    assert ax.get_xlim()[0] == 0


# --- colours as readers see them: colour-vision deficiencies and the site's dark mode -------

#: CIE76 difference two colours drawn side by side keep in every vision and in dark mode.
APART = 12.0


def palette_problems(colors: dict) -> list[str]:
    """Pairs of ``colors`` too close for a reader (normal vision, protanopia, deuteranopia,
    tritanopia; on white and as the site's dark mode dims images), and dark pairs: two colours
    of L* under 40 both turn near-black when dimmed, however far apart their hues."""
    problems = []
    names = list(colors)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            for vision in style.VISIONS:
                for dark in (False, True):
                    ca, cb = style.simulate(colors[a], vision), style.simulate(colors[b], vision)
                    if dark:
                        ca, cb = style.dark_mode(ca), style.dark_mode(cb)
                    if style.delta_e(ca, cb) < APART:
                        problems.append(f"{a}/{b}: {vision}{' dark' if dark else ''} {style.delta_e(ca, cb):.1f}")
    dark = [n for n in names if style.lab(colors[n])[0] < 40]
    if len(dark) > 1:
        problems.append(f"dark together: {dark}")
    return problems


@pytest.mark.parametrize("name", sorted(style.PALETTES))
def test_colours_drawn_together_stay_apart_in_every_vision_and_in_dark_mode(name):
    assert palette_problems(style.PALETTES[name]) == []


def test_palette_check_finds_the_navy_and_maroon_that_merged_in_dark_mode():
    old = {"clinical": "#332288", "marketing": "#882255", "orphan": "#44AA99", "launch": "#999933"}
    assert any("clinical" in p and "marketing" in p for p in palette_problems(old))
    assert palette_problems({"a": "#4477AA", "b": "#4477AB"})  # the same colour twice


def test_dark_mode_is_the_themes_dimming_of_white_and_of_the_wine():
    """Measured in Chromium: white shows as #DBDBDB, the wine #882255 as (105, 7, 56)."""
    assert [round(c * 255) for c in style.dark_mode("#FFFFFF")] == [219, 219, 219]
    assert [round(c * 255) for c in style.dark_mode("#882255")] == [105, 7, 56]


def test_milestone_colours_are_marks_on_white_and_cover_every_kind_drawn():
    from techreport.data import load_table

    drawn = set(load_table("milestones").query("topic == 'biomed'")["kind"])
    assert drawn <= set(style.MILESTONE_COLORS)
    assert all(style.contrast(c) >= style.MARK_CONTRAST for c in style.MILESTONE_COLORS.values())


def test_no_import_cycle_runs_through_the_chart_kit():
    """charts, style, forms, maps and linebreak import one another one way only, counting imports
    inside functions (issue 21: charts <-> style was hidden by one)."""
    import ast

    package = Path(style.__file__).parent
    graph = {}
    for path in package.glob("*.py"):
        mod, found = path.stem, set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module:
                    found.add(node.module.split(".")[0])
                elif node.level == 1:
                    found |= {a.name for a in node.names}
                elif (node.module or "").startswith("techreport."):
                    found.add(node.module.split(".")[1])
                elif node.module == "techreport":
                    found |= {a.name for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("techreport.")}
        graph[mod] = found & {p.stem for p in package.glob("*.py")}
    kit = {"charts", "style", "forms", "maps", "linebreak"}

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph.get(start, ()))

    cycles = sorted(m for m in kit if reaches(m, m))
    assert not cycles, {m: sorted(graph[m]) for m in cycles}
