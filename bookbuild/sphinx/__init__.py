"""The book's Sphinx extension (``bookbuild.sphinx`` in _config.yml), one module a job.

* :mod:`.numbering` - the report's numbering (2, 2.1-2.3; figures and tables 图 2-1 through the chapter);
  :mod:`.numref` - ``{numref}`` resolved without unpickling the target page once per reference;
* :mod:`.search` - Chinese search terms kept whole (a jieba user dictionary from the data);
* :mod:`.web` - the light, self-contained web edition (asset trimming, descriptions, icons);
* :mod:`.latex` - the PDF edition (no code, the front matter chapter);
* :mod:`.svgpdf` - the PDF edition's charts, made vector PDFs from the SVGs the notebooks store;
* :mod:`.figures` - phone-width charts by ``<picture>``, a viewer on a tap, and under every chart and
  table its numbers, downloads and citation; :mod:`.cite` (CITATION.cff, GB/T 7714, BibTeX, the
  ``citation_*`` and ``og:`` meta tags) and :mod:`.downloads` (PNG, CSV, the data package, runnable notebooks);
* :mod:`.datafiles` - the links to data/*.csv, published by the build without making a page depend
  on a whole CSV (a page depends on the rows its 数据表 show, :mod:`.figures`);
* :mod:`.concordance` - what each page shows of the report, and 原文对照 built from that record.
* :mod:`.imprint` - the version and build date on the front page and the PDF's title page.
"""

from __future__ import annotations

from . import concordance, datafiles, figures, imprint, latex, numbering, numref, search, svgpdf, web


def setup(app):
    for module in (numbering, numref, search, latex, svgpdf, web, datafiles, figures, imprint, concordance):
        module.setup(app)
    # env_version: raise it when what the environment keeps changes (numbering's page
    # outlines, the data links and 数据表 rows): Sphinx then re-reads every page instead of
    # using an environment without it.
    return {"env_version": 6, "parallel_read_safe": True, "parallel_write_safe": True}
