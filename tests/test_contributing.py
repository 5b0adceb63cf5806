"""CONTRIBUTING.md's promise, done as a newcomer does it: a new table, then a page with a chart from it.

The table: a CSV in data/, described by ``frictionless describe`` (which writes ``"type": "table"``),
pasted into datapackage.json, completed as "Add a table" says. The page: tools/page-template.ipynb
copied under book/, its cells rewritten for the new table, added to _toc.yml, built by ``make book``'s
build. The page rules are the suite's own checks (tests/test_book.py, tests/test_charts.py), called
on the new page; no second pytest run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import test_book
import test_charts
from helpers import run_build

from techreport.data import DataError, documentation_problems, load_table, resource, table_names
from techreport.present import phone_svgs

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "tools" / "page-template.ipynb"
FRICTIONLESS = Path(sys.executable).parent / "frictionless"

# The newcomer's table: the tracks of the national AI "揭榜挂帅" contest the report lists (2.1).
TABLE = "ai_tracks"
QUOTE = "围绕智能汽车、医疗影像辅助诊断、视觉图像身份识别、智能传感器推进全国人工智能“揭榜挂帅”赛道建设"
CSV = "id,order,name_zh,name_en,topic,source_quote\n" + "".join(
    f"{key},{n},{zh},{en},ai,{QUOTE}\n"
    for n, (key, zh, en) in enumerate(
        [
            ("smart-cars", "智能汽车", "Smart cars"),
            ("medical-imaging", "医疗影像辅助诊断", "Medical imaging diagnosis aid"),
            ("visual-identity", "视觉图像身份识别", "Identification from images"),
            ("smart-sensors", "智能传感器", "Smart sensors"),
        ],
        start=1,
    )
)
# What "Add a table" step 3 asks a person to write into the described resource.
RESOURCE_DOCS = {
    "title": "人工智能：“揭榜挂帅”赛道",
    "description": "2.1节列出的全国人工智能“揭榜挂帅”赛道，一行一条。",
    "sources": [{"title": "《2020上海科技进步报告》第2章 2.1 人工智能"}],
}
FIELD_DOCS = {
    "id": ("编号", "简短的英文编号。", {"required": True, "unique": True}),
    "order": ("顺序", "源文中出现的先后。", {"required": True, "minimum": 1}),
    "name_zh": ("中文名称", "源文的提法。", {"required": True}),
    "name_en": ("英文名称", "英文译名。", {"required": True}),
    "topic": ("主题", "所属主题（topics.csv 的 id）。", {"required": True}),
    "source_quote": ("报告原文", "报告中陈述这一行事实的最短原文片段，逐字照录。", {"required": True}),
}


def describe_table(data: Path) -> dict:
    """Steps 1-2 of "Add a table": the CSV, and ``frictionless describe``'s resource pasted into the package."""
    (data / f"{TABLE}.csv").write_text(CSV, encoding="utf-8")
    described = json.loads(
        subprocess.run(
            [str(FRICTIONLESS), "describe", "--json", f"{TABLE}.csv"],
            cwd=data,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert described["type"] == "table" and "profile" not in described  # Data Package v2, as it writes today
    write_resource(data, described)
    return described


def complete(described: dict) -> dict:
    """Step 3: titles, descriptions, source, constraints, keys."""
    done = {**described, **RESOURCE_DOCS}
    for field in done["schema"]["fields"]:
        title, description, constraints = FIELD_DOCS[field["name"]]
        field.update(title=title, description=description, constraints=constraints)
    done["schema"]["primaryKey"] = ["id"]
    done["schema"]["foreignKeys"] = [{"fields": ["topic"], "reference": {"resource": "topics", "fields": ["id"]}}]
    return done


def write_resource(data: Path, res: dict) -> None:
    path = data / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["resources"] = [r for r in package["resources"] if r["name"] != res["name"]] + [res]
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def add_table(data: Path) -> None:
    """ "Add a table" in full, checking on the way that each refusal says what to change."""
    described = describe_table(data)
    assert TABLE in table_names(data), "a described table is checked like the others, never passed over"
    missing = documentation_problems(resource(TABLE, data), data)
    assert {p.column for p in missing} >= {None, *FIELD_DOCS}, "the title, sources and every field are asked for"
    assert all("CONTRIBUTING.md" in p.hint for p in missing)
    write_resource(data, complete(described))
    assert documentation_problems(resource(TABLE, data), data) == []


def test_a_new_table_described_by_frictionless_and_completed_is_loaded_and_checked(data_copy):
    add_table(data_copy)
    tracks = load_table(TABLE, data_copy)
    assert len(tracks) == 4 and str(tracks["order"].dtype) == "Int64"
    # its quotes are checked against the report, as every table's are
    path = data_copy / f"{TABLE}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("智能传感器推进", "智能传感器等推进", 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_table(TABLE, data_copy)
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "source_quote")}


def test_the_template_is_not_a_page():
    """Kept out of the book: not under book/ (nbval, the toc test) and in a folder Sphinx excludes."""
    assert not TEMPLATE.is_relative_to(ROOT / "book")
    assert "tools" in (ROOT / "_config.yml").read_text(encoding="utf-8").split("exclude_patterns:")[1].split("\n")[0]
    nb = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "the template is stored clean"


# The newcomer's page: the template's cells, in the template's order and with its tags, rewritten.
PAGE_CELLS = [
    "# “揭榜挂帅”赛道\n\n报告列出全国人工智能“揭榜挂帅”的{glue:text}`tracks_n`条赛道"
    "（{numref}`tbl-ai-tracks`，{numref}`fig-ai-tracks`）。",
    "import matplotlib.pyplot as plt\nimport pandas as pd\n\nfrom techreport import charts, forms, style\n"
    "from techreport.data import load_table\nfrom techreport.present import glue_text, show_figure, show_table\n\n"
    "style.setup()",
    'tracks = load_table("ai_tracks").sort_values("order")\nglue_text("tracks_n", f"{len(tracks)}")',
    "## 赛道\n\n报告点名的赛道见{numref}`tbl-ai-tracks`。",
    'show_table(tracks[["name_zh", "name_en"]].rename(columns={"name_zh": "赛道", "name_en": "英文"}),\n'
    '           name="tbl-ai-tracks", caption=f"报告列出的{len(tracks)}条赛道", tables=["ai_tracks"],\n'
    '           quotes=tracks["source_quote"])',
    "一条赛道一个方块（{numref}`fig-ai-tracks`）。",
    "def draw(layout):\n"
    "    rows = [forms.UnitRow(name, named=1) for name in tracks['name_zh']]\n"
    "    fig = forms.unit_rows(layout, rows, color=style.mark_color(style.TOPIC_COLORS['ai']),\n"
    "                          legend=('报告点名的赛道', '', ''))\n"
    "    charts.title(fig, '全国人工智能“揭榜挂帅”赛道', layout)\n"
    "    style.add_source(fig, 'ai_tracks', fontsize=layout.font(8))\n"
    "    return fig\n\n\n"
    "show_figure(draw, name='fig-ai-tracks', caption=f'报告列出{len(tracks)}条赛道。',\n"
    "            alt='方块图：' + '、'.join(tracks['name_zh']) + '，一条赛道一个方块。', tables=['ai_tracks'])",
    "## 关于数据\n\n- 赛道在 `data/ai_tracks.csv`。",
]


def page_from_template(target: Path) -> None:
    nb = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    assert len(nb["cells"]) == len(PAGE_CELLS), "the template changed: update PAGE_CELLS"
    for cell, source in zip(nb["cells"], PAGE_CELLS):
        cell["source"] = source
    target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def test_a_newcomer_adds_a_page_with_a_chart_from_a_new_table(repo, monkeypatch):
    add_table(repo / "data")
    page = repo / "book" / "2-1-three-fields" / "ai-tracks.ipynb"
    page_from_template(page)
    toc = repo / "_toc.yml"  # after the AI page, at its indentation
    text = toc.read_text(encoding="utf-8")
    after = re.search(r"^( *)- file: book/2-1-three-fields/ai\n", text, flags=re.M)
    entry = f"{after.group(1)}- file: book/2-1-three-fields/ai-tracks\n"
    toc.write_text(text[: after.end()] + entry + text[after.end() :], encoding="utf-8")

    result = run_build(repo)
    assert result.returncode == 0, (
        f"the build with the new page failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    )
    html = (repo / "_build" / "html" / "book" / "2-1-three-fields" / "ai-tracks.html").read_text(encoding="utf-8")
    assert re.search(r"图 2-\d+", html) and re.search(r"表 2-\d+", html), "numbered through the chapter"
    assert "智能传感器" in html and "style.setup()" not in html

    # the page rules, on the page as the build stored it (executed, with outputs)
    test_book.test_notebook_is_executed_clean_and_hides_its_code(page)
    test_book.test_prose_types_no_number_that_the_data_holds(page)
    monkeypatch.setattr(test_book, "NOTEBOOKS", [*test_book.NOTEBOOKS, page])
    test_book.test_every_figure_and_table_is_named_once_cited_and_described()
    test_charts.test_code_cells_are_short_and_leave_drawing_to_the_forms(page)
    nb = json.loads(page.read_text(encoding="utf-8"))
    phones = phone_svgs(nb)
    assert set(phones) == test_charts.glued_figures(nb) == {"fig-ai-tracks"}
    for svg in phones.values():
        assert test_charts.phone_text_px(svg) >= test_charts.charts.MIN_PHONE_TEXT_PX
        assert test_charts.svg_contrast_problems(svg) == []
