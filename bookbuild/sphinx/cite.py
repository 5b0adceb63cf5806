"""Citing the book: one record (``CITATION.cff``), three forms.

* :func:`book` - the book's title, authors, version, date and licence, read from CITATION.cff
  at the repository's root (the file GitHub and Zenodo read), so a new version or author is
  one edit;
* :func:`gbt7714` and :func:`bibtex` - a figure's or table's citation, as Chinese journals ask
  (GB/T 7714-2015, electronic resource ``[EB/OL]``) and as LaTeX users paste it;
* :func:`meta_tags` - Highwire Press ``citation_*`` tags (read by Google Scholar and
  reference managers such as Zotero) and Open Graph ``og:*`` tags (the card a shared link
  shows) for every page.

The citation date ``[引用日期]`` is the reader's: the page writes the release date and
tools/web/static/web/reader.js puts today's date in its place; it also writes the permalink
in full from the page's own address when CITATION.cff gives no ``url``.
"""

from __future__ import annotations

import functools
import re
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITATION = ROOT / "CITATION.cff"


@functools.cache
def _read(path: Path, stamp: tuple) -> dict:
    import yaml

    try:
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise RuntimeError(f"{path.name}: cannot read it ({err}); the web edition's citations come from it") from err
    missing = [k for k in ("title", "authors", "version", "date-released") if not record.get(k)]
    if missing:
        raise RuntimeError(f"{path.name}: no {', '.join(missing)}; every citation of the book needs them")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(record["date-released"])):
        raise RuntimeError(f"{path.name}: date-released {record['date-released']!r}: write it as 2026-12-03")
    return record


def book(path: Path = CITATION) -> dict:
    """CITATION.cff as a dict (read again when the file changes)."""
    stat = path.stat()
    return _read(path, (stat.st_mtime_ns, stat.st_size))


def authors(record: dict) -> list[str]:
    """The authors' names: a person's ``family-names``+``given-names`` (Chinese order), or an entity's ``name``."""
    names = []
    for a in record["authors"]:
        person = (str(a.get("family-names", "")) + str(a.get("given-names", ""))).strip()
        names.append(person or str(a.get("name", "")).strip())
    return [n for n in names if n]


def base_url(record: dict) -> str:
    """The published site's address (CITATION.cff ``url``), ending in /, or "" when not known."""
    url = str(record.get("url") or "").strip()
    return url if not url or url.endswith("/") else url + "/"


def permalink(record: dict, page_url: str, anchor: str = "") -> str:
    """``page_url`` (relative to the site's root) made absolute when the site's address is known."""
    return base_url(record) + page_url + (f"#{anchor}" if anchor else "")


def item_title(number: str, caption: str) -> str:
    """ "图 2-5 全年…" from a number and a caption (the caption's data links and final 。 dropped)."""
    caption = re.sub(r"数据[：:].*$", "", caption.strip(), flags=re.S).strip().rstrip("。")
    return f"{number} {caption}".strip()


def gbt7714(record: dict, title: str, url: str, accessed: str | None = None) -> str:
    """GB/T 7714-2015 for part of an online book: 责任者. 书名: 题名[EB/OL]. 版本. (更新日期)[引用日期]. URL."""
    who = ", ".join(authors(record))
    accessed = accessed or str(record["date-released"])
    return (
        f"{who}. {record['title']}: {title}[EB/OL]. {record['version']}版. "
        f"({record['date-released']})[{accessed}]. {url}."
    )


def bibtex_key(label: str) -> str:
    return "techreport2020ch2-" + re.sub(r"[^A-Za-z0-9-]+", "-", label).strip("-")


def bibtex(record: dict, label: str, title: str, url: str, accessed: str | None = None) -> str:
    """A BibTeX ``@misc`` entry (biblatex reads ``urldate`` and ``version``)."""

    def braced(text: str) -> str:
        return re.sub(r"([{}\\%&#_$])", r"\\\1", text)

    who = " and ".join("{" + braced(a) + "}" for a in authors(record))
    fields = [
        ("author", who),
        ("title", "{" + braced(title) + "}"),
        ("booktitle", braced(record["title"])),
        ("year", str(record["date-released"])[:4]),
        ("version", braced(str(record["version"]))),
        ("url", url),
        ("urldate", accessed or str(record["date-released"])),
        ("note", "数据来源：" + braced(_source_note(record))),
    ]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@misc{{{bibtex_key(label)},\n{body}\n}}"


def _source_note(record: dict) -> str:
    for ref in record.get("references", []):
        who = ", ".join(authors(ref)) if ref.get("authors") else ""
        return f"《{ref['title']}》{ref.get('section', '').split(' ')[0]}" + (f"，{who}" if who else "")
    return ""


def meta_tags(
    record: dict,
    *,
    title: str,
    description: str,
    page_url: str,
    image: tuple[str, tuple[int, int], str] | None,
    pdf_url: str | None,
    book_title: str,
    is_root: bool,
) -> str:
    """Highwire ``citation_*`` and Open Graph ``og:*`` meta tags for one page.

    ``page_url`` and the URLs in ``image`` (url, (width, height), alt) and ``pdf_url`` are
    relative to the site's root; they are made absolute when CITATION.cff gives the address.
    """
    base = base_url(record)
    date = str(record["date-released"])

    def url(path: str) -> str:  # absolute when the site's address is known, else relative to this page
        return base + path if base else "../" * page_url.count("/") + path

    tags: list[tuple[str, str, str]] = [("name", "citation_title", title)]
    tags += [("name", "citation_author", a) for a in authors(record)]
    tags += [
        ("name", "citation_publication_date", date.replace("-", "/")),
        ("name", "citation_online_date", date.replace("-", "/")),
        ("name", "citation_language", "zh"),
    ]
    if not is_root:
        tags.append(("name", "citation_inbook_title", book_title))
    if base:
        tags.append(("name", "citation_public_url", base + page_url))
    if pdf_url:
        tags.append(("name", "citation_pdf_url", url(pdf_url)))
    tags += [
        ("property", "og:type", "book" if is_root else "article"),
        ("property", "og:site_name", book_title),
        ("property", "og:locale", "zh_CN"),
        ("property", "og:title", title),
        ("property", "og:description", description),
    ]
    if base:
        tags.append(("property", "og:url", base + page_url))
    if image:
        src, (width, height), alt = image
        tags += [
            ("property", "og:image", url(src)),
            ("property", "og:image:type", "image/png"),
            ("property", "og:image:width", str(width)),
            ("property", "og:image:height", str(height)),
            ("property", "og:image:alt", alt),
            ("name", "twitter:card", "summary_large_image"),
        ]
    return "".join(f'\n<meta {attr}="{key}" content="{escape(value)}" />' for attr, key, value in tags)
