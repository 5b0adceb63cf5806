"""The chart kit: house marks, forms drawn for a width, and the checks every figure passes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from techreport import charts, style
from techreport.data import VALUES_ENV
from techreport.present import titles


@pytest.fixture(autouse=True)
def house_style():
    style.setup()
    yield
    plt.close("all")


@pytest.mark.parametrize(
    "value, shown",
    [
        (pd.Timestamp("2020-05-05"), "5月5日"),
        ("2020-12-17", "12月17日"),
        (pd.Period("2020-03", freq="M"), "3月"),  # a month-only date stays a month
    ],
)
def test_date_label_keeps_the_precision(value, shown):
    assert charts.date_label(value) == shown


def test_wrap_never_starts_a_line_with_punctuation_or_splits_a_figure():
    text = "上海航天技术研究院承担，助推器等12345.6吨，提供推力"
    for width in range(4, 16):
        lines = charts.wrap(text, width).split("\n")
        assert "".join(lines) == text
        assert not any(line[0] in "，、；：。）" for line in lines)
        assert any("12345.6" in line for line in lines)


def test_wrap_measures_latin_narrower_than_chinese():
    assert charts.em("中文") == 2 and charts.em("ab") == pytest.approx(1.1)
    assert charts.wrap("data/indicators.csv、data/ships.csv", 12).split("\n")[0] == "data/indicators.csv、"


def test_titles_come_from_the_data_package():
    listing = titles("ai_groups", "listing")
    assert listing["all"] == "逐一列出" and set(listing) == {"all", "some", "open", "none"}
    with pytest.raises(KeyError):
        titles("ai_groups", "name_zh")


def test_units_fills_first_squares_and_returns_the_grid():
    _fig, ax = plt.subplots()
    cols, rows = charts.units(ax, 23, 7, 10, color="#123456", empty="fill")
    assert (cols, rows) == (10, 3)
    faces = [p.get_facecolor()[:3] for p in ax.patches]
    assert len(faces) == 23 and faces[:7] == [faces[0]] * 7 and faces[7] != faces[0]
    assert charts.units(ax, 23, 0, 10, color="k", order="columns") == (3, 10)


@pytest.mark.parametrize("qualifier", ["exact", "more_than", "nearly", "odd"])
def test_bound_bar_draws_only_the_stated_number(qualifier):
    """A "近" or "超" figure is drawn at the number it states: every part of the bar and its
    outline starts at 0 or ends at the value, and the qualifier's arrow has one length in
    points on any axis (a direction, no amount). Issue 19, item 9: "近100亿元" once ended
    solid at about 83 and faded to 100."""
    from matplotlib.patches import FancyArrowPatch

    arrows = []
    for xmax in (150, 400):
        fig, ax = plt.subplots(figsize=(7.6, 1.2))
        charts.bound_bar(ax, 0, 100, qualifier, xmax, "近100亿元")
        ax.set_xlim(0, xmax)
        fig.draw_without_rendering()
        ends = set()
        for patch in ax.patches:
            if isinstance(patch, FancyArrowPatch):
                continue
            box = patch.get_bbox()
            ends |= {round(box.x0, 9), round(box.x1, 9)}
        for line in ax.lines:
            ends |= {round(float(x), 9) for x in line.get_xdata()}
        assert ends <= {0.0, 100.0}, ends
        drawn = [t.arrow_patch for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
        assert len(drawn) == (qualifier != "exact")
        arrows += [p.get_window_extent().width for p in drawn]
        plt.close(fig)
    if arrows:
        assert arrows[0] == pytest.approx(arrows[1], abs=0.5)  # the same arrow whatever the scale


def test_bound_key_explains_the_marks_drawn():
    assert "箭头" not in charts.bound_key(["exact"])
    assert "超过" in charts.bound_key(["odd", "exact"]) and "近" not in charts.bound_key(["odd", "exact"])
    assert "近" in charts.bound_key(["nearly"]) and "超过" not in charts.bound_key(["nearly"])
    assert "渐隐" not in charts.bound_key(["nearly", "more_than"])


@pytest.mark.parametrize("qualifier", ["exact", "more_than", "nearly", "odd"])
def test_bound_bar_fits_in_the_axis_it_computes(qualifier):
    values = [30, 2000]
    xmax = charts.bound_xmax(values, [qualifier] * 2)
    fig, ax = plt.subplots(figsize=(7.6, 2))
    for y, v in enumerate(values):
        charts.bound_bar(ax, y, v, qualifier, xmax, f"超过{v}名")
    ax.set_xlim(0, xmax)
    assert charts.overflows(fig) == []


def test_overflows_finds_a_square_beyond_the_axis_and_a_label_beyond_the_figure():
    fig, ax = plt.subplots(figsize=(4, 2))
    charts.units(ax, 60, 60, 60, color="#4477AA")
    ax.set_xlim(-0.8, 50)  # the constant that once clipped the AI chart
    ax.set_ylim(-1, 1)
    problems = charts.overflows(fig)
    assert problems and all("cut off" in p for p in problems)
    fig, ax = plt.subplots(figsize=(4, 2), layout="none")  # no layout engine to make room
    ax.text(0.9, 0.5, "这段文字远远超出了图的右边界", transform=ax.transAxes)
    assert any("outside the figure" in p for p in charts.overflows(fig))


def test_min_text_px_scales_with_the_rendered_width():
    fig = plt.figure(figsize=(charts.NARROW.width, 2))
    fig.text(0.1, 0.5, "北斗", fontsize=9)
    fig.text(0.1, 0.2, "注", fontsize=8.5)
    assert charts.min_text_px(fig, charts.PHONE_PX) == pytest.approx(8.5 * 4 / 3)
    assert charts.min_text_px(fig, charts.PHONE_PX / 2) == pytest.approx(8.5 * 2 / 3)
    svg = style.save(fig, "svg").decode()
    assert charts.svg_min_text_px(svg, charts.PHONE_PX) == pytest.approx(8.5 * 4 / 3, rel=1e-3)


def test_layouts_size_a_phone_figure_to_its_screen():
    assert charts.NARROW.width * charts.CSS_PX_PER_IN == charts.PHONE_PX
    assert charts.NARROW.font(7) * 4 / 3 >= charts.MIN_PHONE_TEXT_PX
    assert not charts.WIDE.narrow and charts.NARROW.narrow


def test_the_wide_layout_keeps_desktop_and_print_text_large_enough():
    """A wide figure (7.6 in) is shown 672 px wide on a 1280 px desktop and printed 16.2 cm wide:
    its smallest font is 12 CSS px on the one and 7.5 pt on the other."""
    smallest = charts.WIDE.font(5)
    assert smallest * 4 / 3 * charts.DESKTOP_PX / (charts.WIDE.width * charts.CSS_PX_PER_IN) >= 12
    assert smallest * charts.PRINT_WIDTH_IN / charts.WIDE.width >= 7.5
    assert charts.PRINT_WIDTH_IN * 2.54 == pytest.approx(16.2)
    fig = plt.figure(figsize=(charts.WIDE.width, 2))
    fig.text(0.1, 0.5, "北斗", fontsize=charts.WIDE.font(8))
    assert charts.min_text_px(fig, charts.DESKTOP_PX) >= charts.MIN_DESKTOP_TEXT_PX


def test_month_axis_draws_month_boundaries_and_names_the_months_between():
    """One convention on every timeline: gridlines where months meet, each name in its month,
    so a dot on 5 May sits just right of the line that opens May (2-1 once put it left of "5月")."""
    import matplotlib.dates as mdates

    fig, ax = plt.subplots()
    charts.month_band(ax, 0, pd.Period("2020-05", freq="M"), "#AA3377")
    charts.month_axis(ax, pd.Period("2020-03", freq="M"), pd.Period("2020-12", freq="M"))
    assert [t.get_text() for t in ax.get_xticklabels(minor=True)] == [f"{m}月" for m in range(3, 13)]
    assert not any(t.get_text() for t in ax.get_xticklabels())  # the boundaries carry no words
    bounds = [mdates.num2date(x).strftime("%m-%d") for x in ax.get_xticks()]
    assert bounds == [f"{m:02d}-01" for m in range(3, 13)] + ["01-01"]
    may5, names = mdates.date2num(pd.Timestamp("2020-05-05")), ax.get_xticks(minor=True)
    assert ax.get_xticks()[2] < may5 < names[2]  # after the line that opens May, before May's name
    assert ax.xaxis._major_tick_kw.get("gridOn", True) and charts.overflows(fig) == []


def test_bands_of_adjacent_months_stay_two_bands():
    """汉曲优's July and August events: two bands with a gap, not one two-month bar."""
    _fig, ax = plt.subplots()
    for month in ("2020-07", "2020-08"):
        charts.month_band(ax, 0, pd.Period(month, freq="M"), "#882255")
    july, august = sorted(ax.patches, key=lambda p: p.get_x())
    assert july.get_x() + july.get_width() < august.get_x()
    assert august.get_x() - (july.get_x() + july.get_width()) >= 2 * charts.BAND_GAP_DAYS - 1e-9


# --- every figure of the book ------------------------------------------------------------

import json  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers import run_build  # noqa: E402

from bookbuild.build import toc_notebooks  # noqa: E402
from techreport.present import drawings, phone_svgs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The width of a figure on a 390 px phone screen (the page's margins taken off), as measured
#: in Chromium at 390x844 (see CONTRIBUTING.md).
PHONE_CONTENT_PX = 342


def glued_figures(nb: dict) -> set[str]:
    return {
        out["metadata"]["scrapbook"]["name"]
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out.get("metadata", {}).get("scrapbook", {}).get("name", "").startswith("fig-")
    }


def book_phone_figures(root: Path = ROOT) -> dict[str, str]:
    """{figure name: phone SVG} over every page; fails if a figure has no phone rendering."""
    found = {}
    for path in toc_notebooks():
        nb = json.loads((root / path.relative_to(ROOT)).read_text(encoding="utf-8"))
        phones = phone_svgs(nb)
        assert set(phones) == glued_figures(nb), f"{path.name}: a figure without its phone rendering"
        found.update(phones)
    return found


def phone_text_px(svg: str) -> float:
    """Smallest text of a phone SVG as a 390 px phone shows it: at its natural width (pt -> px),
    or narrower when the column is narrower; never wider (the page sets its width)."""
    import re

    natural = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg).group(1)) * 4 / 3
    return charts.svg_min_text_px(svg, min(natural, PHONE_CONTENT_PX))


def print_text_pt(svg: str) -> float:
    """Smallest text of a wide SVG in the PDF, in pt: the figure printed across the text width."""
    return charts.svg_min_text_px(svg, charts.PRINT_WIDTH_IN * charts.PT_PER_IN)


def test_every_chart_is_readable_on_a_desktop_and_in_print():
    """The wide figure of every chart: text of 12 CSS px or more in the 672 px column of a 1280 px
    page, and of 7.5 pt or more in the PDF (printed 16.2 cm wide)."""
    wide = {name: svg for name, svg in book_figures().items() if name.endswith("(wide)")}
    assert len(wide) >= 10
    small = {n: round(charts.svg_min_text_px(s, charts.DESKTOP_PX), 2) for n, s in wide.items()}
    small = {n: px for n, px in small.items() if px < charts.MIN_DESKTOP_TEXT_PX}
    assert not small, f"chart text under {charts.MIN_DESKTOP_TEXT_PX} CSS px on a desktop: {small}"
    printed = {n: round(print_text_pt(s), 2) for n, s in wide.items() if print_text_pt(s) < charts.MIN_PRINT_PT}
    assert not printed, f"chart text under {charts.MIN_PRINT_PT} pt in print: {printed}"


def test_every_chart_is_readable_on_a_phone():
    """At a 390 px screen's content width, no chart text is smaller than 11 CSS px."""
    figures = book_phone_figures()
    assert len(figures) >= 10
    small = {
        name: round(phone_text_px(svg), 1)
        for name, svg in figures.items()
        if phone_text_px(svg) < charts.MIN_PHONE_TEXT_PX
    }
    assert not small, f"chart text under {charts.MIN_PHONE_TEXT_PX} CSS px on a phone: {small}"


def double_counts(data: Path) -> int:
    """Double every count in a copy of data/: each ``value`` of indicators.csv, except shares.

    Counts are the only numbers the report gives as amounts (indicators.value). Left as they
    are: shares in % (90% doubled is no share), and numbers that are not amounts: ``order``,
    ``decimals``, district codes and label coordinates. Returns how many values were doubled.
    """
    import csv
    import io

    path = data / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    doubled = 0
    for row in rows:
        if row["unit"] != "%":
            value = float(row["value"]) * 2
            row["value"] = f"{value:.{int(row['decimals'])}f}"
            doubled += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return doubled


def test_doubled_counts_build_without_a_clipped_chart(repo):
    """Edit a CSV, rebuild: layout follows the data. Every figure is checked as it is drawn
    (``present.show_figure`` refuses one with an artist cut off by its axes or outside the
    figure, see ``charts.overflows``), so the build of a copy with every count doubled
    succeeds only if no chart clips; the phone renderings must still be readable."""
    root = repo
    assert double_counts(root / "data") > 20
    # doubled figures no longer agree with the report's words: the loader warns instead of stopping
    result = run_build(root, env={VALUES_ENV: "warn"})
    assert result.returncode == 0, (
        f"build with doubled counts failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    )
    assert "FigureError" not in result.stdout
    page = (root / "book" / "2-3-platforms" / "index.ipynb").read_text(encoding="utf-8")
    assert "超过4000名" in page  # the notebooks were re-executed with the doubled data
    for name, svg in book_phone_figures(root).items():
        assert phone_text_px(svg) >= charts.MIN_PHONE_TEXT_PX, name
    for name, svg in book_figures(root).items():
        if name.endswith("(wide)"):
            assert charts.svg_min_text_px(svg, charts.DESKTOP_PX) >= charts.MIN_DESKTOP_TEXT_PX, name
            assert print_text_pt(svg) >= charts.MIN_PRINT_PT, name


@pytest.mark.parametrize(
    "text, width",
    [("人工智能：五条行动下报告点名的事项与应用领域", 10), ("全部点名：3个", 6), ("成果与报告点名的应用领域", 11)],
)
def test_wrap_leaves_no_widow_of_one_character(text, width):
    """The titles the issue found ("应用领/域", "全部点名：3/个"): the last line takes a word from the line before."""
    for w in (width, *range(4, 24)):
        lines = charts.wrap(text, w).split("\n")
        assert "".join(lines) == text
        if len(lines) > 1:
            assert len(lines[-1].rstrip("，、；：。）》”！？%")) > 1, (w, lines)
        assert not any(line[0] in "，、；：。）" for line in lines)


@pytest.mark.parametrize(
    "text, width, first",
    [  # chart labels a reader found split inside a word or between a figure and its unit
        ("高端芯片、先进制造工艺、关键装备与材料等", 9, "高端芯片、"),
        ("提供90%的起飞推力", 6, "提供90%的"),
        ("抓总研制火星环绕器和长征五号遥四运载火箭", 11, "抓总研制火星环绕器和"),
        ("沪东中华造船(集团)有限公司、中国船舶工业贸易有限公司", 14, "沪东中华造船(集团)有限公司、"),
        ("共11项，点名0个", 6, "共11项，"),
        (
            "集中攻关重点：高端芯片、先进制造工艺、关键装备与材料等",
            24,
            "集中攻关重点：高端芯片、先进制造工艺、",
        ),  # 与 joins a name
    ],
)
def test_wrap_breaks_after_a_joint_not_inside_a_word(text, width, first):
    lines = charts.wrap(text, width).split("\n")
    assert lines[0] == first and "".join(lines) == text


def test_wrap_keeps_a_figure_with_its_unit():
    for width in range(3, 12):
        assert "1个" in charts.wrap("应用场景公共服务平台：1个", width).split("\n")[-1]


def test_wrap_never_ends_a_line_with_an_opening_mark():
    text = "北斗三号全球卫星导航系统共30颗（每格一颗）"
    for width in range(4, 22):
        lines = charts.wrap(text, width).split("\n")
        assert "".join(lines) == text
        assert not any(line[-1] in "（《“" for line in lines), lines


# --- contrast and titles over the palette and every figure ---------------------------------

PALETTE = {
    **{f"topic {k}": c for k, c in style.TOPIC_COLORS.items()},
    **{f"section {k}": c for k, c in style.SECTION_COLORS.items()},
}


def hsv_hue(color) -> float:
    import colorsys

    from matplotlib.colors import to_rgb

    return colorsys.rgb_to_hsv(*to_rgb(color))[0]


@pytest.mark.parametrize("name", sorted(PALETTE))
def test_palette_keeps_its_hue_at_wcag_contrast(name):
    """Every entity colour gives a mark of 3:1 and a text of 4.5:1 on white, in its own hue."""
    color = PALETTE[name]
    mark, text = style.mark_color(color), style.text_color(color)
    assert style.contrast(mark) >= style.MARK_CONTRAST and style.contrast(text) >= style.TEXT_CONTRAST
    assert hsv_hue(mark) == pytest.approx(hsv_hue(color), abs=0.01)
    assert hsv_hue(text) == pytest.approx(hsv_hue(color), abs=0.01)
    if style.contrast(color) >= style.MARK_CONTRAST:
        assert mark == color.upper()  # a colour that is dark enough is left as it is


def test_neutral_marks_and_inks_meet_wcag():
    assert style.contrast(style.GREY) >= style.MARK_CONTRAST
    assert style.contrast(style.MUTED) >= style.TEXT_CONTRAST and style.contrast(style.INK) >= style.TEXT_CONTRAST
    assert len(set(style.TOPIC_COLORS.values())) == len(style.TOPIC_COLORS)


def test_contrast_is_wcag():
    assert style.contrast("#000000") == pytest.approx(21) and style.contrast("#FFFFFF") == pytest.approx(1)
    assert style.contrast("#CCBB44") == pytest.approx(1.95, abs=0.01)  # the gold lines the issue found


def test_light_unit_squares_get_a_darker_edge():
    _fig, ax = plt.subplots()
    charts.units(ax, 4, 2, 4, color=style.TOPIC_COLORS["ai"])
    charts.units(ax, 4, 2, 4, color=style.TOPIC_COLORS["ic"], origin=(0, -2))
    from matplotlib.colors import to_hex

    ai, ic = ax.patches[0], ax.patches[4]
    assert ai.get_linewidth() > 0 and style.contrast(to_hex(ai.get_edgecolor())) >= style.MARK_CONTRAST
    assert ic.get_linewidth() == 0  # dark enough on its own


#: Fills lighter than this (against white) are grounds under marks (a map's districts, a card's face), not marks.
GROUND = 1.3
STYLE_RE = re.compile(r'<(\w+)\b[^>]*?style="([^"]*)"')


def svg_contrast_problems(svg: str) -> list[str]:
    """Text under 4.5:1 and marks under 3:1 against white in a matplotlib SVG.

    Text: every ``<text>`` fill but white (set on a dark band). Marks: every stroke, and every
    fill that is not a ground (see :data:`GROUND`) unless the same element has an edge of 3:1;
    half-transparent fills (a fade) and the grid are left out.
    """
    problems = []
    for tag, css in STYLE_RE.findall(svg):
        props = dict(p.split(": ", 1) for p in (x.strip() for x in css.split(";")) if ": " in p)
        if "opacity" in css or "url(" in css:
            continue
        fill, stroke = props.get("fill", "#000000"), props.get("stroke")
        if tag == "text":
            if fill.lower() != "#ffffff" and style.contrast(fill) < style.TEXT_CONTRAST:
                problems.append(f"text {fill} {style.contrast(fill):.2f}:1")
            continue
        edge_ok = stroke and stroke.startswith("#") and style.contrast(stroke) >= style.MARK_CONTRAST
        if stroke and stroke.startswith("#") and stroke.lower() not in ("#ffffff", "#e5e5e5") and not edge_ok:
            problems.append(f"line {stroke} {style.contrast(stroke):.2f}:1")
        if fill.startswith("#") and GROUND <= style.contrast(fill) < style.MARK_CONTRAST and not edge_ok:
            problems.append(f"mark {fill} {style.contrast(fill):.2f}:1")
    return sorted(set(problems))


def test_svg_contrast_problems_finds_the_light_marks():
    assert svg_contrast_problems('<path style="fill: none; stroke: #ccbb44"/>') == ["line #ccbb44 1.95:1"]
    assert svg_contrast_problems('<text style="font-size: 9px; fill: #ee6677">x</text>') == ["text #ee6677 3.09:1"]
    assert svg_contrast_problems('<path style="fill: #bbbbbb"/>') == ["mark #bbbbbb 1.92:1"]
    assert svg_contrast_problems('<path style="fill: #66ccee; stroke: #4f9eb8"/>') == []
    assert svg_contrast_problems('<path style="fill: #eeeeee; stroke: #ffffff"/>') == []


def book_figures(root: Path = ROOT) -> dict[str, str]:
    """{figure name (wide|phone): SVG} over every page: each figure's glued wide and phone SVG."""
    found = {}
    for path in toc_notebooks():
        nb = json.loads((root / path.relative_to(ROOT)).read_text(encoding="utf-8"))
        for name, pair in drawings(nb).items():
            found[f"{name} (wide)"], found[f"{name} (phone)"] = pair["wide"], pair["phone"]
    return found


#: The stored notebooks, all together (issue 21: 2.8 MB when each chart was also stored as a PDF).
NOTEBOOK_BYTES = 1_500_000


def notebook_weight(root: Path = ROOT) -> tuple[int, list[str]]:
    """(bytes of every page's notebook, the outputs that store a PDF: "page: figure")."""
    total, pdfs = 0, []
    for path in toc_notebooks():
        raw = (root / path.relative_to(ROOT)).read_bytes()
        total += len(raw)
        for cell in json.loads(raw)["cells"]:
            for out in cell.get("outputs", []):
                if any(key.endswith("application/pdf") for key in out.get("data", {})):
                    name = out.get("metadata", {}).get("scrapbook", {}).get("name", "?")
                    pdfs.append(f"{path.name}: {name}")
    return total, pdfs


def test_notebooks_store_each_chart_as_svg_only_and_stay_light():
    """No stored output holds a PDF (the PDF edition converts the SVG at PDF time,
    bookbuild/sphinx/svgpdf.py); every figure stores its wide and phone SVG; all the notebooks
    together stay within NOTEBOOK_BYTES."""
    total, pdfs = notebook_weight()
    assert not pdfs, f"outputs that store a PDF: {pdfs}"
    assert total <= NOTEBOOK_BYTES, f"the notebooks weigh {total:,} bytes (aim {NOTEBOOK_BYTES:,})"
    figures = book_figures()
    assert {n[: -len(" (wide)")] for n in figures if n.endswith("(wide)")} == {
        n[: -len(" (phone)")] for n in figures if n.endswith("(phone)")
    }


def test_every_chart_meets_wcag_contrast():
    """Text 4.5:1 and marks 3:1 against the white page, in every figure at both widths."""
    figures = book_figures()
    assert len(figures) >= 20
    bad = {name: problems for name, svg in figures.items() if (problems := svg_contrast_problems(svg))}
    assert not bad, bad


def test_every_chart_has_one_title_at_the_left_edge():
    """One rule for titles: each figure has exactly one, set by ``charts.title`` at the figure's left edge."""
    for name, svg in book_figures().items():
        heads = re.findall(rf'<g id="{charts.TITLE_GID}">\s*(<text[^>]*>)', svg)
        assert len(heads) == 1, f"{name}: {len(heads)} titles set by charts.title"
        head = heads[0]  # one line: x and text-anchor; several lines: each translated from the left
        x = re.search(r'\bx="([\d.-]+)"|translate\(([\d.-]+)', head)
        assert "text-anchor: middle" not in head and "text-anchor: end" not in head, f"{name}: title not left-aligned"
        assert float(x.group(1) or x.group(2)) < 1, f"{name}: the title does not start at the figure's left edge"


# --- chart forms (techreport.forms) ------------------------------------------------------

from techreport import forms  # noqa: E402


def link_data(n_groups: int, per_group: int, targets_each: int):
    """Items in groups; the first item links to nothing, the others to ``targets_each`` of 7 shared targets."""
    items = [
        (f"材料{g}", f"r{g}-{k}", f"成果{g}-{k}\n规格说明较长的一行") for g in range(n_groups) for k in range(per_group)
    ]
    links = [
        (key, f"应用领域{(n + j) % 7}", "-" if (n + j) % 2 else "--")
        for n, (_, key, _) in enumerate(items[1:])
        for j in range(targets_each)
    ]
    return items, links


def draw_links(layout, shape, styles=None):
    items, links = link_data(*shape)
    styles = styles or {"-": "已应用", "--": "奠定基础"}
    return forms.link_columns(
        layout,
        items,
        links,
        styles=styles,
        heads=("材料", "成果", "领域"),
        placeholder="（报告未说明）",
        color="#8A7E2E",
    )


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("shape", [(3, 2, 1), (4, 4, 3), (2, 9, 1)])
def test_link_columns_fit_more_groups_items_and_targets(layout, shape):
    """More items than targets, items sharing targets, an item with none: every box inside the axes."""
    fig, ax = draw_links(layout, shape)
    assert charts.overflows(fig) == []
    assert [t.get_text() for t in ax.texts].count("（报告未说明）") == 1  # the item without a link has its row


def test_link_columns_grow_with_their_rows_and_show_only_the_styles_drawn():
    small, _ = draw_links(charts.WIDE, (3, 2, 1))
    large, ax = draw_links(charts.WIDE, (5, 5, 2), styles={"-": "已应用", ":": "未用", "--": "奠定基础"})
    assert large.get_figheight() > small.get_figheight()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["已应用", "奠定基础"]  # no dotted link: no entry


def unit_rows_data(groups: int, named: int, unnamed: int, etc: bool = False):
    rows = []
    for g in range(groups):
        if g % 3 == 0:
            rows.append(forms.UnitRow(f"{g // 3 + 1}. 一条行动的名称写得相当长，需要在窄屏上折成几行"))
        rows.append(forms.UnitRow(f"事项组{g}：共{named + unnamed}个，点名{named}个", named, unnamed, etc))
    return rows


UNIT_LEGEND = ("点名", "未点名", "等")


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("shape", [(4, 3, 0, True), (9, 12, 30, False), (2, 70, 130, False), (9, 120, 450, True)])
def test_unit_rows_fit_many_groups_and_long_rows(layout, shape):
    """One square per counted thing up to charts.MAX_UNITS in all; above it, one bar a group (named
    part filled, the rest outlined) and a legend that says so."""
    fig = forms.unit_rows(layout, unit_rows_data(*shape), color=style.TOPIC_COLORS["ai"], legend=UNIT_LEGEND)
    assert charts.overflows(fig) == []
    ax = fig.axes[0]
    things = shape[0] * (shape[1] + shape[2])
    bars = things > charts.MAX_UNITS
    assert len(ax.patches) == (shape[0] * (1 + (shape[2] > 0)) if bars else things)  # squares or bars
    assert ("…等" in [t.get_text() for t in ax.texts]) == shape[3]
    first = ax.get_legend().get_texts()[0].get_text()
    assert first.endswith("（条长为项数）" if bars else "（一格一项）")


def test_unit_rows_legend_shows_the_etc_as_the_chart_writes_it():
    """ "…等" in the legend is the text the rows end with, not a marker (it once drew "▪▪▪")."""
    fig = forms.unit_rows(charts.WIDE, unit_rows_data(3, 2, 0, True), color="#4477AA", legend=UNIT_LEGEND)
    legend = fig.axes[0].get_legend()
    marks = [t.get_text() for t in legend.findobj(lambda a: hasattr(a, "get_text")) if t not in legend.get_texts()]
    assert "…等" in marks
    assert not any("$" in str(getattr(h, "get_marker", lambda: "")()) for h in legend.legend_handles)


def test_unit_rows_grow_with_the_rows_and_list_only_the_marks_drawn():
    few = forms.unit_rows(charts.WIDE, unit_rows_data(3, 5, 0), color="#4477AA", legend=UNIT_LEGEND)
    many = forms.unit_rows(charts.WIDE, unit_rows_data(9, 5, 30), color="#4477AA", legend=UNIT_LEGEND)
    assert many.get_figheight() > few.get_figheight()
    assert [t.get_text() for t in few.axes[0].get_legend().get_texts()] == ["点名（一格一项）"]
    assert [t.get_text() for t in many.axes[0].get_legend().get_texts()] == ["点名（一格一项）", "未点名"]


def draw_callout_map(layout, **kw):
    callouts = {"pudong": ["张江：一段较长的说明文字", "临港：另一段说明"], "jiading": ["嘉定：传感器"]}
    args = dict(
        fill={"pudong": "#228833", "jiading": "#228833"},
        labels={"pudong": "浦东", "jiading": "嘉定", "xuhui": "徐汇"},
        callouts=callouts,
        edge="#228833",
        at={"pudong": (122.08, 30.93), "jiading": (120.85, 31.50)},
    )
    return forms.callout_map(layout, **{**args, **kw})


def test_callout_map_boxes_wide_and_a_numbered_list_on_a_phone():
    fig, ax = draw_callout_map(charts.WIDE, reach=(120.52, 122.46), room=(0, 0.1))
    assert charts.overflows(fig) == []
    assert ax.get_xlim()[0] <= 120.52 and ax.get_xlim()[1] == pytest.approx(122.56)
    assert {t.get_text() for t in ax.texts} >= {"张江：一段较长的说明文字\n临港：另一段说明", "嘉定：传感器", "浦东"}
    fig, ax = draw_callout_map(charts.NARROW, swatches=[("#228833", "平台所在区")], callout_label="产业集群")
    texts = [t.get_text() for t in ax.texts]
    assert "1 浦东" in texts and "2 嘉定" in texts  # callout districts carry their numbers
    assert any(t.startswith("1 张江：一段较长的说明文字；临港") for t in texts)  # the list under the map
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["平台所在区", "1–2：产业集群所在的区（见图下）"]
    assert charts.overflows(fig) == []


def test_callout_map_offsets_place_boxes_from_the_label_points():
    _fig, ax = draw_callout_map(charts.WIDE, at=None, offsets={"pudong": (0.3, 0.0), "jiading": (-0.3, 0.1)})
    from techreport.maps import load_districts

    points = load_districts().set_index("id")[["label_x", "label_y"]]
    boxes = {a.get_text(): a.xyann for a in ax.texts if hasattr(a, "xyann")}
    assert boxes["嘉定：传感器"] == pytest.approx(
        (points.loc["jiading", "label_x"] - 0.3, points.loc["jiading", "label_y"] + 0.1)
    )


SCALE_ROWS = [
    forms.ScaleRow("已建和培育的功能型平台（家）", 20, "odd", "20余家"),
    forms.ScaleRow("平台分布的区（个）", 10, "exact", "10个区", names=list("浦闵嘉宝松青普徐杨"), note="点名9个"),
    forms.ScaleRow("集聚人才（名）", 2000, "more_than", "超过2000名"),
    forms.ScaleRow("撬动社会投资和培育产业规模（亿元）", 100, "nearly", "近100亿元"),
]


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("scale", [1, 1000])
def test_scale_rows_fit_any_figure_and_name_the_counted_squares(layout, scale):
    rows = [
        r._replace(value=r.value * scale, text=r.text.replace("0", "0" * (1 + 3 * (scale > 1))))
        if r.names is None
        else r
        for r in SCALE_ROWS
    ]
    fig = forms.scale_rows(layout, rows, color=style.TOPIC_COLORS["platforms"])
    assert charts.overflows(fig) == []
    assert len(fig.axes) == len(rows) and fig.get_figheight() == pytest.approx(
        len(rows) * (1.68 if layout.narrow else 1.12)
    )
    squares = [t.get_text() for t in fig.axes[1].texts]
    assert squares[:10] == [*"浦闵嘉宝松青普徐杨", "？"]  # the unnamed district is a question, not a guess
    said = "10个区（点名9个）" if not layout.narrow else "平台分布的区（个）：10个区，点名9个"
    assert said in [*squares, fig.axes[1].get_title(loc="left").replace("\n", "")]


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("n", [1, 3, 4, 6])
def test_scale_panels_one_panel_per_figure_in_a_grid_that_follows_the_count(layout, n):
    panels = [
        (f"第{k}项成果的一个相当长的名称（亿元）", 10**k, "more_than", f"超过{10**k}亿元") for k in range(1, n + 1)
    ]
    fig = forms.scale_panels(layout, panels, color=style.TOPIC_COLORS["platforms"])
    assert charts.overflows(fig) == []
    shown = fig.axes
    assert len(shown) == n and all(ax.get_xlim()[1] > 10**k for k, ax in enumerate(shown, 1))
    rows = n if layout.narrow else -(-n // 2)
    assert fig.get_figheight() == pytest.approx(rows * (1.55 if layout.narrow else 1.7))


def test_overflows_ignores_the_ticks_of_hidden_axes():
    fig, axes = plt.subplots(1, 2, figsize=(4, 2))
    axes[1].set_visible(False)  # the layout makes no room for it: its tick labels would stand outside
    assert charts.overflows(fig) == []


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("per_stage", [1, 2, 5])
def test_chain_fits_longer_stages_and_wraps_on_a_phone(layout, per_stage):
    """Every box holds its words with a margin (two-line labels once touched their boxes), no two
    boxes touch, and none is cut at the figure's edge (a phone once clipped them)."""
    from matplotlib.colors import to_rgba

    stages = [(f"第{s}段", [f"事项{s}-{k}\n（攻关重点）" for k in range(per_stage)]) for s in range(3)]
    unplaced = ["前瞻性、\n颠覆性技术研发布局\n（研发布局）", "一个名称很长很长的市级科技重大专项（科技重大专项）"]
    fig, ax = forms.chain(layout, stages, unplaced, color="#4477AA", tint="#E8EEF6", unplaced_head="报告未说明")
    charts.title(fig, "一个标题", layout)
    style.add_source(fig, "ic_focus", note="一条两行的注释，" * 6, fontsize=layout.font(8))
    assert charts.overflows(fig) == []
    renderer = fig.canvas.get_renderer()
    cards = [t for t in ax.texts if t.get_bbox_patch() is not None]
    boxes = {}
    for card in cards:
        text, box = card.get_window_extent(renderer), card.get_bbox_patch().get_window_extent(renderer)
        margin = 0.3 * card.get_fontsize() * fig.dpi / 72  # px
        assert box.x0 + margin <= text.x0 and text.x1 <= box.x1 - margin, card.get_text()
        assert box.y0 + margin <= text.y0 and text.y1 <= box.y1 - margin, card.get_text()
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1  # inside the figure: nothing clipped
        boxes[card] = box
    pairs = [(a, b) for i, a in enumerate(boxes.values()) for b in list(boxes.values())[i + 1 :]]
    assert not any(a.overlaps(b) for a, b in pairs)  # no box touches another
    face = {c: to_rgba(c.get_bbox_patch().get_facecolor()) for c in cards}
    items = [boxes[c] for c in cards if face[c] == to_rgba("#E8EEF6")]
    rest = [boxes[c] for c in cards if face[c] == to_rgba("#F2F2F2")]
    assert (len(items), len(rest)) == (3 * per_stage, len(unplaced))  # a box per item
    assert max(b.y1 for b in rest) < min(b.y0 for b in items)  # below the longest stage
    if layout.narrow:  # wrapped to the phone's width
        assert "一个名称很长很长的市级科技重大专项（科技重大专项）" not in [t.get_text() for t in ax.texts]


# --- scale: unit charts at ten times today's data ------------------------------------------


def today(indicator: str) -> int:
    from techreport.data import load_table

    return int(load_table("indicators").set_index("id").loc[indicator, "value"])


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("arrangement", ["columns", "rows"])
def test_unit_forms_hold_at_ten_times_todays_data(layout, arrangement):
    """Ten times today's drug approvals (and of production approvals): a bar with the counts, not
    one square each (a 35,000-line SVG and an 8 s notebook); today's counts stay one square each."""
    import time

    total, part = today("biomed_nmpa_approvals"), today("biomed_production_approvals")
    sizes = {}
    for scale in (1, 10):
        start = time.perf_counter()
        fig = PART_WHOLE[arrangement](layout, total * scale, part * scale)
        svg = style.save(fig, "svg").decode()
        seconds = time.perf_counter() - start
        assert charts.overflows(fig) == []
        sizes[scale] = (len(fig.axes[0].patches), svg.count("\n"), seconds)
    assert total <= charts.MAX_UNITS < total * 10  # the test spans the switch
    assert sizes[1][0] == total  # today: one square a thing
    patches, lines, seconds = sizes[10]
    assert patches <= 3 and lines < 400 and seconds < 2.0, sizes[10]


def test_units_refuses_more_squares_than_a_reader_can_count():
    _fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="MAX_UNITS"):
        charts.units(ax, charts.MAX_UNITS + 1, 3, 30, color="#4477AA")


def month_events(n_rows: int):
    """Two events a row in different months; the second of every other row a follow-up (one thread)."""
    rows = []
    for r in range(n_rows):
        for k, kind in enumerate(("approval", "launch")):
            month = pd.Period(f"2020-{1 + (r + 4 * k) % 12:02d}", freq="M")
            thread = f"t{r}" if r % 2 == 0 else f"t{r}-{k}"
            rows.append(
                {"row": r, "month": month, "kind": kind, "text": "药监局" if k == 0 else None, "thread": thread}
            )
    return pd.DataFrame(rows)


MONTH_KINDS = {"approval": ("#332288", "批准上市"), "launch": ("#999933", "上市"), "orphan": ("#44AA99", "孤儿药")}


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("n_rows", [3, 8, 16])
def test_month_rows_fit_more_products_and_say_the_band_words_where_they_fit(layout, n_rows):
    names = [f"产品{r}的名称（报告对它的称谓较长）" for r in range(n_rows)]
    fig = forms.month_rows(layout, names, month_events(n_rows), kinds=MONTH_KINDS)
    assert charts.overflows(fig) == []
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    if layout.narrow:  # a band is too short for a word: it follows the row's name
        assert "药监局" not in texts and any("药监局" in t for t in texts)
    else:
        assert texts.count("药监局") == n_rows
        assert fig.get_figheight() == pytest.approx(max(4.6, 0.4 * n_rows + 1.2))
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == -(-n_rows // 2)  # one join per thread of two events
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["批准上市", "上市"]  # kinds drawn only


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("n", [5, 40])
def test_dated_events_fit_more_events_and_list_each_mark_drawn(layout, n):
    events = pd.DataFrame(
        {
            "label": [f"事件{k}：一个相当长的事件名称，需要折行" for k in range(n)],
            "date": [pd.Timestamp(f"2020-{1 + k % 12:02d}-15") if k % 3 else pd.NaT for k in range(n)],
            "month": [pd.Period(f"2020-{1 + k % 12:02d}", freq="M") for k in range(n)],
            "group": ["2.1" if k < n / 2 else "2.2" for k in range(n)],
        }
    )
    groups = {"2.1": ("#4477AA", "2.1 三大领域"), "2.2": ("#EE6677", "2.2 重点领域")}
    first, last = pd.Period("2020-01", freq="M"), pd.Period("2020-12", freq="M")
    fig = forms.dated_events(layout, events, groups=groups, first=first, last=last)
    assert charts.overflows(fig) == []
    legend = [t.get_text().replace("\n", "") for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [
        f"{name}：{mark}"
        for name in ("2.1 三大领域", "2.2 重点领域")
        for mark in ("只知月份（整月色带）", "日期精确到日（圆点）")
    ]


PART_WHOLE = {  # the two arrangements of a part of a whole, with labels as long as the book's
    "columns": lambda layout, total, part: forms.part_whole_columns(
        layout,
        total,
        part,
        whole_text=f"全年获国家药监局药品批件 {total}件",
        part_text=f"其中生产批件 {part}件",
        color=style.TOPIC_COLORS["biomed"],
    ),
    "rows": lambda layout, total, part: forms.part_whole_rows(
        layout,
        total,
        part,
        part_text=f"中科院微小卫星创新研究院研制\n{part}颗",
        rest_text="其余卫星",
        color=style.TOPIC_COLORS["aerospace"],
    ),
}


@pytest.mark.parametrize("arrangement", sorted(PART_WHOLE))
@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
@pytest.mark.parametrize("total, part", [(109, 38), (300, 5), (12, 12), (7, 1)])
def test_part_whole_fits_any_count_one_square_a_thing(arrangement, layout, total, part):
    fig = PART_WHOLE[arrangement](layout, total, part)
    assert charts.overflows(fig) == []
    squares = fig.axes[0].patches
    assert len(squares) == total
    assert sum(p.get_facecolor()[:3] != (1.0, 1.0, 1.0) for p in squares) == part


@pytest.mark.parametrize("layout", charts.LAYOUTS, ids=lambda lay: lay.name)
def test_part_whole_rows_set_the_part_in_its_colour_on_one_line_on_a_phone(layout):
    ax = PART_WHOLE["rows"](layout, 30, 12).axes[0]
    part = next(t for t in ax.texts if t.get_text().startswith("中科院"))
    assert (part.get_text() == "中科院微小卫星创新研究院研制12颗") == layout.narrow
    assert style.contrast(part.get_color()) >= style.TEXT_CONTRAST


#: A cell holds a step of the page's analysis; drawing mechanics belong to techreport.forms.
MAX_CELL_LINES = 40


@pytest.mark.parametrize("path", toc_notebooks(), ids=lambda p: p.name)
def test_code_cells_are_short_and_leave_drawing_to_the_forms(path):
    """No code cell over MAX_CELL_LINES lines: a figure's drawing is a form (``techreport.forms``),
    the cell says what is drawn and what the words say (see CONTRIBUTING.md)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        lines = "".join(cell["source"]).splitlines()
        assert len(lines) <= MAX_CELL_LINES, f"{path.name}, code cell {k + 1}: {len(lines)} lines"


def card_data(n: int):
    return [
        {
            "key": f"e{k}",
            "date": pd.Timestamp(f"2020-{1 + k:02d}-{5 + k}"),
            "head": f"任务{k}",
            "body": ["上海航天技术研究院：承担助推器与外部安全系统的研制", "另一家机构：一段说明"],
            "muted": k == 1,
        }
        for k in range(n)
    ]


@pytest.mark.parametrize("n", [1, 4, 9])
def test_date_cards_list_every_event_on_a_phone(n):
    fig, ax = forms.date_cards(
        charts.NARROW,
        card_data(n),
        color=style.TOPIC_COLORS["marine"],
        first=pd.Period("2020-01", freq="M"),
        last=pd.Period("2020-12", freq="M"),
    )
    assert charts.overflows(fig) == []
    heads = [t.get_text() for t in ax.texts if "任务" in t.get_text()]
    assert heads == [f"{1 + k}月{5 + k}日  任务{k}" for k in range(n)]  # date first, in order
    assert fig.get_figheight() > 1.4 + 0.6 * n  # the list grows with the cards


def test_date_cards_put_each_card_where_the_page_places_it():
    cards = card_data(2)
    fig, ax = forms.date_cards(
        charts.WIDE,
        cards,
        color=style.TOPIC_COLORS["marine"],
        first=pd.Period("2019-12", freq="M"),
        last=pd.Period("2020-04", freq="M"),
        placement={"e0": (0.8, "left"), "e1": (-0.2, "right")},
    )
    assert charts.overflows(fig) == []
    heads = {t.get_text(): t for t in ax.texts if "任务" in t.get_text()}
    assert heads["1月5日  任务0"].xy[1] == 0.8 and heads["1月5日  任务0"].get_ha() == "left"
    assert heads["2月6日  任务1"].get_ha() == "right"
