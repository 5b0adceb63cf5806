"""The house chart style: one font, one palette, one source line.

Call :func:`setup` in a notebook's first cell. It registers Noto Sans CJK (shipped by the
PyPI package ``noto-cjk-sans-otc``, so a fresh machine needs no system fonts) and sets the
rcParams. It changes nothing else in the process: no backend switch (Jupyter keeps its
inline display) and no environment variables. :func:`save` writes a figure byte-stable
(no dates, fixed SVG ids), so nbval can compare re-executed notebooks with their stored
outputs.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager

from .linebreak import wrap

FONT = "Noto Sans CJK SC"
#: Points per inch (matplotlib's unit of type).
PT_PER_IN = 72
SOURCE = "《2020上海科技进步报告》第2章"

# Paul Tol's colour-blind-safe "bright" scheme. Each entity keeps its colour on every page.
# Some are light (the AI cyan is 1.8:1 on white, the materials gold 1.95:1): a mark drawn in
# a topic's colour uses :func:`mark_color` (the same hue, darkened to 3:1 where it is
# lighter) and text uses :func:`text_color` (4.5:1), as WCAG asks of graphics and text.
TOPIC_COLORS = {
    "ic": "#4477AA",
    "ai": "#66CCEE",
    "biomed": "#AA3377",
    "materials": "#CCBB44",
    "aerospace": "#EE6677",
    "marine": "#EE7733",
    "platforms": "#228833",
}
SECTION_COLORS = {"2.1": "#4477AA", "2.2": "#EE6677", "2.3": "#228833"}
#: A milestone's kind (``milestones.kind``), drawn side by side on the biomed timeline. Chosen so
#: that every pair stays apart for the three colour-vision deficiencies and in dark mode (see
#: :func:`simulate` and :func:`dark_mode`), and only one is dark: Tol's indigo and wine, the
#: first choice, both turn near-black in dark mode. Blue for clinical trials, wine for a
#: marketing approval and rose for a launch (its sequel), olive and pink for the rest; each
#: is a mark of 3:1 on white.
MILESTONE_COLORS = {
    "clinical_trial_approval": "#0077BB",
    "marketing_approval": "#882255",
    "orphan_designation": "#999933",
    "product_launch": "#EE6677",
    "first_patient": "#CC79A7",
}
#: Colours drawn side by side in one chart (a test keeps each set apart in every vision).
PALETTES = {"milestones": MILESTONE_COLORS, "sections": SECTION_COLORS}
#: Neutral marks ("the rest", connectors, card edges): 3.5:1 on white, a mark one can see.
GREY = "#888888"
INK = "#222222"
MUTED = "#666666"
#: WCAG contrast against white: non-text marks (lines, bars, squares, borders) and text.
MARK_CONTRAST = 3.0
TEXT_CONTRAST = 4.5


def _luminance(color) -> float:
    from matplotlib.colors import to_rgb

    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b="white") -> float:
    """WCAG contrast ratio of two colours (1 to 21); the second is white unless given."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def darken(color, ratio: float) -> str:
    """``color`` made darker (its red, green and blue scaled down together: the same hue, the same
    saturation in HSV) until it reaches ``ratio`` against white; unchanged when it already does."""
    from matplotlib.colors import to_hex, to_rgb

    rgb, scale = to_rgb(color), 1.0
    while contrast(out := to_hex([c * scale for c in rgb]).upper()) < ratio:
        scale -= 0.005
    return out


def mark_color(color) -> str:
    """The colour of a line, outline or small mark drawn in ``color``: at least 3:1 on white."""
    return darken(color, MARK_CONTRAST)


def text_color(color) -> str:
    """The colour of text set in ``color`` (a label in its topic's colour): at least 4.5:1 on white."""
    return darken(color, TEXT_CONTRAST)


# --- how readers see the colours ---------------------------------------------------------------
#
# Charts are drawn on white and stay on white in dark mode: the site's theme (pydata-sphinx-theme)
# shows every image on a white panel in dark mode and dims it with the CSS filter
# ``brightness(.8) contrast(1.2)`` (applied to sRGB values; checked against Chromium's pixels).
# The palette is chosen for white and checked under that dimming too, and for the three
# colour-vision deficiencies (Machado, Oliveira and Fernandes 2009, severity 1, in linear RGB).

#: Machado et al. (2009), simulation matrices at severity 1.0, on linear RGB.
VISIONS = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
#: The CSS filter the theme puts on images in dark mode: brightness(.8) contrast(1.2).
DARK_BRIGHTNESS, DARK_CONTRAST = 0.8, 1.2


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(max(c, 0.0), 1.0)
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(color, vision: str) -> tuple[float, float, float]:
    """``color`` (sRGB, 0-1) as a reader with ``vision`` (a key of :data:`VISIONS`) sees it."""
    from matplotlib.colors import to_rgb

    lin = [_linear(c) for c in to_rgb(color)]
    return tuple(_gamma(sum(m * c for m, c in zip(row, lin))) for row in VISIONS[vision])


def dark_mode(color) -> tuple[float, float, float]:
    """``color`` as the site shows it in dark mode (the theme's dimming of images)."""
    from matplotlib.colors import to_rgb

    return tuple(min(max((c * DARK_BRIGHTNESS - 0.5) * DARK_CONTRAST + 0.5, 0.0), 1.0) for c in to_rgb(color))


def lab(color) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    from matplotlib.colors import to_rgb

    r, g, b = (_linear(c) for c in to_rgb(color))
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def delta_e(a, b) -> float:
    """The CIE76 colour difference of two colours (about 2.3: just noticeable; 10 and more: clearly apart)."""
    return sum((x - y) ** 2 for x, y in zip(lab(a), lab(b))) ** 0.5


def font_path() -> Path:
    """The Noto Sans CJK collection shipped by the noto-cjk-sans-otc wheel."""
    import noto_cjk_sans_otc

    return Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"


def setup() -> None:
    """Apply the house style (font, palette, rcParams). Idempotent; no other side effect."""
    if FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(str(font_path()))
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT, "DejaVu Sans"],
            "axes.unicode_minus": False,
            "figure.figsize": (7.2, 4.0),
            "figure.dpi": 100,
            "figure.constrained_layout.use": True,
            "savefig.dpi": 200,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "axes.titlesize": 13,
            "axes.titleweight": "normal",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.axisbelow": True,
            "grid.color": "#E5E5E5",
            "grid.linewidth": 0.8,
            "xtick.color": MUTED,
            "ytick.color": MUTED,
            "font.size": 10.5,
            "legend.frameon": False,
            "svg.hashsalt": "techreport",
            # Text as text: an SVG a fifth the size of glyph paths (the web page loads less);
            # browsers draw it in Noto Sans CJK or the reader's own CJK sans-serif font.
            "svg.fonttype": "none",
            "pdf.fonttype": 3,  # Type 3: 10x faster to write than subsetting the CJK font, still searchable
        }
    )


#: Per-format metadata that would change from run to run (dates), removed at the source. An SVG
#: keeps none at all (no RDF block naming matplotlib): notebooks store every chart twice.
STABLE_METADATA = {
    "svg": {"Date": None, "Creator": None, "Format": None, "Type": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {"Software": None},
}
#: The data of an SVG path (matplotlib writes one command a line: "L x y", a space, a line break).
_PATH_DATA = re.compile(rb' d="([^"]*)"')


def save(fig: plt.Figure, fmt: str, **kw) -> bytes:
    """``fig`` as ``fmt`` bytes, byte-stable: the same figure gives the same bytes on every run.

    An SVG's path data is written on one line (matplotlib ends every command with a space and a line break; whitespace
    in path data is a separator, so the drawing is the same): three lines in four of a chart's SVG
    were path commands, each a separate string in the notebook's JSON.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata=STABLE_METADATA[fmt], **kw)
    data = buf.getvalue()
    if fmt == "svg":
        data = _PATH_DATA.sub(lambda m: b' d="' + m.group(1).replace(b" \n", b" ").strip() + b'"', data)
    return data


def add_source(fig: plt.Figure, *tables: str, note: str | None = None, fontsize: float = 8) -> None:
    """Write the source line inside the figure: report, data file(s) and an optional note.

    ``tables`` are table names (``"indicators"``) or file names; shown as ``data/x.csv``.
    The lines are wrapped to the figure's width, so a narrow (phone) figure keeps them whole.
    """
    files = "、".join(t if "." in t else f"data/{t}.csv" for t in tables)
    text = f"资料来源：{SOURCE}；数据：{files}"
    if note:
        text = f"注：{note}\n{text}"
    width = fig.get_figwidth() * PT_PER_IN * 0.93 / fontsize
    fig.supxlabel(wrap(text, width), x=0.0, ha="left", fontsize=fontsize, color=MUTED, linespacing=1.4)


def zero_based(ax: plt.Axes, axis: str = "y") -> None:
    """Bars start at zero: pin the value axis' lower limit at 0."""
    (ax.set_ylim if axis == "y" else ax.set_xlim)(0, None)
