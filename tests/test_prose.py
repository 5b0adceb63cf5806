"""The prose says what the report says: rules checked over the built web pages.

Each rule is a function from the built pages to a list of problems, run on the real book and on a
page with a seeded mistake (so each test shows it can fail). The rules (README, "House style"):

* only the report's words go inside “” (or a term of ``data/book_terms.csv``);
* a list the report ends in 等 (``data/open_lists.csv``) keeps its 等 wherever the book counts it;
* firsts and superlatives (首个, 首条, 全球首台, 全球最大, 唯一...) are the report's own: never
  upgraded, merged or dropped;
* every statement that the report does not say something is a sentence of the register
  (``data/not_stated.csv``), glued into the prose;
* every numeral of the report is classified (``data/numerals.csv``) and the figure count comes from it;
* one register: none of the README's phrases to avoid, no space between Chinese and digits or Latin;
* no internal names (column names, row ids) shown to readers;
* each page leads with the report, and the book's readings (本书读法) stay in its 关于数据.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from techreport.data import load_table, package
from techreport.prose import COUNTED, figure_count
from techreport.provenance import NOT_STATED
from techreport.source import locate, normalise, source

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# --- reading a built page ---------------------------------------------------------------------------

BLOCKS = {"p", "li", "td", "th", "figcaption", "caption", "h1", "h2", "h3", "h4", "dt", "dd", "summary"}
SKIP = {"script", "style", "pre", "nav", "button"}


@dataclass
class Block:
    tag: str
    text: str = ""
    glued: list = field(default_factory=list)  # (start, end) of each glued span (myst-nb's pasted-text)
    container: int = 0  # the notebook output (table, figure) the block belongs to; 0 outside one
    section: str = ""  # the h2 the block sits under


class PageText(HTMLParser):
    """The reader-facing text of a built page's article, block by block, with alt texts as blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.stack: list[tuple[str, bool, int | None]] = []  # (tag, skipping, block index)
        self.in_article = 0
        self.containers = 0
        self.container_stack: list[int] = []
        self.glue_start: list[int] = []
        self.section = ""

    def _current(self):
        for _tag, _skip, idx in reversed(self.stack):
            if idx is not None:
                return self.blocks[idx]
        return None

    def _skipping(self):
        return any(s for _t, s, _i in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("img", "br", "meta", "link", "input", "hr", "source"):
            if tag == "img" and self.in_article and a.get("alt"):
                self.blocks.append(Block("alt", a["alt"], [], self._container(), self.section))
            return
        if tag == "article" and "bd-article" in cls:
            self.in_article += 1
        skip = (
            tag in SKIP
            or "cell_input" in cls
            or "headerlink" in cls
            or "caption-number" in cls
            or "source-line" in cls
            or "toggle" in cls
            or "fig-tool" in cls  # a chart's or table's 数据表, downloads and citation: data, not prose
        )
        if "cell_output" in cls:
            self.containers += 1
            self.container_stack.append(self.containers)
        elif tag == "div":
            self.container_stack.append(self.container_stack[-1] if self.container_stack else 0)
        idx = None
        if self.in_article and tag in BLOCKS and not self._skipping() and not skip:
            in_cell = any(t in ("td", "th") for t, _s, _i in self.stack)  # a table cell's own <p>
            self.blocks.append(Block("td" if in_cell else tag, "", [], self._container(), self.section))
            idx = len(self.blocks) - 1
        if tag == "span" and "pasted-text" in cls and self._current() is not None:
            self.glue_start.append(len(self._current().text))
        elif tag == "span":
            self.glue_start.append(-1)
        self.stack.append((tag, skip, idx))

    def _container(self):
        return self.container_stack[-1] if self.container_stack else 0

    def handle_endtag(self, tag):
        if all(t != tag for t, _s, _i in self.stack):  # a stray end tag closes nothing
            return
        while self.stack:
            t, _skip, idx = self.stack.pop()
            if t == "span" and self.glue_start:
                start = self.glue_start.pop()
                cur = self._current() if idx is None else self.blocks[idx]
                if start >= 0 and cur is not None:
                    cur.glued.append((start, len(cur.text)))
            if t == "div" and self.container_stack:
                self.container_stack.pop()
            if t == "article" and self.in_article:
                self.in_article -= 1
            if idx is not None and t in ("h2",):
                self.section = re.sub(r"\s+", "", self.blocks[idx].text)
            if t == tag:
                break

    def handle_data(self, data):
        if not self.in_article or self._skipping():
            return
        cur = self._current()
        if cur is not None:
            cur.text += data


def page_blocks(html: str) -> list[Block]:
    parser = PageText()
    parser.feed(html)
    for b in parser.blocks:
        b.text = b.text.replace("\n", "")
    return [b for b in parser.blocks if b.text.strip()]


def built_pages(site: Path) -> dict[str, list[Block]]:
    pages = [site / "index.html", *sorted((site / "book").rglob("*.html"))]
    return {str(p.relative_to(site)): page_blocks(p.read_text(encoding="utf-8")) for p in pages}


CONCORDANCE = "book/concordance.html"  # the report's own text, passage by passage (its own tests: test_provenance)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；！？])", text) if s.strip()]


# --- the rules --------------------------------------------------------------------------------------

QUOTED = re.compile(r"“([^“”]+)”")


def quote_problems(pages: dict[str, list[Block]]) -> list[str]:
    """Quoted spans that are neither the report's words nor one of the book's own terms."""
    norm = source().norm
    terms = set(load_table("book_terms")["term_zh"])
    problems = []
    for page, blocks in pages.items():
        for b in blocks:
            for m in QUOTED.finditer(b.text):
                words = m.group(1)
                parts = [p for p in re.split(r"……|…", words) if p.strip()]  # an elision keeps each part verbatim
                if words in terms or (parts and all(normalise(p) in norm for p in parts)):
                    continue
                problems.append(
                    f"{page}: “{words}” is not the report's words nor a term of book_terms.csv ({b.text[:60]})"
                )
    return problems


#: A list of a section is counted on that section's pages and on the chapter-wide ones (overview, front page).
FOLDERS = {"2": "book/", "2.1": "2-1-three-fields", "2.2": "2-2-key-fields", "2.3": "2-3-platforms"}
COUNT = r"(\d+|[一二两三四五六七八九十]+)\s*(?:个|项|类|家|组|条|处|段|大|种)?\s*"


def _in_report_quote(sentence: str, start: int, end: int) -> bool:
    """Whether ``sentence[start:end]`` stands inside “…” that quote the report verbatim."""
    return any(q.start() < start and end < q.end() and locate(q.group(1)) for q in re.finditer(r"“([^“”]+)”", sentence))


def open_list_problems(pages: dict[str, list[Block]]) -> list[str]:
    """Counts of a list the report ends in 等, in a sentence that does not say 等."""
    lists = load_table("open_lists")
    city = len(load_table("districts"))  # 全市16个区: the city's districts, a closed list
    problems = []
    for page, blocks in pages.items():
        if page == CONCORDANCE:
            continue
        applies = lists[[FOLDERS[s] in page or "/" not in page.removeprefix("book/") for s in lists["section"]]]
        for b in blocks:
            for s in sentences(b.text):
                if "等" in s:
                    continue
                for _, row in applies.iterrows():
                    for m in re.finditer(COUNT + f"(?:{row['nouns']})", s):
                        if row["id"] == "platforms-districts" and m.group(1) == str(city):
                            continue
                        if _in_report_quote(s, m.start(), m.end()):  # the report's own words, quoted
                            continue
                        problems.append(f"{page}: “{m.group(0)}” counts the open list {row['id']} without 等: {s[:80]}")
    return problems


SUPERLATIVE = re.compile(r"首个|首条|首颗|首家|首台|首艘|首例|首次|首创|首飞|第一|最大|最高|唯一|独创|世界纪录")
SCOPE = ("全球", "国内", "国产", "世界", "中国")


def superlative_problems(pages: dict[str, list[Block]]) -> list[str]:
    """A first or superlative not as the report puts it (changed, upgraded), or dropped before its object."""
    norm = source().norm
    problems = []
    # dropped: the words after each of the report's superlatives, met in the book without it
    objects = {}
    for m in SUPERLATIVE.finditer(norm):
        scope = next((s for s in SCOPE if norm[: m.start()].endswith(s)), "")
        obj = re.match(r"[0-9A-Za-z.]+[^,，、。;；(（“”]{0,3}", norm[m.end() :])
        if obj and len(obj.group(0)) >= 6:
            objects[obj.group(0)] = scope + m.group(0)
    for page, blocks in pages.items():
        if page == CONCORDANCE:
            continue
        for b in blocks:
            text = normalise(b.text)
            for m in SUPERLATIVE.finditer(text):
                scope = next((s for s in SCOPE if text[: m.start()].endswith(s)), "")
                after = text[m.end() : m.end() + 1]
                after = after if re.match(r"[\w.]", after) else ""
                if normalise(scope + m.group(0) + after) not in norm:
                    problems.append(
                        f"{page}: “{scope}{m.group(0)}{after}” is not how the report puts it: {b.text[:80]}"
                    )
            for obj, sup in objects.items() if b.tag in ("p", "li") and not b.container else ():
                for at in (k.start() for k in re.finditer(re.escape(obj), text)):
                    if not text[:at].endswith(sup) and not text[:at].endswith(sup[-2:] + "“"):
                        problems.append(f"{page}: the report's “{sup}” is dropped before “{obj}”: {b.text[:80]}")
    return problems


ABSENCE = re.compile(
    r"报告未说明|未说明|未给出|没有给出|没有说|没有写|未写明|未写出|没有任何|一项也没有|没有正文|没有数字|报告没有|报告未|并未|未提及|不详"
)


def absence_problems(pages: dict[str, list[Block]]) -> list[str]:
    """Statements that the report does not say something which are not sentences of the register.

    In prose a sentence of the register must be glued (it comes from data/not_stated.csv through
    ``glue_not_stated``); in captions, notes and alt texts it must be the register's sentence; a table
    cell may say 报告未说明 alone when its table's caption or note gives the register's sentence.
    """
    claims = load_table("not_stated")
    register = sorted((f"{NOT_STATED}{c}" for c in claims["claim_zh"]), key=len, reverse=True)
    problems = []
    for page, blocks in pages.items():
        if page == CONCORDANCE:
            continue
        by_container: dict[int, str] = {}
        for b in blocks:
            if b.container and b.tag not in ("td", "th"):
                by_container[b.container] = by_container.get(b.container, "") + b.text
        for b in blocks:
            text = b.text
            if b.tag in ("td", "th") and text.strip() == NOT_STATED:
                context = by_container.get(b.container, "")
                if not any(s in context for s in register):
                    problems.append(
                        f"{page}: a cell says {NOT_STATED} with no sentence of the register in its table's note"
                    )
                continue
            covered = []
            for s in register:
                for m in re.finditer(re.escape(s), text):
                    glued = any(a <= m.start() and m.end() <= z for a, z in b.glued)
                    if b.tag in ("p", "li") and not b.container and not glued:
                        problems.append(f"{page}: the register's sentence is typed, not glued: {s}")
                    covered.append((m.start(), m.end()))
            for m in ABSENCE.finditer(text):
                if not any(a <= m.start() < z for a, z in covered):
                    problems.append(
                        f"{page}: a statement of absence not from not_stated.csv: {text[max(0, m.start() - 30) : m.end() + 30]}"
                    )
    return problems


def avoided_phrases() -> list[str]:
    """The README's list of phrases to avoid (between its markers, one a line: ``- 各说各的``)."""
    text = README.read_text(encoding="utf-8")
    part = text.split("<!-- avoid:start -->")[1].split("<!-- avoid:end -->")[0]
    return [m.group(1).strip() for m in re.finditer(r"^\s*- “([^”]+)”", part, flags=re.M)]


def register_problems(pages: dict[str, list[Block]]) -> list[str]:
    """Phrases the house style avoids, and spaces between Chinese and digits or Latin letters."""
    avoid = avoided_phrases()
    cjk = r"[\u4e00-\u9fff]"
    problems = []
    for page, blocks in pages.items():
        for b in blocks:
            problems += [f"{page}: avoid “{p}”: {b.text[:80]}" for p in avoid if p in b.text]
            text = re.sub(r"[图表] \d+(?:-\d+)? ?", "图", b.text)  # "图 2-1" is the numbering's own space
            text = re.sub(r"共 \d+ 行，点击展开", "", text)  # the web edition's control on a long table (web helper's)
            text = re.sub(r"^\d+(?:\.\d+)? ", "", text)  # a section heading's number
            text = re.sub(r"[A-Za-z]+ [\d.]+", "x", text)  # a number inside Latin text (Python 3.11)
            for m in re.finditer(rf"{cjk} +\d|[\d%] +{cjk}", text):
                problems.append(
                    f"{page}: a space between Chinese and a digit or Latin letter: “{m.group(0)}” in {text[:60]}"
                )
    return problems


def internal_names() -> set[str]:
    """Column names and row ids of data/: words a reader should never see."""
    names = set()
    for res in package()["resources"]:
        if "schema" not in res:  # the district boundaries (GeoJSON)
            continue
        names |= {f["name"] for f in res["schema"]["fields"]}
        frame = load_table(res["name"])
        for col in ("id", "indicator_id"):
            if col in frame.columns:
                names |= {v for v in frame[col].dropna().astype(str) if re.search(r"[-_]", v)}
    words_of_report = set(re.findall(r"[A-Za-z][A-Za-z0-9_.-]*", source().text))
    return {n for n in names if n not in words_of_report}


def internal_name_problems(pages: dict[str, list[Block]]) -> list[str]:
    names = internal_names()
    problems = []
    for page, blocks in pages.items():
        if page == CONCORDANCE:  # being rebuilt as a Sphinx directive (issue 18 item 4); its own tests then
            continue
        for b in blocks:
            for m in re.finditer(
                r"(?<![A-Za-z0-9_./-])[A-Za-z][A-Za-z0-9_-]*(?![A-Za-z0-9_-])(?!\.(?:csv|json|geojson|txt))", b.text
            ):
                if m.group(0) in names:
                    problems.append(f"{page}: internal name “{m.group(0)}” shown to readers: {b.text[:80]}")
    return problems


def lead_and_reading_problems(pages: dict[str, list[Block]]) -> list[str]:
    """A page leads with the report (not with 本页/本书); 读法 outside 关于数据 is only the term 本书读法."""
    problems = []
    for page, blocks in pages.items():
        if not page.startswith("book/") or page == CONCORDANCE:
            continue
        lead = next((b for b in blocks if b.tag == "p" and not b.container), None)
        if lead and re.match(r"(本页|本书|本节|本章)", lead.text.strip()):
            problems.append(f"{page}: the lead starts with the book, not the report: {lead.text[:40]}")
        for b in blocks:
            if b.section.startswith("关于数据"):
                continue
            if re.search(r"(?<!本书)读法|本书(?:把|将)[^。]{0,20}理解", b.text):
                problems.append(f"{page}: a reading outside 关于数据 not labelled 本书读法: {b.text[:80]}")
    return problems


RULES = [
    quote_problems,
    open_list_problems,
    superlative_problems,
    absence_problems,
    register_problems,
    internal_name_problems,
    lead_and_reading_problems,
]


# --- the book keeps the rules ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(site) -> dict[str, list[Block]]:
    return built_pages(site)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_built_pages_keep_the_rule(pages, rule):
    problems = rule(pages)
    assert not problems, "\n".join(problems)


SEEDED = {  # a mistake each rule must find, written into a real page
    quote_problems: "<p>报告称之为“高质量创新体系”。</p>",
    open_list_problems: '<p>报告列举了<span class="pasted-text">7个</span>产业集群。</p>',
    superlative_problems: "<p>它是全球第一艘自航的通用型储卸船。</p>",
    absence_problems: "<p>报告未说明电缆的用途。</p>",
    register_problems: "<p>成果中的数字各说各的事，生物医药 3个领域。</p>",
    internal_name_problems: "<p>见 listing 一栏和 kind_quote 一栏。</p>",
    lead_and_reading_problems: "<p>本书把这一数字理解为上海承担部分的份额。</p>",
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_each_rule_finds_a_seeded_mistake(site, rule):
    page = site / "book" / "2-2-key-fields" / "materials.html"
    html = page.read_text(encoding="utf-8")
    article = re.search(r"<article[^>]*bd-article[^>]*>", html).end()
    at = html.index("</h1>", article) + len("</h1>")  # after the page's title: the lead's place
    seeded = html[:at] + SEEDED[rule] + html[at:]
    before = rule({"book/seeded.html": page_blocks(html)})
    after = rule({"book/seeded.html": page_blocks(seeded)})
    assert len(after) > len(before), f"{rule.__name__} missed: {SEEDED[rule]}"


def unmade_claims(pages: dict[str, list[Block]], claims: list[str]) -> list[str]:
    """Register claims (not_stated.csv) that no page but 原文对照 makes: the register lists what the pages say."""
    said = "".join(b.text for page, blocks in pages.items() if page != CONCORDANCE for b in blocks)
    return [c for c in claims if f"{NOT_STATED}{c}" not in said]


def test_every_register_claim_is_made_on_a_page(pages):
    claims = list(load_table("not_stated")["claim_zh"])
    assert unmade_claims(pages, claims) == []
    assert unmade_claims(pages, [*claims, "嫦娥五号的着陆地点"]) == ["嫦娥五号的着陆地点"]


# --- numerals: every numeral of the report classified, the count glued from it ------------------------

NUMERAL = re.compile(r"\d+(?:\.\d+)?|[〇一二两三四五六七八九十百千万亿]+")


def unclassified(data_dir=None) -> list[str]:
    text = source(data_dir).text
    rows = load_table("numerals", data_dir)
    covered = {}
    for _, r in rows.iterrows():
        for a, z in locate(r["source_quote"], data_dir):
            covered.setdefault(r["numeral"], []).append((a, z))
    return [
        f"“{m.group()}” in “{text[max(0, m.start() - 10) : m.end() + 10].strip()}”"
        for m in NUMERAL.finditer(text)
        if not any(a <= m.start() and m.end() <= z for a, z in covered.get(m.group(), []))
    ]


def test_every_numeral_of_the_report_is_classified():
    assert unclassified() == [], "numerals of the report with no row in data/numerals.csv"


def test_the_three_fields_name_stands_where_the_counting_rule_says():
    """The overview's rule leaves “三大领域” uncounted as a name written in the chapter's lead, the 2.1
    title and the 2.1 lead: those three places and no other."""
    from techreport.source import lines

    places = locate("三大领域")
    title, lead = [(a, b) for s, a, b in lines() if s == "2.1"][:2]
    assert len(places) == 3
    assert places[0][1] <= title[0]  # before 2.1: the chapter's lead
    assert title[0] <= places[1][0] < title[1] and lead[0] <= places[2][0] < lead[1]
    assert "章导语、2.1节标题和2.1节导语" in load_table("numerals").set_index("id").loc["name-1", "note"]


def test_a_numeral_left_out_is_named(data_copy):
    path = data_copy / "numerals.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",国际3期" not in line), encoding="utf-8")
    missing = unclassified(data_copy)
    assert len(missing) == 2 and all("3" in m and "国际3期" in m for m in missing), missing


CHINESE = {"一": 1, "两": 2, "三": 3, "八": 8, "百亿": 100}


def test_counted_numerals_are_the_figures_of_indicators():
    numerals = load_table("numerals")
    indicators = load_table("indicators").set_index("id")
    counted = numerals[numerals["kind"].isin(COUNTED)]
    assert counted["indicator_id"].notna().all(), "a counted numeral names no indicator"
    assert numerals.loc[~numerals["kind"].isin(COUNTED), "indicator_id"].isna().all(), (
        "an uncounted numeral has an indicator"
    )
    assert set(counted["indicator_id"]) == set(indicators.index), "every figure of indicators.csv has its numeral"
    for _, r in counted.iterrows():
        value = CHINESE.get(r["numeral"]) or float(r["numeral"])
        assert value == indicators.loc[r["indicator_id"], "value"], (
            f"{r['id']}: {r['numeral']} is not its indicator's value"
        )
    assert figure_count() == len(indicators)


def test_the_overview_glues_the_count_from_the_numerals(pages):
    lead = next(b for b in pages["book/overview.html"] if "个数字" in b.text and b.glued)
    glued = [lead.text[a:z] for a, z in lead.glued]
    assert f"{figure_count()}个" in glued or str(figure_count()) in glued, glued


# --- the PDF edition: the same words, as pdftotext reads them ----------------------------------------


@pytest.fixture(scope="module")
def pdf_text(built_repo) -> str:
    """The PDF's text up to the back matter (原文对照 prints the report itself), whitespace removed:
    CJK lines wrap anywhere and pdftotext adds spaces. Built by the project's own build in the copy."""
    import shutil
    import subprocess

    from helpers import build_book

    from bookbuild.pdf import PDF

    if shutil.which("pdftotext") is None or shutil.which("xelatex") is None:
        pytest.fail("the PDF checks need xelatex and pdftotext: run tools/install-tex.sh")
    build_book("pdf", built_repo)
    pdf = built_repo / "_build" / "pdf" / PDF
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = text[: re.search(r"^\f?原文对照$", text, flags=re.M).start()]  # the back matter's own heading line
    return re.sub(r"[\s\u00ad]+", "", "\n".join(map(_without_furniture, text.split("\f"))))


def _without_furniture(page: str) -> str:
    """A page's text without its running head (第2章…) and its folio, which pdftotext puts between
    the words a page break parts ("公" 30 第2章… "里级")."""
    lines = [line for line in page.splitlines() if line.strip()]
    if lines and re.fullmatch(r"\d+|[ivxlc]+", lines[-1].strip()):
        lines.pop()
    if lines and re.match(r"第\s*2\s*章", lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def pdf_problems(text: str) -> list[str]:
    """The rules that survive pdftotext: quotes, phrases to avoid, typed absences, internal names."""
    norm = source().norm
    terms = set(load_table("book_terms")["term_zh"])
    claims = load_table("not_stated")
    register = sorted((f"{NOT_STATED}{c}" for c in claims["claim_zh"]), key=len, reverse=True)
    problems = []
    for m in QUOTED.finditer(text):
        words = m.group(1)
        parts = [p for p in re.split(r"……|…", words) if p]
        if words not in terms and not all(normalise(p).replace("-", "") in norm.replace("-", "") for p in parts):
            problems.append(f"PDF: “{words}” is not the report's words nor a term of book_terms.csv")
    problems += [f"PDF: avoid “{p}”" for p in avoided_phrases() if p in text]
    # A table cell may say 报告未说明 alone (its table's note gives the sentence: checked on the web, where
    # cells are cells); in the PDF's text cells run together, so the bare term is left to the web check and
    # every other statement of absence must be a sentence of the register.
    masked = normalise(text)  # as the register's sentences are compared: brackets and commas folded
    for s in register:
        masked = masked.replace(normalise(s), "")
    masked = masked.replace(NOT_STATED, "")
    for m in ABSENCE.finditer(masked):
        problems.append(
            f"PDF: a statement of absence not from not_stated.csv: {masked[max(0, m.start() - 30) : m.end() + 20]}"
        )
    names = internal_names()
    for m in re.finditer(
        r"(?<![A-Za-z0-9_./-])[A-Za-z][A-Za-z0-9_]*(?:[_-][A-Za-z0-9]+)+(?![A-Za-z0-9_-])(?!\.(?:csv|json))", text
    ):
        if m.group(0) in names:
            problems.append(f"PDF: internal name “{m.group(0)}”")
    return problems


def test_the_pdf_keeps_the_rules(pdf_text):
    problems = pdf_problems(pdf_text)
    assert not problems, "\n".join(problems)


def test_the_pdf_rules_find_seeded_mistakes(pdf_text):
    before = len(pdf_problems(pdf_text))
    for seeded in ("报告称之为“高质量创新体系”。", "各说各的事", "电缆的用途报告没有给出。", "见kind_quote一栏"):
        assert len(pdf_problems(pdf_text + seeded)) > before, seeded
