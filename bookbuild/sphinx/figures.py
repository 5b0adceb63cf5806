"""Charts a phone can read, and open full size on a tap.

Every figure is drawn twice by the notebook (``techreport.present.show_figure``): the wide
SVG that ``glue:figure`` places (desktop web and PDF) and a narrow one, drawn for a 336 px
screen with fonts of at least 11 CSS px there, stored in the visible output's HTML. On each
HTML page this module writes the narrow SVG to ``_images/`` and turns the figure's ``<img>``
into::

    <a class="figure-full" href="WIDE.svg"><picture>
      <source media="(max-width: 40em)" srcset="NARROW.svg" width=.. height=..>
      <img src="WIDE.svg" ...></picture></a>

so a phone loads only the narrow chart, any screen loads only one of the two, and a tap or
click opens the wide chart on its own (the browser zooms it). No script, no extra request.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

#: Screens up to this width get the narrow figure (a phone held upright, about 360-480 px).
NARROW_MEDIA = "(max-width: 40em)"


def _phone_svgs(app, pagename: str) -> dict[str, str]:
    from techreport.present import phone_svgs

    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".ipynb" or not source.exists():
        return {}
    return phone_svgs(json.loads(source.read_text(encoding="utf-8")))


def _picture(app, pagename: str, body: str) -> str:
    from sphinx.util.images import get_image_size

    phones = _phone_svgs(app, pagename)
    if not phones:
        return body
    images = Path(app.outdir) / "_images"
    images.mkdir(parents=True, exist_ok=True)
    depth = "../" * pagename.count("/")

    def wrap(match):
        figure, img = match.group(1), match.group(2)
        name = re.search(r'id="([^"]+)"', figure).group(1)
        svg = phones.get(name)
        src = re.search(r'src="([^"]+)"', img)
        if svg is None or src is None:
            return match.group(0)
        svg = re.sub(r' role="img" aria-label="[^"]*"', "", svg, count=1)
        data = ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + svg).encode("utf-8")
        file = f"{name}-phone-{hashlib.sha256(data).hexdigest()[:12]}.svg"
        if not (images / file).exists():
            (images / file).write_bytes(data)
        size = get_image_size(str(images / file))  # CSS px, as web.py sizes the wide <img>
        dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
        source = f'<source media="{NARROW_MEDIA}" srcset="{depth}_images/{file}"{dims} />'
        return (
            f'{figure}<a class="figure-full" href="{src.group(1)}" title="打开原图">'
            f"<picture>{source}{img}</picture></a>"
        )

    return re.sub(r'(<figure\b[^>]*\bid="fig-[^"]+"[^>]*>\s*)(<img\b[^>]*>)', wrap, body)


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html" or not context.get("body"):
        return
    context["body"] = _picture(app, pagename, context["body"])


def setup(app) -> None:
    app.connect("html-page-context", _page_context, priority=950)  # after web.py's lazy images (900)
