"""Jupyter Book's HTML build as a Sphinx application in this process, started early and reused.

Configured as ``jupyter-book build --builder html --warningiserror --nitpick --keep-going``
would configure it (``jupyter_book.config.get_final_config``, then the multitoc numbering
extension when a part is numbered, as ``jupyter_book.sphinx.build_sphinx`` does). Warnings
are errors: a build that wrote any warning fails, counted from the warning stream this module
gives Sphinx, not from Sphinx's private counters.

A failed build leaves Sphinx's environment in place. The pages a warning named are read
again at the next build (``env-get-outdated``), so the warning comes back until it is fixed,
and the next good build is incremental rather than a full rebuild.

The preview can build some pages first (``build(only=...)``: the pages open in a browser tab,
as soon as their notebooks are done): Sphinx then reads and writes those pages (and the front
page and the parents whose contents list them, which it always writes) and leaves every other
out-of-date page, 原文对照 among them, to the next build, which reads them.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from .errors import BuildError, for_stream, plain
from .sources import ROOT

# "path/to/page.ipynb:12: WARNING: ..." (Sphinx's warning lines; the line number is optional)
WARNING_AT = re.compile(r"^(?P<path>[^\s:][^:\n]*?)(?::\d+)?(?::<[^>]*>)?: (?:WARNING|ERROR|CRITICAL|SEVERE)", re.M)


class Tee(io.TextIOBase):
    """Sphinx's warning stream: shown on stderr (colour only on a terminal) and kept for the error message."""

    def __init__(self):
        self.text = io.StringIO()

    def write(self, text: str) -> int:
        text = text.replace(str(ROOT) + "/", "")  # paths as a person types them, from the repository
        sys.stderr.write(for_stream(text))
        return self.text.write(plain(text))

    def take(self) -> str:
        value = self.text.getvalue()
        self.text = io.StringIO()
        return value


class HtmlSphinx:
    """The HTML builder, created in a background thread (imports, extensions, the pickled
    environment, jieba's dictionary: about 3 s) so that this overlaps the notebooks'
    execution; it can build again and again (the preview keeps one).

    ``recheck``: pages to read again at the first build (those a failed build warned about).
    """

    def __init__(self, stage: Path, recheck: list[str] | None = None):
        self.stage = stage
        self.warnings = Tee()
        self.recheck = set(recheck or [])
        self.only: set[str] | None = None  # a build of these pages only (the preview's open pages)
        self.deferred: set[str] = set()  # out-of-date pages such a build left for the next one
        self._stack = contextlib.ExitStack()
        self._app = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._create, name="sphinx-start", daemon=True)
        self._thread.start()

    def _create(self) -> None:
        try:
            import yaml
            from jupyter_book.config import get_final_config
            from sphinx.application import Sphinx
            from sphinx.util import console
            from sphinx.util.docutils import docutils_namespace, patch_docutils

            if not sys.stderr.isatty():
                console.nocolor()  # as sphinx-build does: no colour codes in a log file
            config, _ = get_final_config(
                user_yaml=ROOT / "_config.yml",
                sourcedir=ROOT,
                use_external_toc=True,
                cli_config={
                    "external_toc_path": (ROOT / "_toc.yml").as_posix(),
                    "latex_individualpages": False,
                    "nitpicky": True,
                },
            )
            self._stack.enter_context(patch_docutils(str(ROOT)))
            self._stack.enter_context(docutils_namespace())
            out = self.stage / "_build"
            app = Sphinx(
                srcdir=str(ROOT),
                confdir=None,
                outdir=str(out / "html"),
                doctreedir=str(out / ".doctrees"),
                buildername="html",
                confoverrides=config,
                status=None,
                warning=self.warnings,
                freshenv=False,
                # Warnings are errors, judged from the warning stream after each build (so the
                # build goes on and reports every warning, as --keep-going does).
                warningiserror=False,
            )
            # As jupyter_book.sphinx.build_sphinx does: multitoc numbering when a part is numbered.
            if app.config["use_multitoc_numbering"] and "numbered: true" in yaml.dump(
                app.config.external_site_map.as_json()
            ):
                app.setup_extension("sphinx_multitoc_numbering")
            app.connect("env-get-outdated", self._outdated)
            app.connect("env-purge-doc", self._forget_doctree)
            app.connect("env-before-read-docs", self._defer, priority=900)  # after every reordering
            import jieba

            jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines are not news
            jieba.initialize()  # the search index's segmenter: its dictionary loads once per process
            self._app = app
        except BaseException as exc:
            self._error = exc

    def _outdated(self, app, env, added, changed, removed) -> list[str]:
        """Pages a failed build warned about are read (and written) again, so their warnings come back;
        so are the pages a build of some pages only left out."""
        return sorted(d for d in self.recheck | self.deferred if d in env.found_docs and d not in removed)

    @staticmethod
    def _forget_doctree(app, env, docname: str) -> None:
        """A page read again gets a new doctree file: Sphinx's in-memory copy of the old one (kept
        by ``env.get_doctree`` for the life of the application, which here outlives a build) goes."""
        getattr(env, "_pickled_doctree_cache", {}).pop(docname, None)

    def _defer(self, app, env, docnames: list[str]) -> None:
        """In a build of some pages only, every other page to read is left for the next build."""
        if self.only is None:
            return
        for doc in [d for d in docnames if d not in self.only]:
            docnames.remove(doc)
            self.deferred.add(doc)

    def app(self):
        """The Sphinx application, once started (raises what stopped it from starting)."""
        self._thread.join()
        if self._error is not None:
            raise BuildError(f"Sphinx did not start: {type(self._error).__name__}: {self._error}") from None
        return self._app

    @property
    def failed(self) -> bool:
        return not self._thread.is_alive() and self._error is not None

    def warned_docs(self, text: str) -> list[str] | None:
        """The pages named by warning lines; None when a warning names no page, or the stream holds
        no warning line (then every page is read again)."""
        env = self._app.env
        docs = set()
        lines = [ln for ln in text.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b", ln)]
        for line in lines:
            match = WARNING_AT.match(line)
            doc = env.path2doc(str(Path(ROOT, match["path"]))) if match else None
            if doc is None:
                return None
            docs.add(doc)
        return sorted(docs) or None

    def build(self, only: Iterable[str] | None = None) -> Path:
        """Build what changed (``only``: of these pages only, the rest at the next build); return the
        built folder or raise BuildError (``docs``: the pages warned about)."""
        app = self.app()
        self.warnings.take()
        env = app.env
        only = sorted(set(only) & env.found_docs) if only is not None else None
        numbers = copy.deepcopy((env.toc_secnumbers, env.toc_fignumbers))
        self.only = set(only) if only else None
        app.techreport_only = self.only  # what the book's extensions may leave to the next build
        try:
            if self.only:  # read: these pages (_defer); write: these, their parents, the front page
                app.build(filenames=[str(env.doc2path(d)) for d in only])
            else:
                app.build()
        except Exception as exc:
            raise BuildError(f"Sphinx stopped: {type(exc).__name__}: {exc}") from None
        finally:
            self.only = app.techreport_only = None
        if only:
            # pages whose section or figure numbers the pages read changed: a full build writes
            # them (Sphinx would have, in this build)
            for old, new in zip(numbers, (env.toc_secnumbers, env.toc_fignumbers)):
                self.deferred |= {d for d in set(old) | set(new) if old.get(d) != new.get(d)} - set(only)
        else:
            self.deferred.clear()  # every page left out before has been read now
        text = self.warnings.take().strip()
        if text:
            docs = self.warned_docs(text)
            self.recheck = set(docs or [])
            raise BuildError(
                f"Sphinx warnings (warnings are errors):\n{text}",
                hint="fix what each line names (file and line); the next build reads those pages again",
                docs=docs,
            ) from None
        self.recheck = set()
        return Path(app.outdir)

    def close(self) -> None:
        self._thread.join()
        self._stack.close()
