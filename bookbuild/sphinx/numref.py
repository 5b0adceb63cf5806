"""``{numref}`` without unpickling the target page's doctree once per reference.

Sphinx's standard domain resolves each ``{numref}`` by loading the whole doctree of the page
that holds the target (``env.get_doctree``: an unpickling, 30-40 ms for a page of this book)
to learn whether the label is a figure, a table or a section. A page with eight references to
its own figures and tables paid that eight times each time it was written: about a quarter
of a second of the preview's build of one page.

Here the standard domain (whichever class is registered for ``std``) is given a subclass whose
numref resolution sees a read-only doctree per page version: the first lookup unpickles it, the
next ones reuse it while the environment holds the same pickled bytes for the page (Sphinx
replaces them when it reads the page again). The lookup only reads the target node's ids and
type, so sharing the tree is safe; everything else is Sphinx's own code.
"""

from __future__ import annotations

import threading

_LOCAL = threading.local()


def _doctree(env, docname: str):
    """The page's doctree for reading, unpickled once per version of its pickled bytes."""
    pickled = getattr(env, "_pickled_doctree_cache", {}).get(docname)
    cache = _LOCAL.__dict__.setdefault("trees", {})
    hit = cache.get(docname)
    if pickled is not None and hit is not None and hit[0] is pickled:
        return hit[1]
    tree = type(env).get_doctree(env, docname)
    pickled = getattr(env, "_pickled_doctree_cache", {}).get(docname)
    if pickled is not None:  # the bytes are kept with the tree: their identity is the version
        cache[docname] = (pickled, tree)
    return tree


class _Env:
    """The environment as the numref lookup sees it: every attribute its own, but ``get_doctree``."""

    def __init__(self, env):
        object.__setattr__(self, "_env", env)

    def __getattr__(self, name):
        return getattr(self._env, name)

    def get_doctree(self, docname: str):
        return _doctree(self._env, docname)


def setup(app) -> None:
    base = app.registry.domains["std"]

    class StandardDomain(base):
        def _resolve_numref_xref(self, env, fromdocname, builder, typ, target, node, contnode):
            return super()._resolve_numref_xref(_Env(env), fromdocname, builder, typ, target, node, contnode)

    StandardDomain.__name__ = base.__name__
    StandardDomain.__qualname__ = base.__qualname__
    app.add_domain(StandardDomain, override=True)
