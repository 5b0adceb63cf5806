"""The book's configuration, read before anything runs: ``_config.yml`` and ``_toc.yml`` (the pages, in order).

Read as Jupyter Book and sphinx-external-toc read them; a file that does not parse stops the
build with its name, the line and what to do (:class:`~bookbuild.errors.BuildError`), not a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import BuildError
from .sources import ROOT

TOC_HELP = (
    "_toc.yml lists the pages as `format: jb-book`, `root: index`, then `parts:` with a `caption:` and "
    "`chapters:`, each entry `- file: book/page` (no suffix), nested under `sections:`; "
    "see https://jupyterbook.org/en/stable/structure/toc.html"
)


def yaml_problem(path: Path, exc: yaml.YAMLError, hint: str) -> BuildError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is not None:
        message += f", column {mark.column + 1}"
    start = getattr(exc, "context_mark", None)
    if start is not None and mark is not None and start.line != mark.line:
        message += f"; what it was reading starts at line {start.line + 1}"
    return BuildError(
        message, file=path.relative_to(ROOT).as_posix(), line=mark.line + 1 if mark is not None else None, hint=hint
    )


def check_config() -> dict:
    """``_config.yml`` parsed; a BuildError naming the file and line when it is not YAML or not a mapping."""
    path = ROOT / "_config.yml"
    hint = "fix the indentation or quoting there (a value holding ': ' or '#' needs quotes)"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildError(
            "not found", file="_config.yml", hint="restore it from git: git checkout _config.yml"
        ) from None
    except yaml.YAMLError as exc:
        raise yaml_problem(path, exc, hint) from None
    if not isinstance(data, dict):
        raise BuildError(f"expected a mapping of settings, found {type(data).__name__}", file="_config.yml", hint=hint)
    return data


def toc_documents() -> list[str]:
    """Every document of _toc.yml in book order (root first), read by sphinx-external-toc as Sphinx reads it."""
    from sphinx_external_toc.api import FileItem
    from sphinx_external_toc.parsing import MalformedError, parse_toc_yaml

    path = ROOT / "_toc.yml"
    try:
        site = parse_toc_yaml(path)
    except FileNotFoundError:
        raise BuildError("not found", file="_toc.yml", hint="restore it from git: git checkout _toc.yml") from None
    except yaml.YAMLError as exc:
        raise yaml_problem(path, exc, TOC_HELP) from None
    except (MalformedError, TypeError, AttributeError, KeyError) as exc:
        raise BuildError(
            f"not a table of contents: {exc}", file="_toc.yml", line=toc_line(path, str(exc)), hint=TOC_HELP
        ) from None

    def visit(name: str) -> list[str]:
        children = [item for tree in site[name].subtrees for item in tree.items if isinstance(item, FileItem)]
        return [name, *(doc for child in children for doc in visit(child))]

    return visit(site.root.docname)


def toc_line(path: Path, message: str) -> int | None:
    """The line of the entry sphinx-external-toc's message points to (``@ '/parts/0/chapters/1'``)."""
    match = re.search(r"@ '(/[^']*)'", message)
    if not match:
        return None
    node = yaml.compose(path.read_text(encoding="utf-8"))
    for step in filter(None, match.group(1).split("/")):
        if isinstance(node, yaml.SequenceNode) and step.isdigit() and int(step) < len(node.value):
            node = node.value[int(step)]
        elif isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), node)
        else:
            break
    return node.start_mark.line + 1


def toc_notebooks() -> list[Path]:
    """Every notebook listed in _toc.yml, in book order."""
    return [path for doc in toc_documents() if (path := ROOT / f"{doc}.ipynb").exists()]
