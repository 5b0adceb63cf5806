"""原文对照 as a reader uses it: every link leads to a block that shows the passage, on the web and in the PDF.

The page is built by Sphinx from what each figure and table records that it shows
(bookbuild/sphinx/concordance.py). These tests read the built pages, not that record: a link is
right when the block it leads to holds the words, and a PDF page reference is right when the
label lands on that page of the PDF.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from helpers import build_book

from bookbuild import build
from techreport.source import PUNCTUATION, normalise

ROOT = Path(__file__).resolve().parent.parent
PAGE = Path("book") / "concordance.html"
LABELLED = re.compile(r'<(?:figure|table|div)[^>]*\bid="((?:fig|tbl)-[^"]+)"')


def _text(fragment: str) -> str:
    """Visible words of an HTML fragment, compared as the report's words are (punctuation aside)."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return "".join(ch for ch in normalise(plain) if ch not in PUNCTUATION)


def _covered(words: str, text: str) -> bool:
    """``words`` made up of runs found in ``text`` (a passage may be shown as two adjacent quotes)."""
    while words:
        n = len(words)
        while n and words[:n] not in text:
            n -= 1
        if n < min(2, len(words)):
            return False
        words = words[n:]
    return True


def links(page: str) -> list[tuple[str, str]]:
    """(words, href) for every link of 原文对照: a bold passage and each 〔…〕 reference after it."""
    out = []
    for m in re.finditer(r"<strong>(.*?)</strong>〔(.*?)〕", page, flags=re.S):
        for href in re.findall(r'href="([^"]+)"', m.group(2)):
            out.append((m.group(1), html.unescape(href)))
    return out


def block(site: Path, href: str, here: Path) -> str:
    """The HTML of what a link leads to: a figure or table up to the next labelled block, or a page's headings."""
    path, _, anchor = href.partition("#")
    page = (here.parent / path).resolve().read_text(encoding="utf-8") if path else here.read_text(encoding="utf-8")
    main = page[page.index("<main") : page.index("</main>")]
    if anchor.startswith("shown-"):  # a statement in the prose: the glued words pasted at the anchor
        pasted = re.search(rf'id="{re.escape(anchor)}"></span><span class="pasted-text">(.*?)</span>', main, re.S)
        assert pasted, f"{href}: no statement with that anchor"
        return pasted.group(1)
    if not anchor or not re.match(r"(fig|tbl)-", anchor):
        return "".join(re.findall(r"<h[1-6][^>]*>.*?</h[1-6]>", main, flags=re.S))
    start = re.search(rf'\bid="{re.escape(anchor)}"', main)
    assert start, f"{href}: no element with that id"
    following = [m.start() for m in LABELLED.finditer(main, start.end()) if m.group(1) != anchor]
    return main[start.start() : following[0] if following else len(main)]


def _figures(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def link_problems(site: Path, page_html: str) -> list[str]:
    here = site / PAGE
    problems = []
    for words, href in links(page_html):
        fragment = block(site, href, here)
        shown = _text(fragment)
        if "#shown-" in href and not fragment.startswith("“"):
            # a glued figure in the prose ("超过2000名"): it states the passage's numbers, not its words
            if not _figures(shown) or not set(_figures(shown)) <= set(_figures(_text(words))):
                problems.append(f"“{_text(words)}” links to {href}, whose figure {shown} it does not state")
            continue
        if not _covered(_text(words), shown):
            problems.append(f"“{_text(words)}” links to {href}, which does not show it")
    return problems


def test_every_link_leads_to_a_block_that_shows_its_passage(site):
    page = (site / PAGE).read_text(encoding="utf-8")
    found = links(page)
    assert len(found) > 300
    assert link_problems(site, page) == []


def test_a_link_to_the_wrong_block_is_named(site):
    page = (site / PAGE).read_text(encoding="utf-8")
    href = next(h for w, h in links(page) if "#fig-" in h and "锗基" in w)
    wrong = page.replace(href, href.split("#")[0].replace("materials", "marine") + "#fig-marine-deliveries", 1)
    problems = link_problems(site, wrong)
    assert len(problems) == 1 and "锗基" in problems[0] and "fig-marine-deliveries" in problems[0]


def test_the_page_has_contents_by_section(site):
    page = (site / PAGE).read_text(encoding="utf-8")
    toc = page[page.index('id="pst-page-navigation-heading') :]
    toc = toc[: toc.index("</nav>")]
    for section in ("第2章导语", "2.1节原文", "2.2节原文", "2.3节原文"):
        assert section in html.unescape(re.sub(r"<[^>]+>", "", toc)), section


# --- the PDF -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(built_repo):
    build_book("pdf", built_repo)
    stage = built_repo / build.TARGETS["pdf"]["stage"].relative_to(ROOT) / build.TARGETS["pdf"]["built"]
    pdf = built_repo / "_build" / "pdf" / "book.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return {
        "tex": (stage / "book.tex").read_text(encoding="utf-8"),
        "aux": (stage / "book.aux").read_text(encoding="utf-8"),
        "pages": pages.stdout.split("\f"),
    }


def labels(aux: str) -> dict[str, tuple[str, int]]:
    """{label: (number, page)} from LaTeX's .aux (hyperref's five-part \\newlabel)."""
    found = {}
    for m in re.finditer(r"\\newlabel\{([^{}]+)\}\{\{((?:[^{}]|\{[^{}]*\})*)\}\{(\d+)\}", aux):
        number = re.sub(r"\\mbox|[{}\s]", "", m.group(2))  # \mbox {2-2} -> 2-2
        found[m.group(1)] = (number, int(m.group(3)))
    return found


def folios(pages: list[str]) -> dict[str, str]:
    """{printed page number: that page's text}: the .aux counts printed pages (the front matter is roman)."""
    found = {}
    for text in pages:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and re.fullmatch(r"\d+|[ivxlc]+", lines[-1]):
            found[lines[-1]] = text
    return found


def cited(tex: str) -> list[str]:
    """Every label 原文对照 asks LaTeX the page of (``\\trpages{a,b}``: each page once, in order)."""
    return [key for keys in re.findall(r"\\trpages\{([^{}]+)\}", tex) for key in keys.split(",")]


def pageref_problems(tex: str, aux: str, pages: list[str]) -> list[str]:
    """Every \\pageref of 原文对照 names a label LaTeX placed, on the page where that figure's or table's caption
    is, or where the statement it marks begins."""
    placed = labels(aux)
    printed = folios(pages)
    problems = []
    refs = cited(tex)
    for label in dict.fromkeys(refs):
        if label not in placed:
            problems.append(f"{label}: no such label in the .aux")
            continue
        number, page = placed[label]
        if ":shown-" in label:  # a statement in the prose: its first words are on that page
            after = re.search(r"\\label\{\\detokenize\{" + re.escape(label) + r"\}\}(.{0,400})", tex, re.S)
            lead = re.findall(r"[\u4e00-\u9fff]", re.sub(r"\\[a-zA-Z]+", "", after.group(1) if after else ""))[:6]
            if not lead or "".join(lead) not in "".join(re.findall(r"[\u4e00-\u9fff]", printed.get(str(page), ""))):
                problems.append(f"{label}: the .aux puts it on page {page}, whose text lacks “{''.join(lead)}”")
            continue
        if label.endswith("::doc") or not number:
            continue
        kind = "图" if ":fig-" in label else "表"
        caption = re.compile(rf"{kind}\s*{re.escape(number)}(?![\d-])")
        if not caption.search(printed.get(str(page), "")):
            problems.append(f"{label} ({kind} {number}): the .aux puts it on page {page}, whose text lacks its caption")
    return problems


def test_every_page_reference_is_the_page_its_label_lands_on(pdf):
    assert len(cited(pdf["tex"])) > 300
    assert pageref_problems(pdf["tex"], pdf["aux"], pdf["pages"]) == []


def test_a_page_reference_to_the_wrong_page_is_named(pdf):
    refs = set(cited(pdf["tex"]))
    label, (_, page) = next((k, v) for k, v in labels(pdf["aux"]).items() if k in refs and ":fig-" in k)
    label_at = re.compile(r"(\\newlabel\{" + re.escape(label) + r"\}\{\{(?:[^{}]|\{[^{}]*\})*\}\{)(\d+)")
    wrong = label_at.sub(lambda m: m.group(1) + str(page + 2), pdf["aux"], count=1)
    assert wrong != pdf["aux"]
    problems = pageref_problems(pdf["tex"], wrong, pdf["pages"])
    assert any(label in p and f"page {page + 2}" in p for p in problems), problems


def page_list_problems(pages: list[str]) -> list[str]:
    """Each 〔见第…页〕 of 原文对照 names each page once, in increasing order."""
    problems = []
    for found in re.findall(r"〔见第([^〕]*?)页〕", re.sub(r"\s+", "", "".join(pages))):
        numbers = [int(n) for n in found.split("、") if n.isdigit()]
        if numbers != sorted(set(numbers)) or len(numbers) != len(found.split("、")):
            problems.append(f"〔见第{found}页〕")
    return problems


def test_each_page_list_names_a_page_once_in_order(pdf):
    assert re.search(r"〔见第\d", re.sub(r"\s+", "", "".join(pdf["pages"])))
    assert page_list_problems(pdf["pages"]) == []
    assert page_list_problems(["〔见第13、13、15页〕", "〔见第21、20页〕"]) == [
        "〔见第13、13、15页〕",
        "〔见第21、20页〕",
    ]
