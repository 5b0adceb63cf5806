"""The PDF edition (LaTeX builder only): no code cells (the web keeps its collapsible code),
and the front page becomes an unnumbered "关于本书" chapter after the contents.
"""

from __future__ import annotations


def _latex_builder_inited(app):
    """LaTeX only: readers of the PDF see text, tables and figures, never code."""
    if app.builder.format == "latex":
        # Read by myst-nb's own builder-inited handler (priority 500), which runs after this.
        app.config.nb_remove_code_source = True


def _latex_front_matter(app, env):
    """LaTeX only: the root page's title as an unnumbered chapter opening the front matter.

    sphinx-jupyterbook-latex inlines the root page after the contents but drops its H1;
    this puts it back (in the contents and the running head too).
    """
    if app.builder.format != "latex" or env.config.root_doc not in env.titles:
        return
    from sphinx.util.texescape import escape

    title = escape(env.titles[env.config.root_doc].astext())
    toc = app.builder.context.get("tableofcontents", r"\sphinxtableofcontents")
    if r"\chapter*" not in toc:
        app.builder.context["tableofcontents"] = (
            f"{toc}\n\\chapter*{{{title}}}\\addcontentsline{{toc}}{{chapter}}{{{title}}}"
            f"\\markboth{{{title}}}{{{title}}}\n"
        )



def setup(app) -> None:
    app.connect("builder-inited", _latex_builder_inited, priority=400)
    app.connect("env-updated", _latex_front_matter)
