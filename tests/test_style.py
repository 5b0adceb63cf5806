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
