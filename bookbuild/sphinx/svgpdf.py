"""The PDF edition's charts: each figure's stored SVG made a vector PDF at PDF time.

A notebook stores each chart as SVG only (``techreport.present.show_figure``; its text is text,
``svg.fonttype: none``). The LaTeX builder takes PDF, not SVG, so this image converter (Sphinx's
own extension point for it, ``ImageConverter``) draws every SVG the LaTeX builder meets into a
PDF with typst's svg2pdf (the ``svg2pdf-py`` wheel: no system library). It is given the font
files matplotlib drew the chart with and no others (Noto Sans CJK from ``noto-cjk-sans-otc``,
``techreport.style.font_path``, and matplotlib's own DejaVu Sans, its fallback), so the glyphs
are those of the chart, its text stays text (searchable, copyable), and each PDF embeds only the
glyphs it uses. ``tests/test_pdf_figures.py`` checks the result page by page.

rsvg-convert (librsvg, through sphinxcontrib-svg2pdfconverter) drew the same PDFs, but cairo
embedded about 0.9 MB of the CJK font in four of the charts (4.4 MB for the 13 charts, against
0.47 MB here), which made the book 5.4 MB.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import matplotlib
import svg2pdf_py
from sphinx.transforms.post_transforms.images import ImageConverter

from techreport.style import font_path

#: The root element's size as matplotlib writes it, in points. svg2pdf reads a point as 4/3 px
#: and writes a px as a point: given unitless numbers (user units, the viewBox's), the PDF page
#: is the chart's own size in points.
_SIZE = re.compile(r'(<svg\b[^>]*?\bwidth=")([\d.]+)pt("[^>]*?\bheight=")([\d.]+)pt"')


@functools.cache
def fonts() -> svg2pdf_py.FontDatabase:
    """The font files matplotlib draws the charts with (``techreport.style.setup``)."""
    database = svg2pdf_py.FontDatabase()
    database.load_font_file(str(font_path()))
    database.load_font_file(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))
    return database


def svg_to_pdf(svg: str) -> bytes:
    """A chart's SVG as a one-page vector PDF of the same size, its text as text."""
    svg = _SIZE.sub(r'\g<1>\g<2>\g<3>\g<4>"', svg, count=1)
    return bytes(svg2pdf_py.svg_to_pdf(svg, fonts(), svg2pdf_py.ConversionOptions(embed_text=True)))


class SvgToPdf(ImageConverter):
    """SVG -> PDF for builders that cannot take SVG (LaTeX); the HTML builder never calls it."""

    conversion_rules = [("image/svg+xml", "application/pdf")]  # noqa: RUF012 (Sphinx's class attribute)

    def is_available(self) -> bool:
        return True

    def convert(self, _from: str, _to: str) -> bool:
        Path(_to).write_bytes(svg_to_pdf(Path(_from).read_text(encoding="utf-8")))
        return True


def setup(app) -> None:
    app.add_post_transform(SvgToPdf)
