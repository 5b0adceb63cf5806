"""The report's numbering: chapter 2 of a larger report, so its sections are 2.1-2.3.

Sphinx numbers toctrees from 1; ``secnumber_offset`` (set to 1 in _config.yml) shifts the
top level, and figure/table numbers follow (图 2.1.3). Jupyter Book registers
sphinx-external-toc's collector, which renumbers after Sphinx: its
``assign_section_numbers`` is wrapped here (see tests/test_versions.py for the version
this was written against).
"""

from __future__ import annotations

def _shift(numbers: dict, by: int) -> None:
    for doc in numbers.values():
        for anchor, secnum in doc.items():
            if secnum:
                doc[anchor] = type(secnum)([secnum[0] + by, *secnum[1:]])


def _offset_numbering(assign):
    """Wrap a collector's ``assign_section_numbers``: its numbering, top level shifted."""

    def assign_section_numbers(self, env):
        # sphinx-external-toc's collector counts chapters in attributes that only __init__
        # zeroes, so a second build in the same application (the preview) would number from
        # where the first stopped (2 -> 3): start them at 0 as a new application does.
        for style in ("numerical", "romanupper", "romanlower", "alphaupper", "alphalower"):
            if hasattr(self, f"_TocTreeCollectorWithStyles__{style}_count"):
                setattr(self, f"_TocTreeCollectorWithStyles__{style}_count", 0)
        offset = env.config.secnumber_offset
        _shift(env.toc_secnumbers, -offset)  # compare like with like against the last build
        rewrite = assign(self, env)
        _shift(env.toc_secnumbers, offset)
        for docname, numbers in env.toc_secnumbers.items():
            if numbers.get(""):
                env.titles[docname]["secnumber"] = list(numbers[""])
            for ref in env.tocs[docname].findall(lambda n: "secnumber" in getattr(n, "attributes", {})):
                anchor = ref.get("anchorname", "")
                if numbers.get(anchor):  # None: a page or heading below the numbered depth
                    ref["secnumber"] = list(numbers[anchor])
        return rewrite

    return assign_section_numbers



def setup(app) -> None:
    app.add_config_value("secnumber_offset", 0, "env")
    from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as collector

    if not getattr(collector.assign_section_numbers, "offset", False):
        collector.assign_section_numbers = _offset_numbering(collector.assign_section_numbers)
        collector.assign_section_numbers.offset = True
